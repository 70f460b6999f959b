package senreports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/collect/collecttest"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/schema"
)

// A GIAS edubasealldata extract as GIAS publishes it: latin-1, many columns,
// websites with and without a scheme, closed schools, other LAs.
var giasRows = [][]string{
	{"URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)", "EstablishmentStatus (code)",
		"EstablishmentStatus (name)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "Street", "Locality", "Town", "Postcode", "SchoolWebsite", "TelephoneNum"},
	{"116246", "851", "Portsmouth", "2001", "St Anselm's CofE Primary School", "Voluntary aided school", "1", "Open", "Primary", "4", "11",
		"Landport Terrace", "Southsea", "Portsmouth", "PO1 2PL", "www.stjudes.example.sch.uk", "02392824525"},
	{"143791", "851", "Portsmouth", "4001", "Mayfield Down School", "Academy converter", "1", "Open", "All-through", "4", "16",
		"Mayfield Road", "North End", "Portsmouth", "PO2 0RH", "http://www.mayfield.example.sch.uk/", "02392693432"},
	{"116300", "851", "Portsmouth", "2099", "Café Closed Infant School", "Community school", "2", "Closed", "Primary", "4", "7",
		"", "", "Portsmouth", "PO3 5AA", "", ""},
	{"116000", "850", "Hampshire", "2000", "Elsewhere Primary School", "Community school", "1", "Open", "Primary", "4", "11",
		"", "", "Winchester", "SO23 8UJ", "www.elsewhere.example.sch.uk", ""},
}

func writeGIASCSV(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, r := range giasRows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",'") {
				c = `"` + c + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "edubasealldata20260101.csv")
	if err := os.WriteFile(p, []byte(latin1), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeGIASXLSX(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range giasRows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "gias.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSchoolsFromGIAS(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(*testing.T) string
	}{{"csv latin-1", writeGIASCSV}, {"xlsx", writeGIASXLSX}} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{SchoolsFrom: tc.path(t), LACodes: []string{"851"}, Statuses: []string{"Open"}})
			schools, err := c.loadSchools(context.Background(), testSession(t, fetch.Options{}), func(_, _, msg string) { t.Log(msg) })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range schools {
				got = append(got, s.URN+" "+s.Name+" "+s.URL)
			}
			want := []string{"116246 St Anselm's CofE Primary School www.stjudes.example.sch.uk", "143791 Mayfield Down School http://www.mayfield.example.sch.uk/"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("schools %q, want %q (closed and other-LA schools filtered)", got, want)
			}
			s := schools[0]
			if *s.MinAge != 4 || *s.MaxAge != 11 || s.Postcode != "PO1 2PL" || s.LACode != "851" {
				t.Errorf("school fields %+v", s)
			}
		})
	}
}

// TestCollectEmitsEveryRecord runs Collect over several file:// sites at once.
func TestCollectEmitsEveryRecord(t *testing.T) {
	site := copySite(t, "testdata/golden/url-date")
	gias := writeGIASCSV(t)
	c := New(Options{
		Sites:       nil,
		SchoolsFrom: gias, LACodes: []string{"851"}, SiteConcurrency: 4, SiteTimeout: 10 * time.Second,
		Area: "E06000044",
	})
	c.opts.Sites = append(c.opts.Sites, siteConfig("900001", "Eastney Shore Primary School", site+"/input.html"))
	var mu sync.Mutex
	var recs []*schema.Record
	run := &collect.Run{
		Pipeline: "portsmouth-sen", RunID: "r1", Now: goldenNow, Fetch: testSession(t, fetch.Options{PerHostRPS: -1}),
		Log: discardLog(), State: collecttest.NewState(), Warn: func(_, _, msg string) { t.Log(msg) },
		Emit: func(_ context.Context, r *schema.Record) error {
			mu.Lock()
			defer mu.Unlock()
			recs = append(recs, r)
			return nil
		},
	}
	if err := c.Collect(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	if !run.FullSweep {
		t.Error("FullSweep not set after walking every school")
	}
	kinds := map[schema.Kind]int{}
	byID := map[string]*schema.Record{}
	for _, r := range recs {
		kinds[r.Kind]++
		byID[r.ID()] = r
	}
	if kinds[schema.KindSENReport] != 3 || kinds[schema.KindService] != 3 || kinds[schema.KindOrganization] != 3 || kinds[schema.KindLocation] != 3 {
		t.Fatalf("record kinds %v, want 3 of each (1 site + 2 open Portsmouth schools)", kinds)
	}
	found := byID["portsmouth-sen/900001"]
	if found == nil || !found.SENReport.Found || found.SENReport.LACode != "E06000044" || found.SENReport.Provenance.DocumentSHA256 == "" {
		t.Fatalf("file:// site report %+v", found)
	}
	// GIAS websites here do not resolve: recorded as unreachable, never fatal.
	dead := byID["portsmouth-sen/116246"]
	if dead == nil || dead.SENReport.Found || !strings.Contains(dead.SENReport.Problem, "no such host www.stjudes.example.sch.uk") || dead.Flags[len(dead.Flags)-1].Flag != "site_unreachable" {
		t.Fatalf("unreachable GIAS site: %+v", dead)
	}
	loc := byID["portsmouth-sen/loc/116246"].Location
	if loc.LACodeOld != "851" || loc.Addresses[0].PostalCode != "PO1 2PL" {
		t.Errorf("location %+v", loc)
	}
	org := byID["portsmouth-sen/org/143791"].Organization
	if org.OrganizationType != "school" || org.OrganizationIdentifiers[0].IdentifierScheme != "GB-URN" || org.OrganizationIdentifiers[0].Identifier != "143791" {
		t.Errorf("organization %+v", org)
	}
}
