package senreports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/gias"
	"github.com/localoffer/localoffer/internal/sheet"
)

// School is one school whose website is searched.
type School struct {
	URN      string
	Name     string
	URL      string // website as given (GIAS often omits the scheme)
	LACode   string // GSS or DfE three-digit code, as given
	MinAge   *int
	MaxAge   *int
	Postcode string
	Street   string
	Town     string
	Status   string
	// Source is where the school's details came from (pipelines.yaml or the GIAS file).
	Source string
}

// readGIAS reads schools from a GIAS export (CSV in Windows-1252 or UTF-8,
// or XLSX) stored at path, through the shared GIAS reader. name is what
// messages call it.
func readGIAS(path, name string, warn func(line int, msg string)) ([]School, error) {
	g, err := gias.Open(path, sheet.Options{Name: name, Warn: warn}, gias.URN, gias.EstablishmentName, gias.SchoolWebsite)
	var missing *gias.MissingColumnError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("GIAS file %s: no %q column (is it an establishment export?)", name, missing.Column)
	}
	if err != nil {
		return nil, fmt.Errorf("open GIAS file %s: %w", name, err)
	}
	defer g.Close()
	urn, est, web := g.Column(gias.URN), g.Column(gias.EstablishmentName), g.Column(gias.SchoolWebsite)
	low, high, la := g.Column(gias.StatutoryLowAge), g.Column(gias.StatutoryHighAge), g.Column(gias.LACode)
	pc, status := g.Column(gias.Postcode), g.Column(gias.EstablishmentStatus)
	street, town := g.Column(gias.Street), g.Column(gias.Town)
	var out []School
	for {
		row, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("read GIAS file %s: %w", name, err)
		}
		s := School{
			URN: gias.Cell(row, urn), Name: gias.Cell(row, est), URL: gias.Cell(row, web),
			LACode: gias.Cell(row, la), Postcode: gias.Cell(row, pc), Status: gias.Cell(row, status),
			Street: gias.Cell(row, street), Town: gias.Cell(row, town), Source: name,
		}
		s.MinAge, s.MaxAge = age(gias.Cell(row, low)), age(gias.Cell(row, high))
		if s.URN == "" {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func age(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 25 {
		return nil
	}
	return &n
}

// keep applies the la_codes and statuses filters. A school given under sites:
// without an LA code or status passes the filter it cannot be judged by.
func keep(s School, laCodes, statuses []string) bool {
	if s.LACode != "" && len(laCodes) > 0 && !containsFold(laCodes, s.LACode) {
		return false
	}
	if s.Status != "" && len(statuses) > 0 && !containsFold(statuses, s.Status) {
		return false
	}
	return true
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

// siteURL makes a configured site address fetchable: a relative or absolute
// path that exists on disk becomes a file:// URL (sites read offline).
func siteURL(raw, baseDir string) string {
	raw = strings.TrimSpace(raw)
	if strings.Contains(raw, "://") {
		return raw
	}
	p := raw
	if !filepath.IsAbs(p) && baseDir != "" {
		p = filepath.Join(baseDir, p)
	}
	if st, err := os.Stat(p); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			if st.IsDir() {
				abs = filepath.Join(abs, "index.html")
			}
			return "file://" + filepath.ToSlash(abs)
		}
	}
	return raw
}

// loadSchools gathers the schools of one run: sites: first, then schools_from:.
func (c *Collector) loadSchools(ctx context.Context, g Getter, warn func(src, id, msg string)) ([]School, error) {
	var out []School
	seen := map[string]bool{}
	for _, s := range c.opts.Sites {
		sc := School{URN: s.URN, Name: s.Name, URL: siteURL(s.URL, c.opts.BaseDir), LACode: s.LACode, MinAge: s.MinAge, MaxAge: s.MaxAge,
			Postcode: s.Postcode, Source: "pipelines.yaml"}
		if !keep(sc, c.opts.LACodes, c.opts.Statuses) || seen[sc.URN] {
			continue
		}
		seen[sc.URN] = true
		out = append(out, sc)
	}
	if c.opts.SchoolsFrom == "" {
		return out, nil
	}
	src := c.opts.SchoolsFrom
	// The full GIAS export is ~60 MB and grows; it is streamed from the blob store.
	doc, err := g.Get(ctx, src, fetch.MaxBytes(1<<30))
	if err != nil {
		return out, fmt.Errorf("fetch schools_from %s: %w", src, err)
	}
	rows, err := readGIAS(doc.BlobPath(), src, func(line int, msg string) {
		warn(src, fmt.Sprintf("line %d", line), msg)
	})
	if err != nil {
		return out, err
	}
	for _, s := range rows {
		if !keep(s, c.opts.LACodes, c.opts.Statuses) || seen[s.URN] {
			continue
		}
		seen[s.URN] = true
		out = append(out, s)
	}
	return out, nil
}
