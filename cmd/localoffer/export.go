package main

import (
	"context"
	"fmt"
)

// cmdExport is replaced by the export verb's own implementation (issue in progress).
func cmdExport(ctx context.Context, env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "localoffer export: not built yet")
	return exitUsage
}
