// Command gen writes the invented example files under examples/:
//
//	go run ./collectors/spreadsheet/internal/samples/gen -out examples
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/localoffer/localoffer/collectors/spreadsheet/internal/samples"
)

func main() {
	out := flag.String("out", "examples", "examples directory")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if err := samples.Check(); err != nil {
		return err
	}
	files := []struct {
		path  string
		write func(*bytes.Buffer) error
	}{
		{"gias/edubasealldata_portsmouth.csv", func(b *bytes.Buffer) error { return samples.WriteGIAS(b, samples.PortsmouthSchools()) }},
		{"demand/sen_needs_all_plans.csv", func(b *bytes.Buffer) error { return samples.WriteNeeds(b) }},
		{"demand/caseload.csv", func(b *bytes.Buffer) error { return samples.WriteCaseload(b) }},
		{"providers/providers.xlsx", func(b *bytes.Buffer) error { return samples.WriteProviders(b) }},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		p := filepath.Join(out, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", p, b.Len(), "bytes")
	}
	return nil
}
