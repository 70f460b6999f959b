package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform/repair"
)

// funcCollector runs a function as a collector.
type funcCollector func(ctx context.Context, run *collect.Run) error

func (f funcCollector) Collect(ctx context.Context, run *collect.Run) error { return f(ctx, run) }

func realRunner(t *testing.T, w *warehouse.Warehouse) (*Runner, *schema.Validator) {
	t.Helper()
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Runner{W: w, Fetch: fetch.New(fetch.Options{}, &fetch.Blobs{Dir: t.TempDir()}, log), ChunkRows: 50, Log: log, Validator: v}, v
}

func svc(run *collect.Run, i int) *schema.Service {
	return &schema.Service{ID: fmt.Sprintf("%s/%d", run.Pipeline, i), Name: fmt.Sprintf("Service %d", i),
		Provenance: &schema.Provenance{SourceURL: "https://feed.example.org/services", FetchedAt: run.Now}}
}

func count(t *testing.T, w *warehouse.Warehouse, q string) int {
	t.Helper()
	n, err := warehouse.QueryScalar[int](context.Background(), w, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Repairs and drops load the record and land in field_issues; a record
// without a name is the only one quarantined; a rerun adds no quarantine or
// field_issues rows, it refreshes last_seen_run.
func TestRepairsDropsAndQuarantineAcrossReruns(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r, v := realRunner(t, w)
	src := funcCollector(func(ctx context.Context, run *collect.Run) error {
		for i := 1; i <= 40; i++ {
			s := svc(run, i)
			switch i {
			case 1:
				s.URL = "http:www.yateandsodburydc.co.uk"
				s.Schedules = []schema.Schedule{{ID: "sc", OpensAt: "9:00am", ClosesAt: "5 pm"}}
			case 2:
				s.Organization = &schema.Organization{ID: "dir/o2", Name: "MND Association", Website: "Motor Neurone Disease Association"}
			case 3:
				s.Name = ""
			}
			if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
				return err
			}
		}
		run.FullSweep = true
		return nil
	})
	job := Job{Pipeline: "dir", Collector: "fake", Source: src, Repair: repair.New(v, repair.Options{DefaultStatus: "active"})}
	first := r.Run(ctx, job)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	if first.RecordsLoaded != 39 || first.RecordsQuarantined != 1 || first.Status != StatusOK {
		t.Fatalf("first run: %+v", first.Run)
	}
	// 39 default_status repairs + url + two times + one dropped website.
	if first.FieldsRepaired != 42 || first.FieldsDropped != 1 || first.RecordsWithDrops != 1 {
		t.Fatalf("repaired %d, dropped %d, records with drops %d", first.FieldsRepaired, first.FieldsDropped, first.RecordsWithDrops)
	}
	if got := count(t, w, "SELECT count() FROM services_current WHERE id = 'dir/1' AND url = 'http://www.yateandsodburydc.co.uk' AND status = 'active'"); got != 1 {
		t.Error("repaired service not loaded with its repaired url and default status")
	}
	if got := count(t, w, "SELECT count() FROM field_issues FINAL WHERE record_id = 'dir/2' AND pointer = '/organization/website' AND action = 'dropped' AND rule = 'invalid_field' AND original_value = 'Motor Neurone Disease Association'"); got != 1 {
		t.Error("dropped website not in field_issues")
	}
	if got := count(t, w, "SELECT count() FROM field_issues FINAL WHERE rule = 'default_status'"); got != 39 {
		t.Errorf("%d default_status repairs recorded, want 39", got)
	}
	reason := ""
	if err := w.Query(ctx, "SELECT status_reason FROM runs FINAL WHERE run_id = "+warehouse.Quote(first.RunID), func(_ []string, row []json.RawMessage) error {
		return json.Unmarshal(row[0], &reason)
	}); err != nil || reason != "" {
		t.Errorf("status_reason of an ok run = %q (%v)", reason, err)
	}

	second := r.Run(ctx, job)
	if second.Err != nil || second.RecordsUnchanged != 39 || second.RecordsQuarantined != 1 {
		t.Fatalf("second run: %+v %v", second.Run, second.Err)
	}
	if got := count(t, w, "SELECT count() FROM quarantine FINAL WHERE pipeline = 'dir'"); got != 1 {
		t.Errorf("%d quarantine rows after two runs, want 1", got)
	}
	if got := count(t, w, fmt.Sprintf("SELECT count() FROM quarantine FINAL WHERE record_id = 'dir/3' AND first_seen_run = %s AND last_seen_run = %s",
		warehouse.Quote(first.RunID), warehouse.Quote(second.RunID))); got != 1 {
		t.Error("quarantine row does not carry first_seen_run and last_seen_run")
	}
	if got := count(t, w, "SELECT count() FROM field_issues FINAL WHERE pipeline = 'dir'"); got != 43 {
		t.Errorf("%d field_issues rows after two runs, want 43", got)
	}
	if got := count(t, w, fmt.Sprintf("SELECT count() FROM field_issues FINAL WHERE first_seen_run = %s AND run_id = %s",
		warehouse.Quote(first.RunID), warehouse.Quote(second.RunID))); got != 43 {
		t.Errorf("%d field_issues rows carry both runs, want 43", got)
	}
}

// Warnings are capped per kind in the runner (50 rows and a count) whatever
// the collector does; degrading kinds make the run degraded with the reason.
func TestWarningsCappedAndDegraded(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r, _ := realRunner(t, w)
	src := funcCollector(func(ctx context.Context, run *collect.Run) error {
		for i := 1; i <= 10; i++ {
			s := svc(run, i)
			s.Status = "active"
			if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
				return err
			}
		}
		for i := 0; i < 2963; i++ {
			run.Warning(collect.KindDanglingKey, "https://feed.example.org/services_at_location.csv", fmt.Sprint(i),
				fmt.Sprintf("service_at_location %d names location L%d, which is not in locations", i, i))
		}
		for i := 0; i < 120; i++ {
			run.Warn("https://feed.example.org/services", fmt.Sprint(i), fmt.Sprintf(`service %d: assured_date "x%d" is not a date`, i, i))
		}
		return nil
	})
	res := r.Run(ctx, Job{Pipeline: "dc", Collector: "fake", Source: src})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Status != StatusDegraded || res.StatusReason != "2963 dangling foreign keys" {
		t.Fatalf("status %q, reason %q", res.Status, res.StatusReason)
	}
	if res.Warnings != 3083 {
		t.Errorf("warnings counted %d, want 3083", res.Warnings)
	}
	if got := count(t, w, "SELECT count() FROM run_warnings WHERE pipeline = 'dc'"); got != 102 {
		t.Errorf("%d run_warnings rows, want 2 × (50 + 1 count row)", got)
	}
	if got := count(t, w, "SELECT count() FROM run_warnings WHERE pipeline = 'dc' AND kind = 'dangling_key' AND message = '2913 more warnings of this kind not recorded (2963 in all)'"); got != 1 {
		t.Error("no count row for the capped kind")
	}
	if got := count(t, w, "SELECT count() FROM runs FINAL WHERE pipeline = 'dc' AND status = 'degraded' AND status_reason = '2963 dangling foreign keys' AND warnings = 3083"); got != 1 {
		t.Error("runs row lacks the degraded status, its reason or the warning count")
	}
}

