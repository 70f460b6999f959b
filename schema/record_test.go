package schema

import (
	"encoding/json"
	"testing"
)

// Every kind answers id, provenance and table through the one Entity
// interface, and Record maps to and from it without losing the kind.
func TestRecordEntityRoundTrip(t *testing.T) {
	tables := map[Kind]string{
		KindService: "services", KindOrganization: "organizations", KindLocation: "locations",
		KindDemand: "demand", KindCapacity: "capacity", KindSENReport: "sen_reports", KindFeedback: "feedback",
	}
	if len(Kinds) != len(tables) || len(kinds) != len(tables) {
		t.Fatalf("Kinds has %d, kinds %d, want %d", len(Kinds), len(kinds), len(tables))
	}
	for _, k := range Kinds {
		e := k.New()
		if e == nil || e.Kind() != k {
			t.Fatalf("%s.New() = %#v", k, e)
		}
		if k.Table() != tables[k] || e.Table() != tables[k] {
			t.Errorf("%s: Table() = %q / %q, want %q", k, k.Table(), e.Table(), tables[k])
		}
		// Set the id through JSON so the test does not name each struct's field.
		if err := json.Unmarshal([]byte(`{"id":"p/`+string(k)+`"}`), e); err != nil {
			t.Fatal(err)
		}
		rec := NewRecord(e)
		if rec.Kind != k || rec.Entity() != e {
			t.Fatalf("NewRecord(%s) = kind %q entity %v", k, rec.Kind, rec.Entity())
		}
		if rec.ID() != "p/"+string(k) || rec.Table() != tables[k] {
			t.Errorf("%s: ID() = %q, Table() = %q", k, rec.ID(), rec.Table())
		}
		p := &Provenance{Pipeline: "p"}
		rec.SetProv(p)
		if rec.Prov() != p || e.Prov() != p {
			t.Errorf("%s: SetProv did not reach the entity", k)
		}
	}
}

func TestRecordWithoutEntity(t *testing.T) {
	for _, rec := range []*Record{
		nil,
		{Kind: KindService},                     // pointer missing
		{Kind: KindDemand, Service: &Service{}}, // pointer of another kind
		{Kind: "widget", Service: &Service{ID: "x"}}, // unknown kind
	} {
		if e := rec.Entity(); e != nil {
			t.Errorf("%+v: Entity() = %#v, want nil", rec, e)
		}
		if rec.ID() != "" || rec.Prov() != nil {
			t.Errorf("%+v: ID() = %q, Prov() = %v", rec, rec.ID(), rec.Prov())
		}
		if rec != nil {
			rec.SetProv(&Provenance{}) // must not panic
		}
	}
	if Kind("widget").New() != nil || Kind("widget").Table() != "" {
		t.Error("an unknown kind has an entity or a table")
	}
}

func TestSetEntityKeepsFlagsAndClearsOtherKinds(t *testing.T) {
	rec := &Record{Kind: KindService, Service: &Service{ID: "s"}, Flags: []Flag{{Flag: "no_contact"}}}
	rec.SetEntity(&Location{ID: "l"})
	if rec.Kind != KindLocation || rec.Service != nil || rec.Location == nil || len(rec.Flags) != 1 {
		t.Errorf("after SetEntity: %+v", rec)
	}
}

// The per-record path asks every record for its id, provenance and table a
// few times; the interface must stay as cheap as the switches it replaced.
func BenchmarkRecordAccessors(b *testing.B) {
	recs := []*Record{
		NewRecord(&Service{ID: "p/s", Provenance: &Provenance{Pipeline: "p"}}),
		NewRecord(&Location{ID: "p/l", Provenance: &Provenance{Pipeline: "p"}}),
		NewRecord(&SENReport{ID: "p/r", Provenance: &Provenance{Pipeline: "p"}}),
	}
	n := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := recs[i%len(recs)]
		if r.ID() != "" && r.Prov() != nil && r.Table() != "" {
			n++
		}
	}
	if n == 0 {
		b.Fatal("no record answered")
	}
}
