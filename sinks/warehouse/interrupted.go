package warehouse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// StatusInterrupted marks a run whose process ended before the run did.
const StatusInterrupted = "interrupted"

// processOwner names this process in runs.owner: host/pid/start, where start
// (the process start time from /proc, when there is one) tells a reused pid
// from the original.
var processOwner = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return fmt.Sprintf("%s/%d/%s", host, pid, procStart(pid))
})

// procStart is field 22 of /proc/<pid>/stat (start time in clock ticks after
// boot), or "" where there is no /proc.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces; fields resume after ")".
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// ownerAlive reports whether the process named by owner still runs. Owners on
// other hosts cannot be checked and count as alive.
func ownerAlive(owner string) bool {
	host, _ := os.Hostname()
	parts := strings.Split(owner, "/")
	if len(parts) != 3 || parts[0] != host {
		return true
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return true
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		start := procStart(pid)
		return start != "" && (parts[2] == "" || start == parts[2])
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// RecoverInterrupted marks runs left 'running' by a process that no longer
// exists as interrupted, with a finished_at. exclusive says this process
// holds the warehouse alone (the embedded engine locks its path), so every
// running run of another process is dead, whoever it names.
func (w *Warehouse) RecoverInterrupted(ctx context.Context, exclusive bool) (int, error) {
	type row struct {
		RunID string `json:"run_id"`
		Owner string `json:"owner"`
	}
	rows, err := QueryInto[row](ctx, w, "SELECT run_id, owner FROM runs FINAL WHERE status = 'running'")
	if err != nil {
		return 0, fmt.Errorf("find interrupted runs: %w", err)
	}
	self := processOwner()
	var dead []string
	for _, r := range rows {
		if r.Owner == self {
			continue
		}
		if exclusive || (r.Owner != "" && !ownerAlive(r.Owner)) {
			dead = append(dead, Quote(r.RunID))
		}
	}
	if len(dead) == 0 {
		return 0, nil
	}
	now := time.Now().UTC()
	// The filter sits in a subquery: ClickHouse would resolve a WHERE on
	// status against the replaced value.
	q := fmt.Sprintf(`INSERT INTO runs SELECT * REPLACE (%s AS status, toDateTime64(%s, 3, 'UTC') AS finished_at,
    'the process running it ended before the run finished (killed or crashed)' AS error,
    'the process running it ended before the run finished' AS status_reason, toUInt64(%d) AS _version)
FROM (SELECT * FROM runs FINAL WHERE status = 'running' AND run_id IN (%s))`,
		Quote(StatusInterrupted), Quote(now.Format("2006-01-02 15:04:05.000")), now.UnixNano(), strings.Join(dead, ", "))
	if err := w.Exec(ctx, q); err != nil {
		return 0, fmt.Errorf("mark interrupted runs: %w", err)
	}
	return len(dead), nil
}
