package match

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Decisions are human judgements that override the matcher: pairs of record
// ids (namespaced, as in the warehouse) that are the same entity, and pairs
// that are not. They are kept in a file (transform.matches) so they survive
// every re-sync.
type Decisions struct {
	Same      [][2]string
	Different [][2]string
}

type decisionsFile struct {
	Same      [][]string `yaml:"same"`
	Different [][]string `yaml:"different"`
}

// LoadDecisions reads a matches.yaml file strictly: unknown keys, pairs that
// are not two distinct ids, and a pair listed as both same and different are
// errors naming the entry.
func LoadDecisions(path string) (Decisions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Decisions{}, fmt.Errorf("read match decisions: %w", err)
	}
	d, err := ParseDecisions(data)
	if err != nil {
		return Decisions{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// ParseDecisions decodes matches.yaml content (see LoadDecisions).
func ParseDecisions(data []byte) (Decisions, error) {
	var f decisionsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Decisions{}, err
	}
	var d Decisions
	seen := map[[2]string]string{}
	var errs []error
	for _, list := range []struct {
		name  string
		pairs [][]string
		out   *[][2]string
	}{{"same", f.Same, &d.Same}, {"different", f.Different, &d.Different}} {
		for i, p := range list.pairs {
			if len(p) != 2 || strings.TrimSpace(p[0]) == "" || strings.TrimSpace(p[1]) == "" || p[0] == p[1] {
				errs = append(errs, fmt.Errorf("%s[%d]: want two different record ids, got %q", list.name, i, p))
				continue
			}
			k := pairKey(strings.TrimSpace(p[0]), strings.TrimSpace(p[1]))
			if prev, ok := seen[k]; ok && prev != list.name {
				errs = append(errs, fmt.Errorf("%s[%d]: %s and %s are listed as both same and different", list.name, i, k[0], k[1]))
				continue
			}
			seen[k] = list.name
			*list.out = append(*list.out, k)
		}
	}
	return d, errors.Join(errs...)
}
