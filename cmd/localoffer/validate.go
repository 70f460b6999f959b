package main

import (
	"context"
	"fmt"
)

// cmdValidate is replaced by the validate verb's own implementation (issue in progress).
func cmdValidate(ctx context.Context, env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "localoffer validate: not built yet")
	return exitUsage
}
