package official

import (
	"strings"
	"testing"
)

func TestEntityProblems(t *testing.T) {
	o, err := Compile()
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"id":"6f1c2d3e-4a5b-4c6d-8e9f-000000000001","name":"Portsmouth short breaks club","status":"active"}`
	if ps := o.EntityProblems("service", []byte(ok)); len(ps) != 0 {
		t.Errorf("conformant service: %+v", ps)
	}
	if ps := o.EntityProblems("service", []byte(`{"id":"x","name":"Club","status":"open"}`)); len(ps) == 0 {
		t.Error("a status outside the HSDS enum passed")
	}
	if ps := o.EntityProblems("widget", []byte(`{}`)); len(ps) != 1 || !strings.Contains(ps[0].Message, "unknown HSDS entity type") {
		t.Errorf("unknown type: %+v", ps)
	}
	if len(o.Entity) != len(Entities) || !o.Props["service"]["name"] {
		t.Errorf("compiled %d entity types; service properties %v", len(o.Entity), o.Props["service"])
	}
}
