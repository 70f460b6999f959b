// Package needs maps the words sources use for special educational needs to
// the DfE need codes and the Code of Practice broad areas, with the evidence
// for every mapping. The mapping is data (needs.yaml, embedded; a copy can be
// named by transform.needs in pipelines.yaml), so it grows without code.
package needs

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/text"
	yaml "go.yaml.in/yaml/v3"
)

//go:embed needs.yaml
var builtin []byte

// Entry is one mapping: words → a need code and/or a broad area.
type Entry struct {
	Code  string   `yaml:"code"`
	Area  string   `yaml:"area"`
	Terms []string `yaml:"terms"`
	Codes []string `yaml:"codes"`
	Note  string   `yaml:"note"`
}

type file struct {
	Needs   []Entry  `yaml:"needs"`
	Exclude []string `yaml:"exclude"`
}

// Vocab is a loaded needs vocabulary. It is read-only and safe for concurrent use.
type Vocab struct {
	entries    []Entry
	text       *text.Dict // terms and exclusions: for free text
	structured *text.Dict // terms, codes and exclusions: for taxonomy terms and need lists
}

const excluded = -1

// Load reads a vocabulary file; an empty path means the built-in one.
func Load(path string) (*Vocab, error) {
	if path == "" {
		return Parse("needs.yaml (built in)", builtin)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read needs vocabulary: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a vocabulary strictly: unknown keys, unknown need codes and
// unknown broad areas are errors naming the file and entry.
func Parse(name string, data []byte) (*Vocab, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("needs vocabulary %s: %w", name, err)
	}
	if len(f.Needs) == 0 {
		//lint:ignore ST1005 the message ends with a YAML key, colon included
		return nil, fmt.Errorf("needs vocabulary %s: no entries under needs:", name)
	}
	textTerms := map[string]int{}
	structTerms := map[string]int{}
	for i, e := range f.Needs {
		if e.Code == "" && e.Area == "" {
			return nil, fmt.Errorf("needs vocabulary %s: needs[%d]: give a code or an area", name, i)
		}
		if e.Code != "" && !slices.Contains(schema.NeedCodes, e.Code) {
			return nil, fmt.Errorf("needs vocabulary %s: needs[%d]: unknown need code %q (want one of %s)", name, i, e.Code, strings.Join(schema.NeedCodes, ", "))
		}
		if e.Area != "" && !slices.Contains(schema.BroadAreas, e.Area) {
			return nil, fmt.Errorf("needs vocabulary %s: needs[%d]: unknown broad area %q (want one of %s)", name, i, e.Area, strings.Join(schema.BroadAreas, ", "))
		}
		if len(e.Terms) == 0 && len(e.Codes) == 0 {
			return nil, fmt.Errorf("needs vocabulary %s: needs[%d] (%s%s): no terms or codes", name, i, e.Code, e.Area)
		}
		for _, t := range e.Terms {
			if prev, dup := textTerms[text.Words(t)]; dup && prev != i {
				return nil, fmt.Errorf("needs vocabulary %s: term %q is in needs[%d] and needs[%d]", name, t, prev, i)
			}
			textTerms[text.Words(t)] = i
			structTerms[text.Words(t)] = i
		}
		for _, c := range e.Codes {
			structTerms[text.Words(c)] = i
		}
	}
	for _, x := range f.Exclude {
		textTerms[text.Words(x)] = excluded
		structTerms[text.Words(x)] = excluded
	}
	return &Vocab{entries: f.Needs, text: text.NewDict(textTerms), structured: text.NewDict(structTerms)}, nil
}

// Found is one need found in one field.
type Found struct {
	Code, Area string
	Field      string // where: description, taxonomy_term, need_codes, …
	Words      string // the source words that matched
	Note       string
}

var pool = sync.Pool{New: func() any { return new(text.Scratch) }}

// find appends the needs named in s. structured selects the dictionary that
// also knows bare codes.
func (v *Vocab) find(s, field string, structured bool, out []Found) []Found {
	if s == "" {
		return out
	}
	sc := pool.Get().(*text.Scratch)
	defer pool.Put(sc)
	d := v.text
	if structured {
		d = v.structured
	}
	sc.Matches = d.Find(sc.Tokenize(s), sc.Matches)
	for _, m := range sc.Matches {
		if m.Value == excluded {
			continue
		}
		e := &v.entries[m.Value]
		out = append(out, Found{Code: e.Code, Area: e.Area, Field: field, Words: s[m.Start:m.End], Note: e.Note})
	}
	return out
}

// FindText returns the needs named in free text.
func (v *Vocab) FindText(s, field string) []Found { return v.find(s, field, false, nil) }

// FindLabel returns the needs named in a structured label (a taxonomy term, a
// GIAS SEN type name), where bare codes count too.
func (v *Vocab) FindLabel(s, field string) []Found { return v.find(s, field, true, nil) }

// Normalize maps a list of need labels or codes to DfE codes, in the DfE
// order. Labels that name no need are returned in unmapped.
func (v *Vocab) Normalize(labels []string, field string) (codes []string, found []Found, unmapped []string) {
	found, unmapped = v.normalize(labels, field, nil)
	return codesOf(found), found, unmapped
}

// normalize is Normalize appending to found.
func (v *Vocab) normalize(labels []string, field string, found []Found) (_ []Found, unmapped []string) {
	for _, l := range labels {
		if c := strings.ToUpper(strings.TrimSpace(l)); slices.Contains(schema.NeedCodes, c) {
			found = append(found, Found{Code: c, Field: field, Words: l})
			continue
		}
		f := v.find(l, field, true, nil)
		if len(f) == 0 {
			unmapped = append(unmapped, l)
		}
		found = append(found, f...)
	}
	return found, unmapped
}

func codesOf(found []Found) []string {
	var out []string
	for _, c := range schema.NeedCodes {
		for _, f := range found {
			if f.Code == c {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func areasOf(found []Found, existing []string) []string {
	var out []string
	for _, a := range schema.BroadAreas {
		has := slices.Contains(existing, a)
		for _, f := range found {
			if has {
				break
			}
			has = f.Area == a || schema.NeedArea[f.Code] == a
		}
		if has {
			out = append(out, a)
		}
	}
	return out
}

// Apply sets a service's need codes and broad areas from its need list,
// taxonomy terms, name, description and eligibility, and annotates each with
// its evidence. Need-list entries that name no known need are dropped from
// need_codes and kept in an annotation, so nothing vanishes unexplained.
func (v *Vocab) Apply(s *schema.Service) {
	var buf [16]Found // what a service usually names, without growing a slice
	found, unmapped := v.normalize(s.NeedCodes, "need_codes", buf[:0])
	for _, a := range s.Attributes {
		if t := a.TaxonomyTerm; t != nil {
			found = v.find(t.Name, "taxonomy_term", true, found)
			if t.Code != "" && t.Code != t.Name {
				found = v.find(t.Code, "taxonomy_term", true, found)
			}
		}
	}
	found = v.find(s.Name, "name", false, found)
	found = v.find(s.Description, "description", false, found)
	found = v.find(s.EligibilityDescription, "eligibility_description", false, found)
	s.NeedCodes = codesOf(found)
	s.BroadAreas = areasOf(found, s.BroadAreas)
	s.Annotations = annotate(s.Annotations, found)
	for _, u := range unmapped {
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "need_codes", Value: "",
			Evidence: u, Rule: "needs: source need not in the vocabulary; dropped"})
	}
}

// annotate adds one annotation per distinct (value, field, words).
func annotate(anns []schema.Annotation, found []Found) []schema.Annotation {
	type key struct{ value, field, words string }
	seen := map[key]bool{}
	for _, f := range found {
		field, value := "need_codes", f.Code
		if f.Code == "" {
			field, value = "broad_areas", f.Area
		}
		k := key{value, f.Field, strings.ToLower(f.Words)}
		if seen[k] {
			continue
		}
		seen[k] = true
		rule := "needs: " + f.Field
		if f.Note != "" {
			rule += "; " + f.Note
		}
		anns = append(anns, schema.Annotation{Field: field, Value: value, Evidence: f.Words, Rule: rule})
	}
	return anns
}

// ApplyCodes normalises a need list held by a capacity or SEN report record.
func (v *Vocab) ApplyCodes(codes []string) []string {
	out, _, _ := v.Normalize(codes, "need_codes")
	return out
}
