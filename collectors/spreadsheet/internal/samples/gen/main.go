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
	giasRows := flag.Int("gias-rows", 0, "instead: write a synthetic GIAS export of this many schools (benchmarks) to -to")
	providerRows := flag.Int("provider-rows", 0, "instead: write a synthetic provider list XLSX of this many rows (benchmarks) to -to")
	to := flag.String("to", "", "output file for -gias-rows or -provider-rows")
	flag.Parse()
	if *giasRows > 0 || *providerRows > 0 {
		if err := synthetic(*to, *giasRows, *providerRows); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
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

// synthetic streams one benchmark file straight to disk.
func synthetic(to string, giasRows, providerRows int) error {
	if to == "" {
		return fmt.Errorf("-to names the output file")
	}
	f, err := os.Create(to)
	if err != nil {
		return err
	}
	if giasRows > 0 {
		err = samples.SyntheticGIAS(f, giasRows)
	} else {
		err = samples.SyntheticProviders(f, providerRows)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
