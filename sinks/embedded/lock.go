package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// LockFile is the file in the warehouse directory that says which localoffer
// process holds the embedded warehouse. The engine takes an exclusive flock on
// it, so the lock dies with the process: a stale file after a crash holds nothing.
const LockFile = "localoffer.lock"

// Holder is what the lock file says about the process holding the warehouse.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`        // e.g. "localoffer serve"
	Addr    string    `json:"addr,omitempty"` // base URL of `localoffer serve`, once it listens
	Since   time.Time `json:"since"`
}

// HeldError means another process holds the embedded warehouse.
type HeldError struct {
	Path   string
	Holder Holder // zero when the holder had not written the file yet
}

func (e *HeldError) Error() string {
	who := "another localoffer process"
	if e.Holder.PID > 0 {
		cmd := e.Holder.Command
		if cmd == "" {
			cmd = "localoffer"
		}
		who = fmt.Sprintf("%s (pid %d)", cmd, e.Holder.PID)
	}
	if e.Holder.Addr != "" {
		return fmt.Sprintf("the warehouse at %s is held by %s at %s: ask it with --server %s, or stop it first", e.Path, who, e.Holder.Addr, e.Holder.Addr)
	}
	return fmt.Sprintf("the warehouse at %s is held by %s: wait for it to finish, or stop it first", e.Path, who)
}

// dirLock is the engine's hold on its directory.
type dirLock struct {
	f      *os.File
	holder Holder
}

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open warehouse lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			held := &HeldError{Path: dir}
			if b, rerr := os.ReadFile(path); rerr == nil {
				json.Unmarshal(b, &held.Holder)
			}
			return nil, held
		}
		return nil, fmt.Errorf("lock warehouse %s: %w", path, err)
	}
	l := &dirLock{f: f, holder: Holder{PID: os.Getpid(), Command: commandName(), Since: time.Now().UTC()}}
	if err := l.write(); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

func (l *dirLock) write() error {
	b, _ := json.Marshal(l.holder)
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write warehouse lock: %w", err)
	}
	if _, err := l.f.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("write warehouse lock: %w", err)
	}
	return nil
}

func (l *dirLock) release() {
	// Emptied rather than removed: removing would let a second process lock a
	// new file of the same name while a third still waits on the old inode.
	l.f.Truncate(0)
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// commandName is "localoffer VERB" for the lock file.
func commandName() string {
	name := "localoffer"
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		name += " " + os.Args[1]
	}
	return name
}

// Announce records in the lock file the address at which this process serves
// the warehouse (`localoffer serve`), so another process refused the warehouse
// is told where to ask instead. It is a no-op when no embedded engine is open.
func Announce(addr string) error {
	engineMu.Lock()
	defer engineMu.Unlock()
	if theOne == nil || theOne.lock == nil {
		return nil
	}
	theOne.lock.holder.Addr = addr
	return theOne.lock.write()
}
