package main

import (
	"context"
	"fmt"
)

// cmdGaps is replaced by the gaps verb's own implementation (issue in progress).
func cmdGaps(ctx context.Context, env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "localoffer gaps: not built yet")
	return exitUsage
}
