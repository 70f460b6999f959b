package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// reportFlags are the flags the report verbs (gaps, health, annual-report)
// share: where the configuration is, which LA, the format and --out.
type reportFlags struct {
	verb    string
	formats []string
	config  *string
	la      *string
	format  *string
	out     *string
}

// addReportFlags defines --config, --la, --format (default def, one of
// formats) and --out on fs.
func addReportFlags(fs *flag.FlagSet, verb, laHelp, def string, formats []string, formatHelp string) *reportFlags {
	return &reportFlags{
		verb:    verb,
		formats: formats,
		config:  fs.String("config", "pipelines.yaml", "configuration file"),
		la:      fs.String("la", "", laHelp),
		format:  fs.String("format", def, formatHelp),
		out:     fs.String("out", "", "write to this file instead of standard output"),
	}
}

// check refuses positional arguments and an unknown --format, printing why;
// false means exit with exitUsage.
func (r *reportFlags) check(fs *flag.FlagSet, env *Env) bool {
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "localoffer %s: unexpected argument %q\n", r.verb, fs.Arg(0))
		return false
	}
	if !slices.Contains(r.formats, *r.format) {
		fmt.Fprintf(env.Stderr, "localoffer %s: unknown --format %q (%s)\n", r.verb, *r.format, strings.Join(r.formats, ", "))
		return false
	}
	return true
}

// write writes the report to standard output or, through a temporary file
// renamed into place, to --out, and returns the exit code.
func (r *reportFlags) write(env *Env, write func(io.Writer) error) int {
	var err error
	if *r.out == "" {
		err = write(env.Stdout)
	} else {
		err = writeFileAtomic(*r.out, write)
	}
	if err != nil {
		r.fail(env, err)
		return exitFailed
	}
	return exitOK
}

// fail prints an error of the verb.
func (r *reportFlags) fail(env *Env, err error) {
	fmt.Fprintf(env.Stderr, "localoffer %s: %v\n", r.verb, err)
}

// writeFileAtomic writes through a temporary file and renames it into place,
// so a failed run never leaves half a report where the last good one was.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
