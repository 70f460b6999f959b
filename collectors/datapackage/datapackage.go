// Package datapackage collects an HSDS tabular data package (type
// hsds_datapackage): datapackage.json and one CSV per table, from a
// directory, a zip file or a URL. Rows are joined through their foreign keys
// (service_id, location_id, organization_id, …) into nested services, which
// are then mapped like API services, so both routes give the same records.
package datapackage

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/config"
	"golang.org/x/text/encoding/charmap"
)

// Zip limits: a package is a few tables; anything far bigger is hostile.
const (
	maxZipEntries     = 1000
	maxZipTotalBytes  = 1 << 30
	maxCompressRatio  = 200
	maxZipEntryHeader = 64 << 20
)

// Collector reads one data package.
type Collector struct {
	Source string // directory, zip (path or URL), or URL of datapackage.json
	Opts   config.APIOptions
	// MaxEntryBytes caps one table inside a zip (default 256 MiB).
	MaxEntryBytes int64
}

// New returns an hsds_datapackage collector.
func New(source string, o config.APIOptions) *Collector {
	return &Collector{Source: source, Opts: o, MaxEntryBytes: 256 << 20}
}

// descriptor is the part of datapackage.json we use.
type descriptor struct {
	Resources []struct {
		Name string `json:"name"`
		Path any    `json:"path"` // a string, or a list of chunk paths
	} `json:"resources"`
}

// table is one resource read: its rows as column → non-empty value.
type table struct {
	name string
	src  hsdsmap.Source
	rows []map[string]string
}

// Collect implements runner.Collector.
func (c *Collector) Collect(ctx context.Context, run *collect.Run) error {
	var opts []fetch.GetOption
	for k, v := range c.Opts.Headers {
		opts = append(opts, fetch.WithHeader(k, v))
	}
	var tables []*table
	var err error
	switch {
	case strings.HasSuffix(strings.ToLower(strings.SplitN(c.Source, "?", 2)[0]), ".zip"):
		tables, err = c.readZip(ctx, run, opts)
	case isDir(c.Source):
		tables, err = c.readFiles(ctx, run, strings.TrimRight(c.Source, "/")+"/datapackage.json", opts)
	default:
		tables, err = c.readFiles(ctx, run, c.Source, opts)
	}
	if err != nil {
		return err
	}
	pkg := assemble(tables, run.Warn)
	m := hsdsmap.New(run.Pipeline, c.Opts.Profile == "uk")
	m.Terms = pkg.terms(m)
	for _, s := range pkg.services {
		var raw hsdsmap.Service
		b, err := json.Marshal(s.obj)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.obj["id"], err)
		}
		if err := hsdsmap.DecodeService(b, &raw); err != nil {
			run.Warn(s.src.URL, fmt.Sprint(s.obj["id"]), err.Error())
		}
		recs, warns := m.Records(&raw, s.src)
		for _, w := range warns {
			run.Warn(s.src.URL, raw.ID.String(), w)
		}
		for _, r := range recs {
			if err := run.Emit(ctx, r); err != nil {
				return fmt.Errorf("emit %s %s: %w", r.Kind, r.ID(), err)
			}
		}
	}
	// Organizations and locations no service refers to are records too.
	for _, o := range pkg.orgs {
		var raw hsdsmap.Organization
		if err := remarshal(o.obj, &raw); err != nil {
			run.Warn(o.src.URL, fmt.Sprint(o.obj["id"]), err.Error())
			continue
		}
		for _, r := range m.OrganizationRecords(&raw, o.src) {
			if err := run.Emit(ctx, r); err != nil {
				return err
			}
		}
	}
	for _, l := range pkg.locs {
		var raw hsdsmap.Location
		if err := remarshal(l.obj, &raw); err != nil {
			run.Warn(l.src.URL, fmt.Sprint(l.obj["id"]), err.Error())
			continue
		}
		if r := m.LocationRecord(&raw, l.src); r != nil {
			if err := run.Emit(ctx, r); err != nil {
				return err
			}
		}
	}
	// A package is a whole snapshot: what it lacks is gone.
	run.FullSweep = true
	run.Log.Info("data package read", "services", len(pkg.services), "tables", len(tables))
	return nil
}

func remarshal(obj map[string]any, v any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return hsdsmap.DecodeObject(bytes.NewReader(b), v)
}

