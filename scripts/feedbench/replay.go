package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// replay measures the engine floor of a run's inserts: the files a run
// captured (LOCALOFFER_CAPTURE_INSERTS) loaded again, in the same order and
// format, into the real tables of a fresh warehouse (same migrations), then
// into Null-engine copies of those tables (parsing only, nothing stored),
// beside the time the run's own insert calls took.
func replay(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	dir := fs.String("dir", "", "capture directory (LOCALOFFER_CAPTURE_INSERTS of the run)")
	path := fs.String("warehouse", "", "a new, empty directory for the replay warehouse")
	repeat := fs.Int("repeat", 3, "load each file this many times into each table; the fastest counts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *path == "" || *repeat < 1 {
		return fmt.Errorf("replay needs -dir, -warehouse and -repeat of at least 1")
	}
	inserts, err := readManifest(filepath.Join(*dir, embedded.CaptureManifest))
	if err != nil {
		return err
	}
	conn, err := embedded.Open(ctx, *path, "localoffer")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	w := warehouse.New(conn, warehouse.Layout{Database: "localoffer"})
	if _, err := w.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate replay warehouse: %w", err)
	}
	type total struct {
		rows                   int
		bytes                  int64
		run, real, nl          time.Duration
		runCPU, realCPU, nlCPU time.Duration
	}
	byTable := map[string]*total{}
	var sum total
	var waited float64
	// Each file is loaded repeat times into each table and the fastest kept:
	// the floor, on a machine other work shares.
	best := make([][2]time.Duration, len(inserts))
	bestCPU := make([][2]time.Duration, len(inserts))
	for i, ci := range inserts {
		if byTable[ci.Table] == nil {
			byTable[ci.Table] = &total{}
			if err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s AS %s ENGINE = Null", ident(ci.Table+"_null"), ident(ci.Table))); err != nil {
				return fmt.Errorf("create Null copy of %s: %w", ci.Table, err)
			}
		}
		best[i] = [2]time.Duration{time.Hour, time.Hour}
		bestCPU[i] = [2]time.Duration{time.Hour, time.Hour}
	}
	for range *repeat {
		for i, ci := range inserts {
			file := filepath.Join(*dir, ci.File)
			for j, table := range []string{ci.Table, ci.Table + "_null"} {
				took, cpu, err := timeInsert(ctx, conn, table, ci, file)
				if err != nil {
					return err
				}
				best[i][j] = min(best[i][j], took)
				bestCPU[i][j] = min(bestCPU[i][j], cpu)
			}
		}
	}
	for i, ci := range inserts {
		run := time.Duration(ci.Seconds * float64(time.Second))
		runCPU := time.Duration(ci.CPU * float64(time.Second))
		waited += ci.Waited
		for _, x := range []*total{byTable[ci.Table], &sum} {
			x.rows += ci.Rows
			x.bytes += ci.Bytes
			x.run += run
			x.real += best[i][0]
			x.nl += best[i][1]
			x.runCPU += runCPU
			x.realCPU += bestCPU[i][0]
			x.nlCPU += bestCPU[i][1]
		}
	}
	fmt.Fprintf(out, "   %-22s %9s %9s %10s %10s %10s %11s %11s %11s   (real and Null: fastest of %d; CPU: the engine's and the calling thread's, least of %d)\n",
		"table", "rows", "MB", "run's s", "real s", "Null s", "run's CPU", "real CPU", "Null CPU", *repeat, *repeat)
	tables := make([]string, 0, len(byTable))
	for name := range byTable {
		tables = append(tables, name)
	}
	slices.SortFunc(tables, func(a, b string) int { return int(byTable[b].bytes - byTable[a].bytes) })
	line := func(name string, t *total) {
		fmt.Fprintf(out, "   %-22s %9d %9.1f %10.3f %10.3f %10.3f %11.3f %11.3f %11.3f\n", name, t.rows, float64(t.bytes)/1e6, t.run.Seconds(), t.real.Seconds(), t.nl.Seconds(),
			t.runCPU.Seconds(), t.realCPU.Seconds(), t.nlCPU.Seconds())
	}
	for _, name := range tables {
		line(name, byTable[name])
	}
	line(fmt.Sprintf("all (%d inserts)", len(inserts)), &sum)
	if sum.real > 0 {
		fmt.Fprintf(out, "   the run's inserts took %.2f× the real-table floor and %.2f× the Null floor (format %s)\n",
			sum.run.Seconds()/sum.real.Seconds(), sum.run.Seconds()/sum.nl.Seconds(), formats(inserts))
	}
	if waited > 0 {
		fmt.Fprintf(out, "   (the run's inserts also waited %.3f s in all for the engine to finish other statements; not counted above)\n", waited)
	}
	if sum.runCPU > 0 && sum.realCPU > 0 {
		fmt.Fprintf(out, "   by CPU (the engine's threads and the calling thread): %.2f× the real-table floor's\n",
			sum.runCPU.Seconds()/sum.realCPU.Seconds())
	}
	return nil
}

// timeInsert loads one captured file into table with the engine's own file
// reader: its wall time and CPU time (embedded.MeasureEngineCall, as the run's
// were measured).
func timeInsert(ctx context.Context, conn *embedded.Conn, table string, ci embedded.CapturedInsert, file string) (time.Duration, time.Duration, error) {
	cols := make([]string, len(ci.Columns))
	for i, c := range ci.Columns {
		cols[i] = ident(c)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) FROM INFILE %s FORMAT %s", ident(table), strings.Join(cols, ", "), warehouse.Quote(file), ci.Format)
	took, cpu, err := embedded.MeasureEngineCall(func() error { return conn.Exec(ctx, q) })
	if err != nil {
		return 0, 0, fmt.Errorf("replay %s into %s: %w", ci.File, table, err)
	}
	return took, cpu, nil
}

func readManifest(path string) ([]embedded.CapturedInsert, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read capture manifest: %w", err)
	}
	defer f.Close()
	var out []embedded.CapturedInsert
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ci embedded.CapturedInsert
		if err := json.Unmarshal(sc.Bytes(), &ci); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, len(out)+1, err)
		}
		if ci.Format == "" || strings.ContainsAny(ci.Format, " ;'`") {
			return nil, fmt.Errorf("%s line %d: format %q", path, len(out)+1, ci.Format)
		}
		out = append(out, ci)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no inserts", path)
	}
	return out, nil
}

func formats(ins []embedded.CapturedInsert) string {
	var fs []string
	for _, ci := range ins {
		if !slices.Contains(fs, ci.Format) {
			fs = append(fs, ci.Format)
		}
	}
	return strings.Join(fs, ", ")
}

func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
