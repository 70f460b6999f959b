package schema

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaJSON is localoffer's own JSON Schema (draft 2020-12) for every record kind.
//
//go:embed localoffer.schema.json
var SchemaJSON []byte

// SchemaID is the $id of SchemaJSON; each record kind is at #/$defs/<kind>.
const SchemaID = "https://localoffer.github.io/schema/localoffer.schema.json"

// Validator checks records against the embedded schema. It is compiled once
// and safe for concurrent use.
type Validator struct {
	kinds map[Kind]*Checker
}

// NewValidator compiles the embedded schema.
func NewValidator() (*Validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("parse embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("add embedded schema: %w", err)
	}
	v := &Validator{kinds: map[Kind]*Checker{}}
	for _, k := range Kinds {
		s, err := c.Compile(SchemaID + "#/$defs/" + string(k))
		if err != nil {
			return nil, fmt.Errorf("compile schema for %s: %w", k, err)
		}
		v.kinds[k] = NewChecker(s)
	}
	return v, nil
}

// Schema is the compiled schema of a record kind, or nil.
func (v *Validator) Schema(k Kind) *jsonschema.Schema {
	if c := v.kinds[k]; c != nil {
		return c.Schema()
	}
	return nil
}

// Validate returns the record's problems; none means valid.
func (v *Validator) Validate(rec *Record) []Problem {
	problems, _ := v.ValidateJSON(rec)
	return problems
}

// ValidateJSON is Validate that also returns the JSON it checked (the entity
// as json.Marshal writes it; nil when there was none), so the loader can
// derive the record's content from the same bytes instead of encoding it again.
func (v *Validator) ValidateJSON(rec *Record) ([]Problem, []byte) {
	if rec == nil {
		return []Problem{{Pointer: "", Message: "no record"}}, nil
	}
	sch := v.kinds[rec.Kind]
	if sch == nil {
		return []Problem{{Pointer: "", Message: fmt.Sprintf("unknown record kind %q", rec.Kind)}}, nil
	}
	ent := rec.Entity()
	if ent == nil {
		return []Problem{{Pointer: "", Message: fmt.Sprintf("%s record carries no %s", rec.Kind, rec.Kind)}}, nil
	}
	b, err := encodeEntity(ent)
	if err != nil {
		return []Problem{{Pointer: "", Message: fmt.Sprintf("encode %s: %v", rec.Kind, err)}}, nil
	}
	return append(sch.ProblemsJSON(b), crossChecks(ent)...), b
}

// crossChecks are rules JSON Schema cannot say: ranges that must be ordered.
// The switch stays because each kind has its own fields to compare.
func crossChecks(e Entity) []Problem {
	var out []Problem
	switch s := e.(type) {
	case *Service:
		if s.MinimumAge != nil && s.MaximumAge != nil && *s.MinimumAge > *s.MaximumAge {
			out = append(out, Problem{"/minimum_age", fmt.Sprintf("minimum_age %g is above maximum_age %g", *s.MinimumAge, *s.MaximumAge)})
		}
		if c := s.Capacity; c != nil && c.Available != nil && c.Maximum != nil && *c.Available > *c.Maximum {
			out = append(out, Problem{"/capacity/available", fmt.Sprintf("%g places available is more than the maximum %g", *c.Available, *c.Maximum)})
		}
	case *Demand:
		if s.AgeMin != nil && s.AgeMax != nil && *s.AgeMin > *s.AgeMax {
			out = append(out, Problem{"/age_min", fmt.Sprintf("age_min %d is above age_max %d", *s.AgeMin, *s.AgeMax)})
		}
	case *Capacity:
		if s.AgeMin != nil && s.AgeMax != nil && *s.AgeMin > *s.AgeMax {
			out = append(out, Problem{"/age_min", fmt.Sprintf("age_min %d is above age_max %d", *s.AgeMin, *s.AgeMax)})
		}
	}
	return out
}

var printer = message.NewPrinter(language.English)

// Problems flattens a jsonschema validation error into one Problem per
// failing leaf (JSON pointer of the value + message), sorted by pointer.
// Other errors become a single problem at the root.
func Problems(err error) []Problem {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Problem{{Pointer: "", Message: err.Error()}}
	}
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, Problem{Pointer: pointer(e.InstanceLocation), Message: message1(e)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return dedupe(out)
}

func message1(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		// Name the missing field in the pointer's words, not the parent's.
		return "missing required " + plural("field", len(k.Missing)) + " " + strings.Join(quoteAll(k.Missing), ", ")
	case *kind.AdditionalProperties:
		return "unknown " + plural("field", len(k.Properties)) + " " + strings.Join(quoteAll(k.Properties), ", ")
	}
	return e.ErrorKind.LocalizedString(printer)
}

func plural(w string, n int) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

func dedupe(ps []Problem) []Problem {
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// pointer renders instance location tokens as an RFC 6901 JSON pointer.
func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}