func isDir(p string) bool {
	if strings.Contains(p, "://") && !strings.HasPrefix(p, "file://") {
		return false
	}
	st, err := os.Stat(fetch.FilePath(p))
	return err == nil && st.IsDir()
}

// readFiles reads datapackage.json at descURL and each resource beside it,
// all through the fetch layer (so http, file:// and paths behave alike).
func (c *Collector) readFiles(ctx context.Context, run *collect.Run, descURL string, opts []fetch.GetOption) ([]*table, error) {
	doc, err := run.Fetch.Get(ctx, descURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("data package: %w", err)
	}
	b, err := doc.Bytes()
	if err != nil {
		return nil, err
	}
	var d descriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("data package %s: datapackage.json: %w", descURL, err)
	}
	var tables []*table
	for _, res := range d.Resources {
		for _, p := range resourcePaths(res.Path) {
			u, err := resolve(descURL, p)
			if err != nil {
				return nil, fmt.Errorf("data package %s: resource %s: %w", descURL, res.Name, err)
			}
			rdoc, err := run.Fetch.Get(ctx, u, opts...)
			if err != nil {
				if fetch.IsNotFound(err) {
					run.Warn(u, "", fmt.Sprintf("resource %s listed in datapackage.json is missing", res.Name))
					continue
				}
				return nil, fmt.Errorf("data package: resource %s: %w", res.Name, err)
			}
			rc, err := rdoc.OpenUTF8()
			if err != nil {
				return nil, err
			}
			t, err := readCSV(tableName(res.Name, p), rc, hsdsmap.SourceOf(rdoc))
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("data package: %s: %w", u, err)
			}
			tables = append(tables, t)
		}
	}
	return tables, nil
}

func resourcePaths(p any) []string {
	switch v := p.(type) {
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

// resolve makes a resource path relative to the descriptor's location. A
// resource may not climb out of the package (no "..", no absolute paths).
func resolve(descURL, p string) (string, error) {
	if strings.Contains(p, "://") {
		return p, nil
	}
	clean := path.Clean("/" + p)
	if strings.Contains(p, "..") || strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q leaves the package", p)
	}
	if strings.Contains(descURL, "://") && !strings.HasPrefix(descURL, "file://") {
		base, err := url.Parse(descURL)
		if err != nil {
			return "", err
		}
		ref, err := url.Parse(strings.TrimPrefix(clean, "/"))
		if err != nil {
			return "", err
		}
		return base.ResolveReference(ref).String(), nil
	}
	return filepath.Join(filepath.Dir(fetch.FilePath(descURL)), filepath.FromSlash(clean)), nil
}

// readZip fetches the zip (path or URL) and reads the package inside it,
// refusing zip bombs: too many entries, declared sizes too large or too
// compressed, and actual sizes beyond the declared ones.
func (c *Collector) readZip(ctx context.Context, run *collect.Run, opts []fetch.GetOption) ([]*table, error) {
	doc, err := run.Fetch.Get(ctx, c.Source, opts...)
	if err != nil {
		return nil, fmt.Errorf("data package: %w", err)
	}
	zr, err := zip.OpenReader(doc.BlobPath())
	if err != nil {
		return nil, fmt.Errorf("data package %s: not a readable zip: %w", c.Source, err)
	}
	defer zr.Close()
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("data package %s: %d entries (limit %d)", c.Source, len(zr.File), maxZipEntries)
	}
	var total uint64
	files := map[string]*zip.File{}
	descName := ""
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		total += f.UncompressedSize64
		if total > maxZipTotalBytes {
			return nil, fmt.Errorf("data package %s: unpacks to more than %d bytes", c.Source, maxZipTotalBytes)
		}
		if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxCompressRatio && f.UncompressedSize64 > maxZipEntryHeader {
			return nil, fmt.Errorf("data package %s: %s is compressed %d:1 (a zip bomb?)", c.Source, f.Name, f.UncompressedSize64/f.CompressedSize64)
		}
		files[f.Name] = f
		if path.Base(f.Name) == "datapackage.json" && (descName == "" || len(f.Name) < len(descName)) {
			descName = f.Name
		}
	}
	if descName == "" {
		return nil, fmt.Errorf("data package %s: no datapackage.json inside the zip", c.Source)
	}
	read := func(name string) ([]byte, error) {
		f := files[name]
		if f == nil {
			return nil, fs404(name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		limit := min(int64(f.UncompressedSize64), c.MaxEntryBytes)
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s is larger than it declares or than %d bytes", name, c.MaxEntryBytes)
		}
		return b, nil
	}
	db, err := read(descName)
	if err != nil {
		return nil, fmt.Errorf("data package %s: %w", c.Source, err)
	}
	var d descriptor
	if err := json.Unmarshal(db, &d); err != nil {
		return nil, fmt.Errorf("data package %s: datapackage.json: %w", c.Source, err)
	}
	dir := path.Dir(descName)
	var tables []*table
	for _, res := range d.Resources {
		for _, p := range resourcePaths(res.Path) {
			if strings.Contains(p, "..") || strings.HasPrefix(p, "/") || strings.Contains(p, "://") {
				return nil, fmt.Errorf("data package %s: resource path %q leaves the package", c.Source, p)
			}
			name := path.Clean(path.Join(dir, p))
			b, err := read(name)
			if err != nil {
				var nf notInZip
				if errors.As(err, &nf) {
					run.Warn(c.Source, "", fmt.Sprintf("resource %s (%s) listed in datapackage.json is missing", res.Name, p))
					continue
				}
				return nil, fmt.Errorf("data package %s: %w", c.Source, err)
			}
			src := hsdsmap.SourceOf(doc)
			src.URL = c.Source + "#" + name
			t, err := readCSV(tableName(res.Name, p), bytes.NewReader(toUTF8(b)), src)
			if err != nil {
				return nil, fmt.Errorf("data package %s: %s: %w", c.Source, name, err)
			}
			tables = append(tables, t)
		}
	}
	return tables, nil
}

