package spreadsheet

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/runner"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
	"github.com/localoffer/localoffer/transform"
)

var (
	leakEmail    = regexp.MustCompile(`(?i)[a-z0-9._%+-]+\s?@\s?[a-z0-9-]+\.|\b[a-z0-9._-]+\s*(?:\(at\)|\[at\]| at )\s*[a-z0-9-]+\s*(?:\(dot\)|\[dot\]| dot |\.)\s*(?:com|org|net|uk)\b`)
	leakPhone    = regexp.MustCompile(`(?:\+|\b0)\d(?:[\s().-]?\d){8,}`)
	leakPostcode = regexp.MustCompile(`(?i)\bPO\d{1,2}\s*\d[A-Z]{2}\b`)
)

// feedbackPipeline is the portsmouth-feedback pipeline of the repository's pipelines.yaml.
func feedbackPipeline(t *testing.T) (*config.Config, config.Pipeline) {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "pipelines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range cfg.Pipelines {
		if p.Name == "portsmouth-feedback" {
			return cfg, p
		}
	}
	t.Fatal("pipelines.yaml has no portsmouth-feedback pipeline")
	return nil, config.Pipeline{}
}

// TestFeedbackSampleKeepsNoPersonalData runs the sample survey export
// through the real runner and transform chain, then reads back every place a
// value could land — the feedback table, quarantine payloads, field_issues,
// run_warnings — and the blob store, looking for personal data.
func TestFeedbackSampleKeepsNoPersonalData(t *testing.T) {
	cfg, p := feedbackPipeline(t)
	c := collectorOf(t, cfg, p)
	raw, err := os.ReadFile(c.Source)
	if err != nil {
		t.Fatal(err)
	}
	if !leakEmail.Match(raw) || !leakPhone.Match(raw) || !leakPostcode.Match(raw) {
		t.Fatal("the sample should contain emails, phones and postcodes to scrub")
	}
	sh, err := transform.LoadShared(cfg)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := transform.NewChain(sh, p, cfg.Staleness, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	w := whtest.New(t)
	blobs := t.TempDir()
	client := fetch.New(fetch.Options{}, &fetch.Blobs{Dir: blobs}, nil)
	r := &runner.Runner{W: w, Fetch: client, Validator: v, ChunkRows: chunkRows, Log: slog.New(slog.DiscardHandler)}
	res := r.Run(context.Background(), runner.Job{Pipeline: p.Name, Collector: "spreadsheet", Source: c, Transform: chain})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.RecordsQuarantined != 0 {
		t.Errorf("quarantined %d comments", res.RecordsQuarantined)
	}
	n := scalar[int](t, w, `SELECT toInt32(count()) FROM feedback_current WHERE pipeline = 'portsmouth-feedback'`)
	if n < 60 || n > 120 {
		t.Errorf("comments = %d, want the sample's 60-120", n)
	}
	if a := scalar[int](t, w, `SELECT toInt32(countIf(status = 'answered' OR status = 'closed')) FROM feedback_current`); a == 0 {
		t.Error("no answered comments")
	}
	if r := scalar[int](t, w, `SELECT toInt32(sum(redactions)) FROM feedback_current`); r < 30 {
		t.Errorf("redactions = %d, want the sample's personal details replaced", r)
	}
	// Normalised like services: needs, age bands and categories are read.
	if k := scalar[int](t, w, `SELECT toInt32(countIf(has(need_codes, 'ASD'))) FROM feedback_current`); k == 0 {
		t.Error("no comment mentions autism (ASD)")
	}
	if k := scalar[int](t, w, `SELECT toInt32(countIf(has(age_bands, '11-15'))) FROM feedback_current`); k == 0 {
		t.Error("no comment placed in the 11-15 band")
	}
	if k := scalar[int](t, w, `SELECT toInt32(countIf(has(categories, 'short_breaks'))) FROM feedback_current`); k == 0 {
		t.Error("no comment in short_breaks")
	}
	texts := map[string]string{
		"feedback":     `SELECT concat(comment, ' | ', about, ' | ', response) FROM feedback`,
		"quarantine":   `SELECT payload FROM quarantine`,
		"field_issues": `SELECT concat(original_value, ' | ', repaired_value, ' | ', reason) FROM field_issues`,
		"run_warnings": `SELECT message FROM run_warnings`,
	}
	for table, q := range texts {
		rows, err := warehouse.QueryInto[struct{ S string }](context.Background(), w, strings.Replace(q, " FROM ", " AS S FROM ", 1))
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, row := range rows {
			for _, re := range []*regexp.Regexp{leakEmail, leakPhone, leakPostcode} {
				if m := re.FindString(row.S); m != "" {
					t.Errorf("%s holds personal data %q", table, m)
				}
			}
			for _, name := range []string{"Freddie", "Sarah", "Jack", "Karen", "Debbie"} {
				if regexp.MustCompile(`\b` + name + `\b`).MatchString(row.S) {
					t.Errorf("%s holds the name %s", table, name)
				}
			}
		}
	}
	// The export itself is not kept.
	filepath.WalkDir(blobs, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("blob store keeps %s", path)
		}
		return nil
	})
}

// TestFeedbackWarningsScrubbed: a cell error quoting a cell with personal
// data is recorded without it.
func TestFeedbackWarningsScrubbed(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "feedback.csv")
	data := "Timestamp,Comment\n" +
		"ring 07700 900123 or jo@example.com,My son Jack needs help\n" +
		"01/03/2025,Mrs Smith at PO4 0QR was great\n"
	if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	w := whtest.New(t)
	o := Options{Entity: "feedback", Mapping: map[string]MappingRule{
		"received_date": {Column: "Timestamp", DateFormat: "dd/mm/yyyy"}, "comment": {Column: "Comment"}}}
	res := runPipeline(t, w, "fb", src, o)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Warnings == 0 {
		t.Fatal("no warning for the bad date")
	}
	msgs, err := warehouse.QueryInto[struct{ S string }](context.Background(), w, `SELECT message AS S FROM run_warnings WHERE pipeline = 'fb'`)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.Contains(m.S, "07700") || strings.Contains(m.S, "jo@") {
			t.Errorf("warning keeps personal data: %q", m.S)
		}
		if !strings.Contains(m.S, "[phone]") {
			t.Errorf("warning %q does not show where the phone number was", m.S)
		}
	}
	// The row without a date is quarantined, scrubbed; the other is loaded, scrubbed.
	q, err := warehouse.QueryInto[struct{ S string }](context.Background(), w, `SELECT payload AS S FROM quarantine WHERE pipeline = 'fb'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || strings.Contains(q[0].S, "Jack") || !strings.Contains(q[0].S, "[name]") {
		t.Errorf("quarantine = %+v", q)
	}
	got := scalar[string](t, w, `SELECT comment FROM feedback_current WHERE pipeline = 'fb'`)
	if got != "Mrs [name] at [postcode] was great" {
		t.Errorf("comment = %q", got)
	}
}
