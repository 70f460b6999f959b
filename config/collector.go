package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// DecodeCollector decodes a pipeline's collector: section strictly into out
// (a struct with yaml tags, usually a collector's Options): a key out does
// not have is refused, naming the key's line in the file and its field.
func (c *Config) DecodeCollector(p *Pipeline, out any) Errors {
	n := p.Collector.Node
	if n == nil {
		return Errors{c.CollectorError(p, "type", "required")}
	}
	// yaml.v3 checks known fields only when decoding text, and re-encoded
	// text has other line numbers: errors are mapped back through a parallel
	// walk of the re-parsed tree and the original one.
	text, err := yaml.Marshal(n)
	if err != nil {
		return Errors{{File: c.File, Line: n.Line, Field: p.Field() + ".collector", Msg: err.Error()}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	err = dec.Decode(out)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var again yaml.Node
	lines := map[int]int{}
	if yaml.Unmarshal(text, &again) == nil && len(again.Content) == 1 {
		pairLines(again.Content[0], n, lines)
	}
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var errs Errors
	for _, m := range msgs {
		e := parseYAMLMsg(c.File, lineRef.ReplaceAllStringFunc(m, func(ref string) string {
			l, _ := strconv.Atoi(lineRef.FindStringSubmatch(ref)[1])
			if orig, ok := lines[l]; ok {
				l = orig
			}
			return "line " + strconv.Itoa(l)
		}))
		if nf := notFoundAny.FindStringSubmatch(m); nf != nil {
			e.Field = p.Field() + ".collector." + nf[1]
			e.Msg = fmt.Sprintf("not an option of collector type %q", p.Collector.Type)
		} else if e.Field == "(value)" || e.Field == "(syntax)" {
			e.Field = p.Field() + ".collector"
		}
		errs = append(errs, e)
	}
	return errs
}

var lineRef = regexp.MustCompile(`line (\d+)`)

// notFoundAny matches yaml.v3's unknown-field message in any package's type.
var notFoundAny = regexp.MustCompile(`field (\S+) not found in type`)

// pairLines maps each line of the re-parsed tree a to the line of the same
// node in the original tree b.
func pairLines(a, b *yaml.Node, lines map[int]int) {
	if _, ok := lines[a.Line]; !ok {
		lines[a.Line] = b.Line
	}
	if len(a.Content) != len(b.Content) {
		return
	}
	for i := range a.Content {
		pairLines(a.Content[i], b.Content[i], lines)
	}
}

// CollectorError is a problem with one collector option, at its key's line
// (the pipeline's line when the key is absent).
func (c *Config) CollectorError(p *Pipeline, key, msg string) *Error {
	return &Error{File: c.File, Line: p.KeyLine(key), Field: p.Field() + ".collector." + key, Msg: msg}
}
