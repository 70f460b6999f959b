package collecttest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// fileCollector reads one file through the fetch layer and emits a service
// named by its contents, as a real collector would.
type fileCollector struct{ url string }

func (c fileCollector) Collect(ctx context.Context, run *collect.Run) error {
	doc, err := run.Fetch.Get(ctx, c.url)
	if err != nil {
		return err
	}
	body, err := doc.Open()
	if err != nil {
		return err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	run.Warn(c.url, "svc-1", `service svc-1: url "x" is not a URL`)
	run.Warning(collect.KindMissingResource, c.url, "", "missing_resource: locations.csv")
	run.Checked(collect.Check{Name: "root_endpoint", Level: 1, Passed: true})
	run.State.Set("cursor", "2")
	return run.Emit(ctx, &schema.Record{Kind: schema.KindService, Service: &schema.Service{ID: "svc-1", Name: string(b)}})
}

func TestRecorderKeepsWhatTheCollectorDid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "name.txt")
	if err := os.WriteFile(path, []byte("Saturday club"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := New(t, "p", fetch.Options{}, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	if err := (fileCollector{url: "file://" + path}).Collect(context.Background(), rec.Run); err != nil {
		t.Fatal(err)
	}
	if s := rec.Services(); len(s) != 1 || s[0].Name != "Saturday club" {
		t.Fatalf("services = %+v", s)
	}
	w := rec.Warnings()
	if len(w) != 2 || w[0].Kind != collect.KindOf(w[0].Message) || w[0].RecordID != "svc-1" || w[1].Kind != collect.KindMissingResource {
		t.Errorf("warnings = %+v", w)
	}
	if c := rec.Checks(); len(c) != 1 || c[0].Name != "root_endpoint" {
		t.Errorf("checks = %+v", c)
	}
	if rec.State.Value("cursor") != "2" {
		t.Errorf("state cursor = %q", rec.State.Value("cursor"))
	}
}
