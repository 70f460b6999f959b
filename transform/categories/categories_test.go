package categories

import (
	"testing"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/internal/golden"
)

func TestGolden(t *testing.T) {
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	golden.Records(t, func(recs []*schema.Record) {
		for _, rec := range recs {
			r.Apply(rec.Service)
		}
	})
}

func TestParseRejectsUnknownCategory(t *testing.T) {
	if _, err := Parse("x", []byte("categories:\n  - category: fun\n    terms: [party]\n")); err == nil {
		t.Error("unknown category accepted")
	}
}