type notInZip string

func (n notInZip) Error() string { return string(n) + " is not in the zip" }

func fs404(name string) error { return notInZip(name) }

// toUTF8 decodes a table that is not valid UTF-8 as windows-1252 (Excel's
// "CSV" on Windows), the usual reason it is not.
func toUTF8(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(b) {
		return b
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// readCSV reads a table into rows of non-empty values keyed by lower-case
// column name: an empty cell is an absent value.
func readCSV(name string, r io.Reader, src hsdsmap.Source) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &table{name: name, src: src}, nil
	}
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
	}
	t := &table{name: name, src: src}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		row := make(map[string]string, len(cols))
		for i, v := range rec {
			if i < len(cols) && cols[i] != "" {
				if v = strings.TrimSpace(v); v != "" {
					row[cols[i]] = v
				}
			}
		}
		if len(row) > 0 {
			t.rows = append(t.rows, row)
		}
	}
}

// tableName maps a resource name (or file name) to its HSDS table, with
// ORUK 1.0 names folded onto their 3.0 equivalents where the shape is the same.
func tableName(resource, p string) string {
	n := strings.ToLower(resource)
	if n == "" {
		n = strings.ToLower(strings.TrimSuffix(path.Base(p), path.Ext(p)))
	}
	switch n {
	case "organization", "organizations":
		return "organization"
	case "service", "services":
		return "service"
	case "location", "locations":
		return "location"
	case "service_at_location", "service_at_locations":
		return "service_at_location"
	case "phone", "phones":
		return "phone"
	case "contact", "contacts":
		return "contact"
	case "address", "addresses":
		return "address"
	case "physical_address", "physical_addresses":
		return "physical_address"
	case "schedule", "schedules":
		return "schedule"
	case "regular_schedule", "regular_schedules":
		return "regular_schedule"
	case "service_area", "service_areas":
		return "service_area"
	case "language", "languages":
		return "language"
	case "accessibility", "accessibility_for_disabilities":
		return "accessibility"
	case "cost_option", "cost_options":
		return "cost_option"
	case "attribute", "attributes":
		return "attribute"
	case "taxonomy_term", "taxonomy_terms":
		return "taxonomy_term"
	case "service_taxonomy", "service_taxonomys", "service_taxonomies":
		return "service_taxonomy"
	case "eligibility", "eligibilitys", "eligibilities":
		return "eligibility"
	case "organization_identifier", "organization_identifiers":
		return "organization_identifier"
	}
	return n
}