// A source that declares records and yields none fails the run; so does one
// whose records are mostly quarantined; neither counts as a full sweep.
func TestFailedStatuses(t *testing.T) {
	ctx := context.Background()
	w := whtest.New(t)
	r, v := realRunner(t, w)
	empty := funcCollector(func(ctx context.Context, run *collect.Run) error {
		run.Declare(4089)
		run.FullSweep = true
		return nil
	})
	res := r.Run(ctx, Job{Pipeline: "pkg", Collector: "fake", Source: empty})
	if res.Err == nil || res.Status != StatusFailed || res.StatusReason != "the source declares 4089 records but none arrived" || res.FullSweep {
		t.Fatalf("empty run: %+v %v", res.Run, res.Err)
	}
	mostlyBad := funcCollector(func(ctx context.Context, run *collect.Run) error {
		for i := 1; i <= 10; i++ {
			s := svc(run, i)
			if i > 4 {
				s.Name = " "
			}
			if err := run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: s}); err != nil {
				return err
			}
		}
		run.FullSweep = true
		return nil
	})
	res = r.Run(ctx, Job{Pipeline: "bad", Collector: "fake", Source: mostlyBad, Repair: repair.New(v, repair.Options{})})
	if res.Err == nil || res.Status != StatusFailed || res.FullSweep {
		t.Fatalf("mostly quarantined run: %+v %v", res.Run, res.Err)
	}
	if res.StatusReason != "6 of 10 records quarantined (60%, above quarantine_fail_share 50%)" {
		t.Errorf("reason %q", res.StatusReason)
	}
	loose := 0.7
	res = r.Run(ctx, Job{Pipeline: "bad", Collector: "fake", Source: mostlyBad, Repair: repair.New(v, repair.Options{}), FailShare: &loose})
	if res.Err != nil || res.Status != StatusDegraded {
		t.Fatalf("with quarantine_fail_share 0.7: %+v %v", res.Run, res.Err)
	}
}
