package areas

import (
	"strings"
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

const samplePath = "../../examples/postcodes/portsmouth_onspd_sample.csv"

func sample(t testing.TB) *Lookup {
	t.Helper()
	l, err := LoadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestGolden(t *testing.T) {
	c := &Coder{Lookup: sample(t), Default: "E06000044"}
	golden.Records(t, func(recs []*schema.Record) {
		for _, r := range recs {
			c.Apply(r)
		}
	})
}

func TestLoadOldColumnNames(t *testing.T) {
	// A 2011-era ONSPD extract: oslaua/osward/lsoa11 names, a BOM, a terminated
	// postcode and the unspaced pcd column before pcds.
	csv := "\ufeffpcd,pcds,dointr,doterm,oslaua,osward,lsoa01,lsoa11,lat,long\n" +
		"PO4 8LJ,PO4 8LJ,198001,,E06000044,E05002450,E01000001,E01017181,50.78,-1.05\n" +
		"PO4 8ZZ,PO4 8ZZ,198001,200012,E06000044,E05002450,E01000001,E01017181,50.78,-1.05\n"
	l, err := Load(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	a, ok := l.Postcode("po48lj")
	if !ok || a.LA != "E06000044" || a.Ward != "E05002450" || a.LSOA != "E01017181" {
		t.Errorf("PO4 8LJ = %+v, %v", a, ok)
	}
	if _, ok := l.Postcode("PO4 8ZZ"); ok {
		t.Error("terminated postcode PO4 8ZZ was loaded")
	}
	if l.Len() != 1 {
		t.Errorf("Len = %d, want 1", l.Len())
	}
}

func TestLoadRejectsWithoutColumns(t *testing.T) {
	if _, err := Load(strings.NewReader("postcode_district,count\nPO4,12\n")); err == nil {
		t.Error("a CSV without an LA column loaded")
	}
}

// The lookup is read by the shared CSV reader, so a hostile field is refused
// with its line rather than held whole in memory.
func TestLoadRefusesAnOversizedField(t *testing.T) {
	huge := strings.Repeat("x", 2<<20)
	_, err := Load(strings.NewReader("pcds,oslaua,lat,long\nPO1 2AB,E06000044,50.8,-1.09\nPO1 2AC,\"" + huge + "\",50.8,-1.09\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("Load = %v, want an error naming line 3", err)
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"po40ge": "PO4 0GE", " PO1  2AB": "PO1 2AB", "sw1a1aa": "SW1A 1AA", "EC1A 1BB": "EC1A 1BB"} {
		if got, ok := Normalize(in); !ok || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "PO4", "12345", "PO4 0G", "PO4-0GE", "PORTSMOUTH"} {
		if got, ok := Normalize(bad); ok {
			t.Errorf("Normalize(%q) = %q, accepted", bad, got)
		}
	}
}

func TestNearest(t *testing.T) {
	l := sample(t)
	a, d, ok := l.Nearest(50.778188, -1.052144)
	if !ok || a.Postcode != "PO4 0AA" || d > 1 {
		t.Errorf("Nearest at PO4 0AA's centroid = %+v, %.0f m, %v", a, d, ok)
	}
	if a, _, ok := l.Nearest(50.70, -1.10); ok {
		t.Errorf("a point in the Solent took area %+v", a)
	}
	if _, _, ok := l.Nearest(99.999999, 0); ok {
		t.Error("the ONSPD no-grid-reference point took an area")
	}
}

func BenchmarkService(b *testing.B) {
	c := &Coder{Lookup: sample(b), Default: "E06000044"}
	b.ReportAllocs()
	for b.Loop() {
		s := schema.Service{ServiceAtLocations: []schema.ServiceAtLocation{{Location: &schema.Location{
			Addresses: []schema.Address{{PostalCode: "po4 0ge"}}}}}}
		c.Service(&s)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
