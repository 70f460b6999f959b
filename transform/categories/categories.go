// Package categories puts services in the Local Offer categories (education,
// health, social care, preparing for adulthood, short breaks, leisure,
// information and advice, transport) from taxonomy terms, organisation types
// and text, with the evidence for each.
package categories

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/text"
	yaml "go.yaml.in/yaml/v3"
)

//go:embed categories.yaml
var builtin []byte

type entry struct {
	Category          string   `yaml:"category"`
	Terms             []string `yaml:"terms"`
	OrganizationTypes []string `yaml:"organization_types"`
}

type file struct {
	Categories []entry  `yaml:"categories"`
	Exclude    []string `yaml:"exclude"`
}

// Rules is a loaded category vocabulary, safe for concurrent use.
type Rules struct {
	cats    []string // by index
	dict    *text.Dict
	orgType map[string]int
}

const excluded = -1

// Builtin returns the embedded rules.
func Builtin() (*Rules, error) { return Parse("categories.yaml (built in)", builtin) }

// Parse decodes rules strictly; categories must be schema.Categories.
func Parse(name string, data []byte) (*Rules, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("categories %s: %w", name, err)
	}
	r := &Rules{orgType: map[string]int{}}
	terms := map[string]int{}
	for i, e := range f.Categories {
		if !slices.Contains(schema.Categories, e.Category) {
			return nil, fmt.Errorf("categories %s: categories[%d]: unknown category %q (want one of %s)", name, i, e.Category, strings.Join(schema.Categories, ", "))
		}
		r.cats = append(r.cats, e.Category)
		for _, t := range e.Terms {
			terms[t] = i
		}
		for _, o := range e.OrganizationTypes {
			r.orgType[strings.ToLower(o)] = i
		}
	}
	for _, x := range f.Exclude {
		terms[x] = excluded
	}
	r.dict = text.NewDict(terms)
	return r, nil
}

type hit struct {
	cat          int
	field, words string
}

var pool = sync.Pool{New: func() any { return new(text.Scratch) }}

func (r *Rules) find(s, field string, out []hit) []hit {
	if s == "" {
		return out
	}
	sc := pool.Get().(*text.Scratch)
	defer pool.Put(sc)
	sc.Matches = r.dict.Find(sc.Tokenize(s), sc.Matches)
	for _, m := range sc.Matches {
		if m.Value != excluded {
			out = append(out, hit{cat: m.Value, field: field, words: s[m.Start:m.End]})
		}
	}
	return out
}

// Apply sets a service's categories. Categories the source gave are kept when
// they are Local Offer categories, mapped through the terms when they are not.
// Taxonomy terms and the organisation type come first; the name and
// description are read only when those give no category, because free text
// mentions much that a service is not ("after school", "contact your GP").
func (r *Rules) Apply(s *schema.Service) {
	var hitBuf [16]hit // what a service usually has, without growing a slice
	hits := hitBuf[:0]
	var haveBuf [16]bool
	have := haveBuf[:0]
	if len(schema.Categories) > len(haveBuf) {
		have = make([]bool, 0, len(schema.Categories))
	}
	have = have[:len(schema.Categories)]
	var keep []string
	for _, c := range s.Categories {
		if i := slices.Index(schema.Categories, c); i >= 0 {
			have[i] = true
			keep = append(keep, c)
			continue
		}
		hits = r.find(c, "categories", hits)
	}
	for _, a := range s.Attributes {
		if t := a.TaxonomyTerm; t != nil {
			hits = r.find(t.Name, "taxonomy_term", hits)
		}
	}
	if o := s.Organization; o != nil {
		if i, ok := r.orgType[strings.ToLower(o.OrganizationType)]; ok {
			hits = append(hits, hit{cat: i, field: "organization_type", words: o.OrganizationType})
		}
	}
	if len(hits) == 0 && len(keep) == 0 {
		hits = r.find(s.Name, "name", hits)
		hits = r.find(s.Description, "description", hits)
	}
	type key struct {
		cat          int
		field, words string
	}
	seen := map[key]bool{}
	for _, h := range hits {
		c := r.cats[h.cat]
		ci := slices.Index(schema.Categories, c)
		k := key{h.cat, h.field, strings.ToLower(h.words)}
		if seen[k] {
			continue
		}
		seen[k] = true
		have[ci] = true
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "categories", Value: c, Evidence: h.words, Rule: "categories: " + h.field})
	}
	var out []string
	for i, c := range schema.Categories {
		if have[i] {
			out = append(out, c)
		}
	}
	s.Categories = out
}
