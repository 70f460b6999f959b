package repair

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/localoffer/localoffer/schema"
)

// Validator is what Drop needs of schema.Validator: the problems of a record
// and the compiled schema of its kind (to know which fields are required).
type Validator interface {
	Validate(rec *schema.Record) []schema.Problem
	Schema(k schema.Kind) *jsonschema.Schema
}

// Repairer is one pipeline's repair step; it satisfies runner.Repairer.
type Repairer struct {
	v    Validator
	opts Options
}

// New returns the repair step of a pipeline.
func New(v Validator, o Options) *Repairer { return &Repairer{v: v, opts: o} }

// Repair applies the explicit rules (see the package comment).
func (r *Repairer) Repair(rec *schema.Record) []schema.FieldIssue { return Repair(rec, r.opts) }

// maxRounds bounds validate → drop → validate: dropping a field can only
// remove problems, so a second round is rare and a third is a safeguard.
const maxRounds = 3

// Drop removes from the record what failed validation: the field, or the
// nested object (location, contact, phone…) or list item it belongs to when
// the failing field is one that object requires. It returns the drops and the
// problems that remain; remaining problems mean the record has no usable
// identity (an id or a name, or another field its kind cannot be without) and
// is left as it was, for quarantine.
func (r *Repairer) Drop(rec *schema.Record, problems []schema.Problem) ([]schema.FieldIssue, []schema.Problem) {
	if len(problems) == 0 || rec == nil || rec.Entity() == nil {
		return nil, problems
	}
	root := r.v.Schema(rec.Kind)
	if root == nil {
		return nil, problems
	}
	original, err := json.Marshal(rec.Entity())
	if err != nil {
		return nil, problems
	}
	tree, err := decode(original)
	if err != nil {
		return nil, problems
	}
	var issues []schema.FieldIssue
	tried := map[string]string{} // required fields dropped alone in an earlier round → their original value
	for round := 0; round < maxRounds && len(problems) > 0; round++ {
		targets, ok := dropTargets(root, problems, tried)
		if !ok || len(targets) == 0 {
			break
		}
		for _, t := range targets {
			v, found := remove(tree, t.tokens)
			if !found {
				continue
			}
			if t.rule == RuleInvalidObject {
				// The object goes whole: its fields tried alone are not issues of their own.
				kept := issues[:0]
				for _, is := range issues {
					if !strings.HasPrefix(is.Pointer, t.pointer+"/") {
						kept = append(kept, is)
					}
				}
				issues = kept
			}
			if t.required {
				tried[t.pointer] = display(v)
			}
			issues = append(issues, schema.FieldIssue{Pointer: t.pointer, Original: display(v), Action: schema.ActionDropped,
				Rule: t.rule, Reason: t.reason})
		}
		if err := setEntity(rec, tree); err != nil {
			break
		}
		problems = r.v.Validate(rec)
	}
	if len(problems) > 0 {
		// What could not be made valid goes to quarantine as it arrived.
		restore(rec, original)
		return nil, problems
	}
	return issues, nil
}

type target struct {
	pointer  string
	tokens   []string
	rule     string
	reason   string
	required bool // a field its object requires, dropped alone to see whether empty will do
}

