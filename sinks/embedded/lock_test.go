package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// TestMain lets the test binary play a second localoffer process.
func TestMain(m *testing.M) {
	if path := os.Getenv("LOCALOFFER_LOCK_CHILD"); path != "" {
		_, err := embedded.Open(context.Background(), path, "child")
		var held *embedded.HeldError
		if errors.As(err, &held) {
			fmt.Print(err.Error())
			os.Exit(3)
		}
		fmt.Printf("expected a HeldError, got %v", err)
		os.Exit(4)
	}
	whtest.Main(m)
}

func TestSecondProcessIsToldWhoHoldsTheWarehouse(t *testing.T) {
	whtest.NewUnmigrated(t) // this process holds the engine
	path := whtest.Path(t)
	child := func() (int, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LOCALOFFER_LOCK_CHILD="+path)
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, out := child()
	if code != 3 || !strings.Contains(out, fmt.Sprintf("(pid %d)", os.Getpid())) || !strings.Contains(out, "wait for it to finish") {
		t.Fatalf("child: exit %d, %q (want one sentence naming this process)", code, out)
	}
	if err := embedded.Announce("http://127.0.0.1:8080"); err != nil {
		t.Fatal(err)
	}
	code, out = child()
	if code != 3 || !strings.Contains(out, "at http://127.0.0.1:8080: ask it with --server http://127.0.0.1:8080") {
		t.Fatalf("child after Announce: exit %d, %q", code, out)
	}
	if strings.Count(out, "\n") > 0 {
		t.Errorf("not one sentence: %q", out)
	}
}
