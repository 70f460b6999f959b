package spreadsheet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func examplePath(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "examples"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("example file: %v (regenerate with go run ./collectors/spreadsheet/internal/samples/gen)", err)
	}
	return p
}

func TestGIASSample(t *testing.T) {
	w := whtest.New(t)
	res := runPipeline(t, w, "gias", examplePath(t, "gias", "edubasealldata_portsmouth.csv"), Options{Preset: "gias"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.RecordsQuarantined != 0 || res.Warnings != 0 {
		t.Errorf("quarantined %d, warnings %d; want none", res.RecordsQuarantined, res.Warnings)
	}
	checks := []struct {
		name, q string
		want    int
	}{
		{"schools", `SELECT toInt32(count()) FROM organizations_current WHERE pipeline = 'gias' AND organization_type = 'school' AND la_code = 'E06000044'`, 20},
		{"located in Portsmouth", `SELECT toInt32(count()) FROM locations_current WHERE pipeline = 'gias' AND latitude BETWEEN 50.77 AND 50.86 AND longitude BETWEEN -1.12 AND -1.03 AND la_code_old = '851' AND ward_code LIKE 'E05%' AND lsoa_code LIKE 'E01%'`, 20},
		{"special school capacity", `SELECT toInt32(count()) FROM capacity WHERE pipeline = 'gias' AND provision_type = 'special_school' AND places > 0 AND number_on_roll > 0`, 2},
		{"resourced provision", `SELECT toInt32(count()) FROM capacity WHERE pipeline = 'gias' AND provision_type = 'resourced_provision'`, 2},
		{"sen unit", `SELECT toInt32(count()) FROM capacity WHERE pipeline = 'gias' AND provision_type = 'sen_unit' AND places = 10 AND number_on_roll = 11`, 1},
		{"sen provision services", `SELECT toInt32(count()) FROM services_current WHERE pipeline = 'gias' AND has(need_codes, 'ASD') + has(need_codes, 'HI') = 1 AND postcode LIKE 'PO%'`, 2},
		{"closed school kept, no capacity", `SELECT toInt32(count()) FROM schools WHERE pipeline = 'gias' AND establishment_status = 'Closed' AND close_date = '2023-08-31'
			AND id NOT IN (SELECT organization_id FROM capacity)`, 1},
		{"latin-1 decoded", `SELECT toInt32(count()) FROM organizations_current WHERE name = 'St Jude’s Church of England Primary School'`, 1},
		{"identifiers", `SELECT toInt32(count()) FROM organizations_current WHERE has(identifiers, 'GB-URN:116217') AND has(identifiers, 'GB-UKPRN:10070017')`, 1},
		{"special school needs", `SELECT toInt32(count()) FROM capacity WHERE urn = '116217' AND need_codes = ['SLD', 'PMLD', 'ASD'] AND age_min = 2 AND age_max = 19`, 1},
		{"schools view ages", `SELECT toInt32(count()) FROM schools WHERE statutory_low_age = 4 AND statutory_high_age = 11 AND phase_of_education = 'Primary'`, 7},
	}
	for _, c := range checks {
		if got := scalar[int](t, w, c.q); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

// GIAS columns drift between releases: optional ones may go missing; the
// key columns may not.
func TestGIASColumns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w := whtest.New(t)
	// A trimmed release: no easting/northing, no SEN columns; one row has no
	// URN (quarantined), one a bad date (warned, loaded).
	trimmed := write("edubasealldata20250101.csv", "URN,LA (code),EstablishmentName,EstablishmentStatus (name),OpenDate,Postcode\r\n"+
		"116301,851,Wymering Primary School,Open,01-09-1988,po6 3aa\r\n"+
		",851,Unnumbered School,Open,,PO6 3AB\r\n"+
		"116303,851,Drayton Infant School,Open,31-02-1990,PO6 2AA\r\n")
	res := runPipeline(t, w, "gias", trimmed, Options{Preset: "gias"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.RecordsQuarantined != 1 {
		t.Errorf("quarantined = %d, want the row without a URN", res.RecordsQuarantined)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM locations_current WHERE postcode = 'PO6 3AA' AND la_code = 'E06000044'`); n != 1 {
		t.Errorf("normalised postcode / LA from DfE code: %d rows", n)
	}
	msgs := scalar[string](t, w, `SELECT arrayStringConcat(groupArray(message), ' | ') FROM run_warnings WHERE pipeline = 'gias'`)
	for _, want := range []string{`row 3, column "URN"`, `row 4, column "OpenDate": not a date in dd-mm-yyyy: "31-02-1990"`} {
		if !strings.Contains(msgs, want) {
			t.Errorf("warnings %q lack %q", msgs, want)
		}
	}
	noName := write("edubasealldata_broken.csv", "URN,LA (code),SchoolName\r\n116301,851,Wymering\r\n")
	res = runPipeline(t, w, "gias2", noName, Options{Preset: "gias"})
	if res.Err == nil || !strings.Contains(res.Err.Error(), `column "EstablishmentName" is not in the file; its columns are: "URN", "LA (code)", "SchoolName"`) ||
		!strings.Contains(res.Err.Error(), "edubasealldata_broken.csv") {
		t.Fatalf("err = %v", res.Err)
	}
}

// providerCollector is the collector of the providers example's pipeline.
func providerCollector(t testing.TB) (*Collector, string) {
	t.Helper()
	cfg, err := config.Load(examplePath(t, "providers", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return collectorOf(t, cfg, cfg.Pipelines[0]), cfg.Pipelines[0].Name
}

// collectorOf decodes a spreadsheet pipeline's options as cmd/localoffer does.
func collectorOf(t testing.TB, cfg *config.Config, p config.Pipeline) *Collector {
	t.Helper()
	var s struct {
		Type    string  `yaml:"type"`
		URL     string  `yaml:"url"`
		Path    string  `yaml:"path"`
		Options Options `yaml:",inline"`
	}
	if errs := cfg.DecodeCollector(&p, &s); len(errs) > 0 {
		t.Fatal(errs)
	}
	s.Options.SetDefaults()
	if errs := s.Options.Validate(); len(errs) > 0 {
		t.Fatalf("%+v", errs)
	}
	src := s.URL
	if src == "" {
		src = s.Path
	}
	return New(cfg.Resolve(src), s.Options, p.Area)
}

func TestDemandSamples(t *testing.T) {
	w := whtest.New(t)
	for _, p := range []struct{ name, file, preset string }{
		{"ehcp_needs", "sen_needs_all_plans.csv", "dfe_ehcp_needs"},
		{"ehcp_caseload", "caseload.csv", "dfe_ehcp_caseload"},
	} {
		res := runPipeline(t, w, p.name, examplePath(t, "demand", p.file), Options{Preset: p.preset})
		if res.Err != nil || res.RecordsQuarantined != 0 {
			t.Fatalf("%s: err %v, quarantined %d", p.name, res.Err, res.RecordsQuarantined)
		}
	}
	if n := scalar[int](t, w, `SELECT toInt32(uniqExact(period)) FROM demand_all_ages WHERE la_code = 'E06000044' AND measure = 'all_plans' AND need_code = '' AND count > 0`); n != 5 {
		t.Errorf("Portsmouth periods = %d, want 5", n)
	}
	if n := scalar[int](t, w, `SELECT toInt32(count()) FROM demand WHERE la_code = 'E06000044' AND age_min = 0 AND age_max = 2 AND need_code = 'ASD'`); n != 5 {
		t.Errorf("Portsmouth under-3 ASD rows = %d, want 5", n)
	}
	if n := scalar[int](t, w, `SELECT toInt32(countIf(count IS NULL)) FROM demand WHERE la_code = 'E06000044'`); n == 0 {
		t.Error("the sample's suppressed cells should load as NULL")
	}
	// Placements add up to the caseload total in every period (no subtotal double counting).
	if n := scalar[int](t, w, `SELECT toInt32(countIf(placed != total)) FROM (
		SELECT period, la_code, sumIf(ifNull(count, 0), placement != '') AS placed, sumIf(count, placement = '') AS total
		FROM demand_all_ages WHERE measure = 'caseload' AND geographic_level = 'National' GROUP BY period, la_code)`); n != 0 {
		t.Errorf("%d periods where national placements do not add up", n)
	}
}
