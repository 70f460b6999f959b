// Package layout finds the tables of an HSDS tabular data package as
// publishers really ship them: resource paths relative to datapackage.json
// (Frictionless Data Package spec), files moved into a sub-folder, HSDS
// 1.0/1.1/2.0 table names, or no descriptor at all. Both the collector and
// `localoffer validate` use it, so a package reads the same way in both.
package layout

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Descriptor is the part of datapackage.json that locates tables.
type Descriptor struct {
	Resources []Resource `json:"resources"`
}

// Resource is one declared resource.
type Resource struct {
	Name    string `json:"name"`
	Path    any    `json:"path"` // a string, or a list of chunk paths
	Dialect *struct {
		Delimiter string `json:"delimiter"`
	} `json:"dialect"`
}

// Delimiter is the resource's CSV delimiter: its dialect's, else a comma
// (the Frictionless default).
func (r Resource) Delimiter() string {
	if r.Dialect != nil && len(r.Dialect.Delimiter) == 1 {
		return r.Dialect.Delimiter
	}
	return ","
}

// ParseDescriptor reads datapackage.json.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	var d Descriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("datapackage.json: %w", err)
	}
	return &d, nil
}

// Paths returns a resource's declared paths (one, or its chunks).
func (r Resource) Paths() []string {
	switch v := r.Path.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ErrEscapes marks a resource path that points outside the package.
var ErrEscapes = errors.New("leaves the package")

// IsRemote reports whether a declared path is a URL (the spec allows them).
func IsRemote(p string) bool {
	return strings.Contains(p, "://")
}

// Clean checks a relative resource path and returns it in slash form. A path
// may not climb out of the package: no "..", no absolute or drive paths.
func Clean(p string) (string, error) {
	s := strings.ReplaceAll(p, `\`, "/")
	if s == "" || strings.HasPrefix(s, "/") || (len(s) > 1 && s[1] == ':') {
		return "", fmt.Errorf("path %q %w", p, ErrEscapes)
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == ".." {
			return "", fmt.Errorf("path %q %w", p, ErrEscapes)
		}
	}
	return path.Clean(s), nil
}

// Locate finds a declared path (relative to the descriptor's folder dir) in
// the package's file list (slash paths from the package root). When the
// declared file is absent but exactly one file of that name exists elsewhere
// in the package, that one is used and moved is true. found is "" when the
// file is absent; candidates then lists same-named files if there were several.
func Locate(files []string, dir, declared string) (found string, moved bool, candidates []string) {
	want := path.Join(dir, declared)
	base := strings.ToLower(path.Base(declared))
	for _, f := range files {
		if f == want {
			return f, false, nil
		}
	}
	for _, f := range files {
		if strings.ToLower(path.Base(f)) == base {
			candidates = append(candidates, f)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], true, nil
	}
	sort.Strings(candidates)
	return "", false, candidates
}

// ListDir lists the regular files under root as slash paths relative to it,
// without following symbolic links, refusing more than max files.
func ListDir(root string, max int) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if len(out) >= max {
			return fmt.Errorf("%s holds more than %d files", root, max)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	return out, err
}

// Descriptors lists the datapackage.json files in a file list, shallowest first.
func Descriptors(files []string) []string {
	var out []string
	for _, f := range files {
		if path.Base(f) == "datapackage.json" {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := strings.Count(out[i], "/"), strings.Count(out[j], "/")
		if di != dj {
			return di < dj
		}
		return out[i] < out[j]
	})
	return out
}

// Guess builds resources from the CSV files of a package that has no
// descriptor: each file whose name is an HSDS table. Files in the shallowest
// folder that has any win, so a copy under a sub-folder is not read twice.
func Guess(files []string) []Resource {
	depth := -1
	for _, f := range files {
		if strings.EqualFold(path.Ext(f), ".csv") && Table("", f) != "" {
			if d := strings.Count(f, "/"); depth < 0 || d < depth {
				depth = d
			}
		}
	}
	var out []Resource
	for _, f := range files {
		if strings.EqualFold(path.Ext(f), ".csv") && Table("", f) != "" && strings.Count(f, "/") == depth {
			out = append(out, Resource{Name: strings.TrimSuffix(path.Base(f), path.Ext(f)), Path: f})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path.(string) < out[j].Path.(string) })
	return out
}

// Table maps a resource name (or, failing that, its file name) to the HSDS
// 3.0 table it holds; HSDS 1.0/1.1/2.0 and ORUK 1.0 names fold onto their 3.0
// equivalents where the shape is the same. "" means not an HSDS table.
func Table(resource, p string) string {
	if t := tableNames[normal(resource)]; t != "" {
		return t
	}
	if p != "" {
		return tableNames[normal(strings.TrimSuffix(path.Base(strings.ReplaceAll(p, `\`, "/")), path.Ext(p)))]
	}
	return ""
}

func normal(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

var tableNames = func() map[string]string {
	m := map[string]string{}
	add := func(table string, names ...string) {
		m[table] = table
		for _, n := range names {
			m[n] = table
		}
	}
	add("organization", "organizations", "organisation", "organisations")
	add("service", "services")
	add("location", "locations")
	add("service_at_location", "service_at_locations", "services_at_location", "services_at_locations")
	add("phone", "phones")
	add("contact", "contacts")
	add("address", "addresses")
	add("physical_address", "physical_addresses")
	add("postal_address", "postal_addresses")
	add("schedule", "schedules")
	add("regular_schedule", "regular_schedules")
	add("holiday_schedule", "holiday_schedules")
	add("service_area", "service_areas")
	add("language", "languages")
	add("accessibility", "accessibility_for_disabilities", "accessibilities")
	add("cost_option", "cost_options")
	add("attribute", "attributes", "other_attribute", "other_attributes") // HSDS 2.0 other_attributes: link_id + taxonomy_term_id
	add("taxonomy_term", "taxonomy_terms")
	// HSDS 3.0 "taxonomy" is a vocabulary; HSDS 1.x "taxonomy" holds the terms.
	// The collector tells them apart by whether a taxonomy_term table exists.
	add("taxonomy", "taxonomies")
	add("service_taxonomy", "service_taxonomys", "service_taxonomies", "services_taxonomy", "services_taxonomies")
	add("eligibility", "eligibilitys", "eligibilities")
	add("organization_identifier", "organization_identifiers")
	add("program", "programs")
	add("funding", "fundings")
	add("required_document", "required_documents")
	add("payment_accepted", "payments_accepted")
	add("metadata", "metadatas")
	add("meta_table_description", "meta_table_descriptions")
	add("service_attribute", "service_attributes")
	add("location_attribute", "location_attributes")
	add("url", "urls")
	return m
}()
