package health

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// nationalWarehouse simulates England: 153 sources with 52 weekly runs each,
// 500,000 current services (a third of them stale), the flags, quarantine
// rows and conformance checks that go with them. Rows are made by the engine
// itself so the set-up takes seconds.
func nationalWarehouse(b *testing.B) *warehouse.Warehouse {
	b.Helper()
	w := whtest.New(b)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO runs (run_id, pipeline, collector, started_at, finished_at, status, full_sweep, documents_fetched, documents_unchanged,
            documents_failed, records_loaded, records_unchanged, records_quarantined, flags_raised, warnings, error, _version)
         SELECT concat('p', toString(number % 153), '-', toString(intDiv(number, 153))), concat('p', toString(number % 153)), 'hsds_api',
            now64(3) - toIntervalWeek(52 - intDiv(number, 153)), now64(3) - toIntervalWeek(52 - intDiv(number, 153)) + 60,
            if(number % 97 = 0, 'failed', 'ok'), 1, 40, 10, number % 3, 100, 3160, number % 50, 0, number % 7, '', 1
         FROM numbers(153 * 52)`,
		`INSERT INTO source_health (run_id, pipeline, measured_at, services, services_active, assured_recent, modified_recent, stale,
            missing_from_source, open_flags, documents_p50_ms, documents_p95_ms, pagination_anomalies, fields_repaired, fields_dropped,
            assurance_after_days, review_after_days, _version)
         SELECT concat('p', toString(number % 153), '-', toString(intDiv(number, 153))), concat('p', toString(number % 153)), now64(3),
            3268, 3200, 1200 + number % 900, 2000, 1000 + number % 500, number % 20, map('assurance_overdue', 1000, 'no_contact', 40),
            120, 480, number % 2, map('time_format', 12), map('url', 1), 90, 365, 1
         FROM numbers(153 * 52)`,
		`INSERT INTO source_health_las (run_id, pipeline, la_code, services, stale, _version)
         SELECT concat('p', toString(number % 153), '-', toString(intDiv(number, 153))), concat('p', toString(number % 153)),
            concat('E0600', leftPad(toString(number % 153), 4, '0')), 3268, 1000 + number % 500, 1
         FROM numbers(153 * 52)`,
		`INSERT INTO services (id, pipeline, run_id, name, status, description, la_code, assured_date, content_hash, payload, _version)
         SELECT concat('p', toString(number % 153), '/s', toString(number)), concat('p', toString(number % 153)), 'r', concat('Service ', toString(number)),
            'active', 'A service', concat('E0600', leftPad(toString(number % 153), 4, '0')), today() - (number % 400), toString(number), '{}', 1
         FROM numbers(500000)`,
		`INSERT INTO flags (entity_type, entity_id, pipeline, flag, reason, evidence, first_detected, last_detected, active, closed_at, run_id, _version)
         SELECT 'service', concat('p', toString(number % 153), '/s', toString(number)), concat('p', toString(number % 153)), 'assurance_overdue',
            'assured long ago', '', now64(3), now64(3), 1, NULL, 'r', 1
         FROM numbers(500000) WHERE number % 3 = 0`,
		`INSERT INTO quarantine (pipeline, entity_type, record_id, fingerprint, source_url, errors, payload, first_seen_run, last_seen_run, quarantined_at, last_seen_at, _version)
         SELECT concat('p', toString(number % 153)), 'service', concat('q', toString(number)), 'f', '',
            '[{"pointer":"/email","message":"not a valid email address"}]', '{"name":"x","email":"bad"}',
            concat('p', toString(number % 153), '-51'), concat('p', toString(number % 153), '-51'), now64(3), now64(3), 1
         FROM numbers(153 * 50)`,
		`INSERT INTO field_issues (pipeline, entity_type, record_id, pointer, original_value, action, repaired_value, rule, reason, source_url, first_seen_run, run_id, first_seen_at, last_seen_at, _version)
         SELECT concat('p', toString(number % 153)), 'service', concat('p', toString(number % 153), '/s', toString(number)), '/url', 'www.x', 'repaired',
            'https://www.x', 'url_scheme', '', '', concat('p', toString(number % 153), '-51'), concat('p', toString(number % 153), '-51'), now64(3), now64(3), 1
         FROM numbers(153 * 100)`,
		`INSERT INTO conformance (run_id, pipeline, checked_at, check, level, passed, detail, url)
         SELECT concat('p', toString(number % 153), '-', toString(intDiv(number, 153))), concat('p', toString(number % 153)), now64(3),
            arrayJoin(['root_endpoint', 'page_envelope', 'pagination_totals']), 1, 1, '', ''
         FROM numbers(153 * 52)`,
	} {
		if err := w.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return w
}

// BenchmarkHealthNational: the target is under 2 s for the whole report.
func BenchmarkHealthNational(b *testing.B) {
	w := nationalWarehouse(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r, err := Build(ctx, w, Options{}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Sources) != 153 || len(r.Sources[0].History) != 12 || r.FixesTotal < 160000 || len(r.LAs) != 153 || len(r.Fixes) != 500 {
			b.Fatalf("report: %d sources, %d runs of history, %d LAs, %d of %d fixes", len(r.Sources), len(r.Sources[0].History), len(r.LAs), len(r.Fixes), r.FixesTotal)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/report")
	}
}

// BenchmarkHealthFixListCSV: the whole fix list for every source (CSV).
func BenchmarkHealthFixListCSV(b *testing.B) {
	w := nationalWarehouse(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var out countingWriter
		if err := Write(ctx, w, Options{}, "csv", &out, time.Now()); err != nil {
			b.Fatal(err)
		}
		if out.lines < 160000 {
			b.Fatalf("%d CSV lines", out.lines)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/list")
		b.ReportMetric(float64(out.lines), "rows")
	}
}

type countingWriter struct{ lines int }

func (c *countingWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return len(p), nil
}