// dropTargets decides what each problem removes. ok is false when a problem
// touches the record's identity: the root, or a field the record itself
// requires (id, name, …), so dropping cannot help. A field a nested object
// requires is first dropped alone (an empty country or type may be allowed:
// unknown, not invented); if it still fails (tried), its object goes.
func dropTargets(root *jsonschema.Schema, problems []schema.Problem, tried map[string]string) ([]target, bool) {
	byPointer := map[string]target{}
	for _, p := range problems {
		toks := tokens(p.Pointer)
		t := target{rule: RuleInvalidField, reason: p.Message}
		switch {
		case len(toks) == 0:
			return nil, false
		case strings.HasPrefix(p.Message, "missing required"):
			// The object at the pointer lacks a field it must have.
			t.tokens, t.rule = toks, RuleInvalidObject
		case strings.Contains(p.Message, " is above ") || strings.Contains(p.Message, " more than the maximum "):
			// Ends of a range the wrong way round: neither end can be trusted.
			t.tokens, t.rule = toks, RuleInvalidRange
			if other := rangePartner(toks[len(toks)-1]); other != "" {
				pt := append(append([]string{}, toks[:len(toks)-1]...), other)
				byPointer[pointerOf(pt)] = target{pointer: pointerOf(pt), tokens: pt, rule: RuleInvalidRange, reason: p.Message}
			}
		default:
			parent, last := walk(root, toks[:len(toks)-1]), toks[len(toks)-1]
			switch {
			case parent == nil:
				t.tokens = toks
			case isIndex(last) && parent.Items2020 != nil:
				t.tokens, t.rule = toks, RuleInvalidItem
				if len(deref(parent.Items2020).Properties) > 0 {
					t.rule = RuleInvalidObject
				}
			case contains(parent.Required, last) && len(toks) == 1:
				return nil, false // the record's own required field: its identity
			case contains(parent.Required, last):
				if _, again := tried[p.Pointer]; again {
					// Empty would not do either: the whole object goes.
					t.tokens, t.rule = toks[:len(toks)-1], RuleInvalidObject
				} else {
					t.tokens, t.required = toks, true
				}
			default:
				t.tokens = toks
			}
		}
		if len(t.tokens) == 0 || (len(t.tokens) == 1 && contains(deref(root).Required, t.tokens[0])) {
			return nil, false
		}
		t.pointer = pointerOf(t.tokens)
		if prev, dup := byPointer[t.pointer]; dup {
			prev.reason += "; " + t.reason
			byPointer[t.pointer] = prev
			continue
		}
		byPointer[t.pointer] = t
	}
	// Outer targets swallow inner ones; array items go from the highest
	// index down so earlier removals do not shift later pointers.
	out := make([]target, 0, len(byPointer))
	for _, t := range byPointer {
		inner := false
		for _, o := range byPointer {
			if o.pointer != t.pointer && strings.HasPrefix(t.pointer, o.pointer+"/") {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessDesc(out[i].tokens, out[j].tokens) })
	return out, true
}

// lessDesc orders pointers so a later array index comes first.
func lessDesc(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		ai, aerr := strconv.Atoi(a[i])
		bi, berr := strconv.Atoi(b[i])
		if aerr == nil && berr == nil {
			return ai > bi
		}
		return a[i] < b[i]
	}
	return len(a) > len(b)
}

func rangePartner(field string) string {
	switch field {
	case "minimum_age":
		return "maximum_age"
	case "age_min":
		return "age_max"
	case "available":
		return "" // places available above the maximum: the maximum may be right
	}
	return ""
}

// walk follows tokens through a compiled schema; nil when it cannot.
func walk(s *jsonschema.Schema, toks []string) *jsonschema.Schema {
	s = deref(s)
	for _, t := range toks {
		if s == nil {
			return nil
		}
		if isIndex(t) && s.Items2020 != nil {
			s = deref(s.Items2020)
			continue
		}
		s = deref(s.Properties[t])
	}
	return s
}

func deref(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != nil && i < 16; i++ {
		if len(s.Properties) > 0 || s.Items2020 != nil {
			return s
		}
		s = s.Ref
	}
	return s
}

func isIndex(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// tokens splits an RFC 6901 pointer.
func tokens(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts
}

func pointerOf(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// remove deletes the value at toks from the tree and returns it.
func remove(tree any, toks []string) (any, bool) {
	parent := tree
	for _, t := range toks[:len(toks)-1] {
		switch p := parent.(type) {
		case map[string]any:
			parent = p[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(p) {
				return nil, false
			}
			parent = p[i]
		default:
			return nil, false
		}
	}
	last := toks[len(toks)-1]
	switch p := parent.(type) {
	case map[string]any:
		v, ok := p[last]
		delete(p, last)
		return v, ok
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return nil, false
		}
		v := p[i]
		// Shift in place: the slice header in the parent map or list keeps
		// its length, so mark the gap and compact below.
		copy(p[i:], p[i+1:])
		p[len(p)-1] = removed{}
		return v, true
	}
	return nil, false
}

// removed marks a list slot emptied by remove; compact drops it.
type removed struct{}

func compact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = compact(e)
		}
		return x
	case []any:
		out := x[:0]
		for _, e := range x {
			if _, gone := e.(removed); gone {
				continue
			}
			out = append(out, compact(e))
		}
		return out
	}
	return v
}

// setEntity decodes the tree into a fresh entity of the record's kind.
func setEntity(rec *schema.Record, tree any) error {
	b, err := json.Marshal(compact(tree))
	if err != nil {
		return err
	}
	return restore(rec, b)
}

func restore(rec *schema.Record, b []byte) error {
	e := rec.Kind.New()
	if e == nil {
		return fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	if err := json.Unmarshal(b, e); err != nil {
		return err
	}
	rec.SetEntity(e)
	return nil
}

// maxOriginal bounds the original value kept for a dropped object.
const maxOriginal = 4096

// display renders a dropped value: strings as they were, anything else as JSON.
func display(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(compact(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > maxOriginal {
		return string(b[:maxOriginal]) + "…"
	}
	return string(b)
}
