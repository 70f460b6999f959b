package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestQueryBehavesLikeASQLClient(t *testing.T) {
	cfg := sampleConfig(t)
	q := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, append([]string{"query", "--config", cfg}, args...)...)
	}
	// Statements libchdb cannot stream.
	for sql, want := range map[string]string{
		"DESCRIBE services":            "youngest age served",
		"SHOW TABLES":                  "services_current",
		"EXISTS TABLE flags_current":   "1",
		"EXPLAIN SELECT 1":             "explain",
		"SHOW CREATE TABLE quarantine": "CREATE TABLE",
	} {
		code, out, errs := q(sql)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", sql, code, out, errs)
		}
	}
	// The SQL's FORMAT wins and is written as the engine produced it.
	if code, out, errs := q("--format", "json", "SELECT 1 AS a, 'x' AS b FORMAT TSVWithNames"); code != exitOK || out != "a\tb\n1\tx\n" {
		t.Errorf("FORMAT TSVWithNames: exit %d %q %s", code, out, errs)
	}
	if code, out, errs := q("SHOW TABLES LIKE 'flags_current' FORMAT JSONEachRow"); code != exitOK || out != "{\"name\":\"flags_current\"}\n" {
		t.Errorf("SHOW … FORMAT: exit %d %q %s", code, out, errs)
	}
	dir := t.TempDir()
	pq := filepath.Join(dir, "n.parquet")
	if code, _, errs := q("--out", pq, "SELECT number AS n FROM numbers(1000) FORMAT Parquet"); code != exitOK {
		t.Fatalf("parquet --out: exit %d %s", code, errs)
	}
	if b, err := os.ReadFile(pq); err != nil || !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
		t.Fatalf("parquet file: %v, %d bytes", err, len(b))
	}
	if code, out, errs := q("--format", "csv", "SELECT count(), sum(n) FROM file('"+pq+"')"); code != exitOK || out != "count(),sum(n)\n1000,499500\n" {
		t.Errorf("read back: exit %d %q %s", code, out, errs)
	}
	// Binary to a pipe (not a terminal) is fine.
	if code, out, _ := q("SELECT 1 FORMAT RowBinary"); code != exitOK || out != "\x01" {
		t.Errorf("RowBinary to a pipe: exit %d %q", code, out)
	}
	// Parameters, --file.
	sqlFile := filepath.Join(dir, "q.sql")
	os.WriteFile(sqlFile, []byte("SELECT {name:String} AS name, {n:UInt8} + 1 AS next\n"), 0o644)
	if code, out, errs := q("--format", "csv", "--file", sqlFile, "--param", "name=O'Brien", "--param", "n=41"); code != exitOK || out != "name,next\nO'Brien,42\n" {
		t.Errorf("--file --param: exit %d %q %s", code, out, errs)
	}
	if code, _, _ := q("--param", "bad name=1", "SELECT 1"); code != exitUsage {
		t.Errorf("bad --param: exit %d", code)
	}
	if code, _, _ := q("--file", sqlFile, "SELECT 1"); code != exitUsage {
		t.Errorf("--file and SQL: exit %d", code)
	}
	// Read-only by default.
	for _, sql := range []string{
		"INSERT INTO quarantine (pipeline) VALUES ('x')",
		"CREATE TABLE evil (a UInt8) ENGINE = Memory",
		"ALTER TABLE services DELETE WHERE 1",
		"DROP TABLE services",
		"SYSTEM DROP MARK CACHE",
		"SET readonly = 0",
		"INSERT INTO quarantine (pipeline) SETTINGS readonly = 0 VALUES ('x')",
		"SELECT 1 INTO OUTFILE '" + filepath.Join(dir, "x.tsv") + "'",
	} {
		code, _, errs := q(sql)
		if code != exitFailed || !strings.Contains(errs, "read-only") || !strings.Contains(errs, "--write") {
			t.Errorf("%s: exit %d, stderr %q", sql, code, errs)
		}
	}
	if code, out, _ := q("--format", "csv", "SELECT (SELECT count() FROM quarantine) AS q, (SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'services') AS s"); code != exitOK || out != "q,s\n0,1\n" {
		t.Errorf("something changed: %q", out)
	}
	if code, _, errs := q("--write", "CREATE TABLE scratch (a UInt8) ENGINE = MergeTree ORDER BY a"); code != exitOK {
		t.Errorf("--write CREATE: exit %d %s", code, errs)
	}
	if code, _, errs := q("--write", "INSERT INTO scratch VALUES (7)"); code != exitOK {
		t.Errorf("--write INSERT: exit %d %s", code, errs)
	}
	if code, out, _ := q("--format", "csv", "SELECT a FROM scratch"); code != exitOK || out != "a\n7\n" {
		t.Errorf("after --write: %q", out)
	}
	// --describe: the data dictionary from the warehouse itself.
	code, out, errs := q("--describe")
	if code != exitOK || !strings.Contains(out, "services_current (view") || !strings.Contains(out, "youngest age served") {
		t.Errorf("--describe: exit %d %s\n%.400s", code, errs, out)
	}
	code, out, _ = q("--describe", "--format", "csv")
	if code != exitOK || !strings.HasPrefix(out, "table,kind,table_comment,column,type,comment\n") || !strings.Contains(out, "services,table,") {
		t.Errorf("--describe --format csv: exit %d\n%.300s", code, out)
	}
	code, out, _ = q("--describe", "--format", "json")
	var dict []struct {
		Name    string
		Columns []struct{ Name, Type, Comment string }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &dict) != nil || len(dict) < 40 {
		t.Errorf("--describe --format json: exit %d %d tables", code, len(dict))
	}
}

