package gaps

import (
	"context"
	"testing"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// nationalScale fills a warehouse with 153 LAs, 500,000 services (10% with a
// second record under the same canonical id, 8% flagged stale), ten years of
// EHC plans by LA × 12 needs × single age 0-25, 3,000 specialist settings and
// caseload placements, generated in SQL so set-up takes seconds.
func nationalScale(b *testing.B) *warehouse.Warehouse {
	b.Helper()
	w := whtest.New(b)
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO services (id, pipeline, run_id, name, status, need_codes, categories, la_code, min_age, max_age,
			capacity_maximum, canonical_id, fetched_at, content_hash, _version)
		SELECT concat('bench/', toString(number)), 'bench', 'run-1', concat('Service ', toString(number)),
			if(number % 50 = 0, 'inactive', 'active'),
			arrayDistinct([['SPLD','MLD','SLD','PMLD','SEMH','SLCN','HI','VI','MSI','PD','ASD','OTH'][number % 12 + 1],
				['ASD','SEMH','SLCN','MLD'][intDiv(number, 12) % 4 + 1]]),
			arrayDistinct([['education','health','social_care','preparing_for_adulthood','short_breaks','leisure','information_and_advice','transport'][number % 8 + 1],
				['education','health'][number % 2 + 1]]),
			concat('E0', toString(6000000 + number % 153)),
			if(number % 17 = 0, NULL, toFloat64(number % 19)), if(number % 23 = 0, NULL, toFloat64(number % 19 + 3 + number % 7)),
			if(number % 5 = 0, toFloat64(number % 40), NULL),
			if(number % 10 = 0, concat('bench/', toString(number + 1)), ''),
			now64(3), toString(number), 1
		FROM numbers(500000)`,
		`INSERT INTO flags (entity_type, entity_id, pipeline, flag, reason, evidence, first_detected, last_detected, active, closed_at, run_id, _version)
		SELECT 'service', concat('bench/', toString(number * 13)), 'bench', ['review_overdue','assurance_overdue','missing_from_source','no_contact'][number % 4 + 1],
			'bench', '', now64(3), now64(3), 1, NULL, 'run-1', 1
		FROM numbers(40000)`,
		`INSERT INTO demand (id, pipeline, run_id, period, geographic_level, la_code, la_name, need_code, age_min, age_max, measure, placement, count, source, fetched_at, content_hash, _version)
		SELECT concat('d/', toString(number)), 'bench', 'run-1',
			concat(toString(2015 + intDiv(number, 153 * 12 * 26) % 10), toString((16 + intDiv(number, 153 * 12 * 26) % 10) % 100)),
			'Local authority', concat('E0', toString(6000000 + number % 153)), concat('LA ', toString(number % 153)),
			['SPLD','MLD','SLD','PMLD','SEMH','SLCN','HI','VI','MSI','PD','ASD','OTH'][intDiv(number, 153) % 12 + 1],
			toUInt8(intDiv(number, 153 * 12) % 26), toUInt8(intDiv(number, 153 * 12) % 26), 'all_plans', '',
			if(number % 97 = 0, NULL, toFloat64(number % 60 + intDiv(number, 153 * 12 * 26) % 10 * 3)), 'bench', now64(3), '', 1
		FROM numbers(153 * 12 * 26 * 10)`,
		`INSERT INTO demand (id, pipeline, run_id, period, geographic_level, la_code, la_name, need_code, age_min, age_max, measure, placement, count, source, fetched_at, content_hash, _version)
		SELECT concat('c/', toString(number)), 'bench', 'run-1', concat(toString(2015 + intDiv(number, 153 * 6)), toString(16 + intDiv(number, 153 * 6))),
			'Local authority', concat('E0', toString(6000000 + number % 153)), '', '', NULL, NULL, 'caseload',
			['special_independent','special_non_maintained','mainstream_la_maintained','special_la_maintained','special_total',''][intDiv(number, 153) % 6 + 1],
			toFloat64(number % 200), 'bench', now64(3), '', 1
		FROM numbers(153 * 6 * 10)`,
		`INSERT INTO capacity (id, pipeline, run_id, urn, name, la_code, provision_type, need_codes, age_min, age_max, places, number_on_roll, fetched_at, content_hash, _version)
		SELECT concat('cap/', toString(number)), 'bench', 'run-1', toString(100000 + number), concat('School ', toString(number)),
			concat('E0', toString(6000000 + number % 153)), ['special_school','resourced_provision','sen_unit'][number % 3 + 1],
			[['ASD','SEMH','SLD','MLD','PMLD','SLCN'][number % 6 + 1]], toUInt8(number % 12), toUInt8(number % 12 + 8),
			toFloat64(20 + number % 150), toFloat64(15 + number % 170), now64(3), '', 1
		FROM numbers(3000)`,
	}
	for _, s := range stmts {
		if err := w.Exec(ctx, s); err != nil {
			b.Fatalf("generate: %v", err)
		}
	}
	return w
}

// BenchmarkGapsNational times the gap analysis (the gaps verb's query, the
// snapshots current) over national-scale data on the embedded engine. Target:
// under 2 s. refresh-s is the one-off snapshot rebuild after the data changed.
func BenchmarkGapsNational(b *testing.B) {
	w := nationalScale(b)
	ctx := context.Background()
	start := time.Now()
	if err := Refresh(ctx, w); err != nil {
		b.Fatal(err)
	}
	b.Logf("snapshot refresh after the load: %.2f s", time.Since(start).Seconds())
	if _, err := EnsureFresh(ctx, w); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var rows []Row
	var err error
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rows, err = Rows(ctx, w, defaults)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/query")
	}
	b.ReportMetric(float64(len(rows)), "rows")
}

// BenchmarkGapsNationalOneLA times `gaps --la` at national scale (medians stay national).
func BenchmarkGapsNationalOneLA(b *testing.B) {
	w := nationalScale(b)
	ctx := context.Background()
	o := defaults
	o.LACode = "E06000044"
	if err := Refresh(ctx, w); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Rows(ctx, w, o); err != nil {
			b.Fatal(err)
		}
	}
}
