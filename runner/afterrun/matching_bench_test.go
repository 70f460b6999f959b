package afterrun

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// simulatedEngland loads n records (a fifth organisations, three fifths
// services, a fifth locations) over 153 council pipelines, generated in SQL:
// each council has its own providers and postcodes, service names repeat
// across councils as they do in real directories, and one national charity
// (same name, same website) is listed by every council.
func simulatedEngland(b *testing.B, n int) *warehouse.Warehouse {
	b.Helper()
	w := whtest.New(b)
	ctx := context.Background()
	orgs, svcs, locs := n/5, n*3/5, n/5
	words := `['Autism','Stroke','Carers','Parent','Youth','Sensory','Dyslexia','Hearing','Sight','Play','Music','Dance','Swimming','Football','Drama','Art','Nurture','Wellbeing','Family','Bereavement']`
	kinds := `['Support Group','Club','Service','Project','Network','Forum','Trust','Centre','Hub','Association']`
	places := `['North','South','East','West','Central','Park','Hill','Vale','Green','Bridge','Brook','Field','Wood','Cross','Lane','Ford','Moor','Dale','Heath','Grange']`
	stmts := []string{
		fmt.Sprintf(`INSERT INTO organizations (id, pipeline, run_id, name, website, la_code, identifiers, fetched_at, content_hash, _version)
SELECT concat('c', toString(number %% 153), '/org/', toString(number)), concat('c', toString(number %% 153)), 'run-1',
  if(number < 153, 'The Stroke Association',
     concat(%[1]s[intDiv(number, 153) %% 20 + 1], ' ', %[3]s[intDiv(number, 3060) %% 20 + 1], ' ', %[2]s[number %% 10 + 1], ' ', toString(intDiv(number, 61200)))),
  if(number < 153, 'https://www.stroke.org.uk/', ''),
  concat('E0', toString(6000000 + number %% 153)),
  if(number %% 7 = 0, [concat('GB-CHC:', toString(1000000 + number))], CAST([] AS Array(String))),
  now64(3), toString(number), 1
FROM numbers(%[4]d)`, words, kinds, places, orgs),
		fmt.Sprintf(`INSERT INTO services (id, pipeline, run_id, name, status, organization_id, la_code, postcode, url, fetched_at, content_hash, _version)
SELECT concat('c', toString(number %% 153), '/svc/', toString(number)), concat('c', toString(number %% 153)), 'run-1',
  concat(%[1]s[number %% 20 + 1], ' ', %[2]s[intDiv(number, 20) %% 10 + 1]),
  'active', concat('c', toString(number %% 153), '/org/', toString(number %% %[4]d - number %% %[4]d %% 153 + number %% 153)),
  concat('E0', toString(6000000 + number %% 153)),
  concat('Z', char(65 + number %% 153 %% 26), toString(number %% 153 %% 90 + 1), ' ', toString(intDiv(number, 153) %% 10), char(65 + intDiv(number, 1530) %% 26), char(65 + intDiv(number, 39780) %% 26)),
  '',
  now64(3), toString(number), 1
FROM numbers(%[3]d)`, words, kinds, svcs, orgs),
		fmt.Sprintf(`INSERT INTO locations (id, pipeline, run_id, organization_id, name, location_type, postcode, latitude, longitude, la_code, fetched_at, content_hash, _version)
SELECT concat('c', toString(number %% 153), '/loc/', toString(number)), concat('c', toString(number %% 153)), 'run-1',
  concat('c', toString(number %% 153), '/org/', toString(number %% %[2]d - number %% %[2]d %% 153 + number %% 153)),
  concat(%[3]s[intDiv(number, 153) %% 20 + 1], ' Community Centre'), 'physical',
  concat('Z', char(65 + number %% 153 %% 26), toString(number %% 153 %% 90 + 1), ' ', toString(intDiv(number, 153) %% 10), char(65 + intDiv(number, 1530) %% 26), char(65 + intDiv(number, 39780) %% 26)),
  50 + (number %% 153) / 50.0 + intDiv(number, 153) %% 100 / 10000.0, -2 + (number %% 153) / 60.0,
  concat('E0', toString(6000000 + number %% 153)), now64(3), toString(number), 1
FROM numbers(%[1]d)`, locs, orgs, places),
	}
	for _, s := range stmts {
		if err := w.Exec(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return w
}

// change writes new versions of k services and k/5 organisations (renamed),
// stamped after everything before.
func change(b *testing.B, w *warehouse.Warehouse, k, offset int) {
	b.Helper()
	ctx := context.Background()
	v := time.Now().UnixNano()
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO services (id, pipeline, run_id, name, status, organization_id, la_code, postcode, url, fetched_at, content_hash, _version)
SELECT id, pipeline, 'run-2', concat(name, ' (renamed %[3]d)'), status, organization_id, la_code, postcode, url, fetched_at, concat(content_hash, '-%[3]d'), %[2]d
FROM services WHERE id IN (SELECT id FROM services ORDER BY cityHash64(id, %[3]d) LIMIT %[1]d)`, k, v, offset),
		fmt.Sprintf(`INSERT INTO organizations (id, pipeline, run_id, name, website, la_code, identifiers, fetched_at, content_hash, _version)
SELECT id, pipeline, 'run-2', concat(name, ' %[3]d'), website, la_code, identifiers, fetched_at, concat(content_hash, '-%[3]d'), %[2]d
FROM organizations WHERE id IN (SELECT id FROM organizations ORDER BY cityHash64(id, %[3]d) LIMIT %[1]d)`, k/5, v, offset),
	} {
		if err := w.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchingPassWarehouse: the matching pass of `localoffer run` over
// a simulated England (LOCALOFFER_MATCH_BENCH_N records, default 500,000),
// then after 5,000 services and 1,000 organisations changed: once with the
// index kept in memory (schedule, serve), once in a new process that
// continues from the index snapshot (run), and once in a new process without
// a snapshot, which rebuilds the index from the warehouse without comparing.
func BenchmarkMatchingPassWarehouse(b *testing.B) {
	n := 500_000
	if s := os.Getenv("LOCALOFFER_MATCH_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		w := simulatedEngland(b, n)
		snapshots := b.TempDir()
		m := &Matcher{Threshold: 0.85, Now: time.Now, Log: benchLog(), SnapshotDir: snapshots}
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime()
		if err := m.Settle(ctx, w, nil); err != nil {
			b.Fatal(err)
		}
		full, fullCPU := time.Since(t0), cpuTime()-c0
		b.StopTimer()
		change(b, w, 5000, 1)
		b.StartTimer()
		t0, c0 = time.Now(), cpuTime()
		if err := m.Settle(ctx, w, nil); err != nil {
			b.Fatal(err)
		}
		inMemory, inMemoryCPU := time.Since(t0), cpuTime()-c0
		b.StopTimer()
		t0 = time.Now()
		m.SaveSnapshot() // the process ends
		b.Logf("snapshot written in %s", time.Since(t0).Round(time.Millisecond))
		change(b, w, 5000, 2)
		fromSnapshot := &Matcher{Threshold: 0.85, Now: time.Now, Log: benchLog(), SnapshotDir: snapshots}
		b.StartTimer()
		t0, c0 = time.Now(), cpuTime()
		if err := fromSnapshot.Settle(ctx, w, nil); err != nil {
			b.Fatal(err)
		}
		snapshotted, snapshottedCPU := time.Since(t0), cpuTime()-c0
		b.StopTimer()
		change(b, w, 5000, 3)
		rebuilt := &Matcher{Threshold: 0.85, Now: time.Now, Log: benchLog()}
		b.StartTimer()
		t0, c0 = time.Now(), cpuTime()
		if err := rebuilt.Settle(ctx, w, nil); err != nil {
			b.Fatal(err)
		}
		restored, restoredCPU := time.Since(t0), cpuTime()-c0
		b.ReportMetric(full.Seconds(), "full-s")
		b.ReportMetric(inMemory.Seconds(), "incremental-in-memory-s")
		b.ReportMetric(snapshotted.Seconds(), "incremental-new-process-snapshot-s")
		b.ReportMetric(restored.Seconds(), "incremental-new-process-no-snapshot-s")
		// CPU seconds of the process (Go and the engine's threads): on a
		// machine shared with other work they say more than wall time.
		b.ReportMetric(fullCPU.Seconds(), "full-cpu-s")
		b.ReportMetric(inMemoryCPU.Seconds(), "incremental-in-memory-cpu-s")
		b.ReportMetric(snapshottedCPU.Seconds(), "incremental-new-process-snapshot-cpu-s")
		b.ReportMetric(restoredCPU.Seconds(), "incremental-new-process-no-snapshot-cpu-s")
		type passStat struct {
			Kind     string `json:"entity_type"`
			Records  string `json:"records"`
			Staged   string `json:"staged"`
			Compared string `json:"compared"`
			Changed  string `json:"changed"`
			Grouped  string `json:"grouped"`
			Seconds  float64
		}
		rows, err := warehouse.QueryInto[passStat](ctx, w, `SELECT entity_type, toString(records) AS records, toString(staged) AS staged,
  toString(compared) AS compared, toString(changed) AS changed, toString(grouped) AS grouped FROM match_passes ORDER BY _version, entity_type`)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			b.Logf("%-12s records %s compared-records %s comparisons %s changed %s grouped %s", r.Kind, r.Records, r.Staged, r.Compared, r.Changed, r.Grouped)
		}
	}
}

func benchLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// feedShaped loads what one real-shaped feed of n services leaves in a fresh
// warehouse (scripts/bench-feed.sh): n services and n locations of one
// pipeline, an organisation for each tenth, postcodes of one city.
func feedShaped(b *testing.B, n int) *warehouse.Warehouse {
	b.Helper()
	w := whtest.New(b)
	ctx := context.Background()
	orgs := max(n/10, 1)
	for _, s := range []string{
		fmt.Sprintf(`INSERT INTO organizations (id, pipeline, run_id, name, website, la_code, identifiers, fetched_at, content_hash, _version)
SELECT concat('feed/org-', toString(number)), 'feed', 'run-1', concat('Provider ', toString(number)), concat('https://p', toString(number), '.example.org/'),
  'E06000023', if(number %% 9 = 0, ['GB-CHC:' || toString(1100000 + number)], CAST([] AS Array(String))), now64(3), toString(number), 1 FROM numbers(%d)`, orgs),
		fmt.Sprintf(`INSERT INTO services (id, pipeline, run_id, name, status, organization_id, la_code, postcode, url, fetched_at, content_hash, _version)
SELECT concat('feed/svc-', toString(number)), 'feed', 'run-1', concat(['Autism','Stroke','Carers','Youth','Sensory'][number %% 5 + 1], ' group ', toString(number)),
  'active', concat('feed/org-', toString(number %% %[1]d)), 'E06000023', concat('BS', toString(number %% 40 + 1), ' ', toString(number %% 9), char(65 + number %% 26), char(65 + intDiv(number, 26) %% 26)),
  concat('https://p', toString(number %% %[1]d), '.example.org/s'), now64(3), toString(number), 1 FROM numbers(%[2]d)`, orgs, n),
		fmt.Sprintf(`INSERT INTO locations (id, pipeline, run_id, organization_id, name, location_type, postcode, latitude, longitude, la_code, fetched_at, content_hash, _version)
SELECT concat('feed/loc-', toString(number)), 'feed', 'run-1', concat('feed/org-', toString(number %% %[1]d)), concat('Centre ', toString(number)), 'physical',
  concat('BS', toString(number %% 40 + 1), ' ', toString(number %% 9), char(65 + number %% 26), char(65 + intDiv(number, 26) %% 26)),
  51.45 + (number %% 1000) / 10000.0, -2.59 + intDiv(number, 1000) / 1000.0, 'E06000023', now64(3), toString(number), 1 FROM numbers(%[2]d)`, orgs, n),
	} {
		if err := w.Exec(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return w
}

// BenchmarkFirstPass: the matching pass of a fresh warehouse with no saved
// index (the single feed's `run`, LOCALOFFER_MATCH_BENCH_N services, default
// 20,000): the index is built by reading every record back. rowbinary is the
// embedded driver's path; json the JSON rows (a ClickHouse server, and the
// embedded driver before RowBinary).
func BenchmarkFirstPass(b *testing.B) {
	n := 20_000
	if s := os.Getenv("LOCALOFFER_MATCH_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	w := feedShaped(b, n)
	for _, v := range []struct {
		name string
		w    *warehouse.Warehouse
	}{{"rowbinary", w}, {"json", warehouse.New(jsonOnly{w.Conn}, w.Layout)}} {
		b.Run(v.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				for _, t := range []string{"match_passes", "entity_matches"} {
					if err := w.Exec(ctx, "TRUNCATE TABLE "+t); err != nil {
						b.Fatal(err)
					}
				}
				m := &Matcher{Threshold: 0.85, Now: time.Now}
				b.StartTimer()
				c0 := cpuTime()
				if err := m.Settle(ctx, v.w, nil); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