// Binary output to a terminal is refused with a sentence saying what to do.
func TestBinaryFormatRefusedOnATerminal(t *testing.T) {
	tty := openPTY(t)
	cfg := sampleConfig(t)
	var errb bytes.Buffer
	code := runMain(context.Background(), []string{"query", "--config", cfg, "SELECT 1 FORMAT Parquet"}, &Env{Stdout: tty, Stderr: &errb, Getenv: func(string) string { return "" }})
	if code != exitFailed || !strings.Contains(errb.String(), "binary") || !strings.Contains(errb.String(), "--out FILE") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// openPTY returns the terminal end of a new pseudo-terminal.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("skipping: no pseudo-terminals here (%v)", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("skipping: unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("skipping: pty number: %v", err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("skipping: open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// export --format parquet|csv: every documented table and view, written by the
// engine, with a README data dictionary; the sample's services arrive.
func TestExportTables(t *testing.T) {
	cfg := sampleConfig(t)
	if code, out, errs := runCLI(t, "run", "--config", cfg); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	_, want, _ := runCLI(t, "query", "--config", cfg, "--format", "csv", "SELECT count() AS n FROM services_current")
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errs := runCLI(t, "export", "--config", cfg, "--format", "parquet", "--out", dir)
	if code != exitOK || !strings.Contains(out, "tables and views") {
		t.Fatalf("export: exit %d %q %s", code, out, errs)
	}
	code, got, errs := runCLI(t, "query", "--config", cfg, "--format", "csv", "SELECT count() AS n FROM file('"+filepath.Join(dir, "services_current.parquet")+"')")
	if code != exitOK || got != want || want == "n\n0\n" {
		t.Errorf("services_current.parquet holds %q, the view %q (%s)", got, want, errs)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil || !strings.Contains(string(readme), "## flags_current") {
		t.Errorf("README: %v", err)
	}
	if code, _, _ := runCLI(t, "export", "--config", cfg, "--format", "xlsx", "--out", dir); code != exitUsage {
		t.Errorf("--format xlsx: exit %d", code)
	}
}
