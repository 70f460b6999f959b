// Package datapackage collects an HSDS tabular data package (type
// hsds_datapackage): datapackage.json and one CSV per table, from a
// directory, a zip file or a URL. Rows are joined through their foreign keys
// (service_id, location_id, organization_id, …) into nested services, which
// are then mapped like API services, so both routes give the same records.
//
// Tables are read as streams into a spill file beside the blob store; only
// keys and file offsets stay in memory, so a package's size moves the disk,
// not the heap. What cannot be joined is reported, one warning per table.
package datapackage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/datapackage/layout"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/collectors/hsdsmap"
	"github.com/localoffer/localoffer/internal/archive"
)

// Collector reads one data package.
type Collector struct {
	Source string // directory, zip (path or URL), or URL of datapackage.json
	Opts   Options
	// Zip bounds a zipped package (zero fields: archive.Defaults).
	Zip archive.Limits
	// Accounts says, after Collect, what became of each table's rows.
	Accounts []Account
	// TempDir holds the spill file while the package is joined; "" puts it
	// in the blob store's directory (under the warehouse's var/), else os.TempDir.
	TempDir string
}

// New returns an hsds_datapackage collector.
func New(source string, o Options) *Collector {
	return &Collector{Source: source, Opts: o}
}

// ErrMissingMainTable means the package has no readable services table: the
// run has no data and must fail, whatever else the package holds.
var ErrMissingMainTable = errors.New("data package has no services table")

// MissingTableError says why the services table could not be read.
type MissingTableError struct {
	Source string
	Reason string // "not declared", "declared as services.csv but absent", …
}

func (e *MissingTableError) Error() string {
	return fmt.Sprintf("data package %s: no services table (%s); nothing to load", e.Source, e.Reason)
}

// Is makes errors.Is(err, ErrMissingMainTable) true.
func (e *MissingTableError) Is(target error) bool { return target == ErrMissingMainTable }

// Warning kinds. The runner caps warnings per kind and marks a run degraded
// on collect.KindMissingResource (one warning per declared table that is
// absent) and collect.KindDanglingKey (one per row whose key names nothing:
// dropped child rows, and records loaded without the row they name). The
// kinds below summarise, one warning per table, or note the layout; they do
// not degrade a run on their own (the rows they count are also warned of
// under collect.KindDanglingKey).
const (
	WarnUnjoinedRows      = "unjoined_rows"      // per table: child rows dropped, with counts and examples
	WarnDanglingReference = "dangling_reference" // per table and column: records loaded without the row they name
	WarnMissingID         = "missing_id"         // per table: services/organizations/locations rows without id; not loaded
	WarnDuplicateID       = "duplicate_id"       // per table: rows repeating an id; the first one loaded
	WarnUnmappedTable     = "unmapped_table"     // an HSDS table our schema has no place for (funding, programs, …)
	WarnUnknownResource   = "unknown_resource"   // a resource that is not an HSDS table
	WarnMovedResource     = "moved_resource"     // declared paths absent, the one same-named file used
	WarnDuplicateResource = "duplicate_resource" // the same file declared twice; read once
	WarnNoDescriptor      = "no_descriptor"      // no datapackage.json; tables found by file name
	WarnRaggedRows        = "ragged_rows"        // rows with more or fewer cells than the header
)

// maxPackageFiles bounds a directory listing.
const maxPackageFiles = 10000

// Collect implements runner.Collector.
func (c *Collector) Collect(ctx context.Context, run *collect.Run) error {
	c.Accounts = nil
	var opts []fetch.GetOption
	for k, v := range c.Opts.Headers {
		opts = append(opts, fetch.WithHeader(k, v))
	}
	warn := func(kind, format string, args ...any) {
		run.Warning(kind, c.Source, "", fmt.Sprintf(format, args...))
	}
	var src source
	switch {
	case strings.HasSuffix(strings.ToLower(strings.SplitN(c.Source, "?", 2)[0]), ".zip"):
		doc, err := run.Fetch.Get(ctx, c.Source, opts...)
		if err != nil {
			return fmt.Errorf("data package: %w", err)
		}
		z, err := layout.OpenZip(doc.BlobPath(), c.Source, c.Zip)
		if err != nil {
			return fmt.Errorf("data package: %w", err)
		}
		defer z.Close()
		src = &zipSource{z: z, doc: doc, name: c.Source}
	case isDir(c.Source), isLocal(c.Source):
		// A local datapackage.json names its folder: the package is the
		// folder, read under the same rules as when the folder is given.
		root, desc := fetch.FilePath(c.Source), ""
		if !isDir(c.Source) {
			root, desc = filepath.Dir(root), filepath.Base(root)
		}
		files, err := layout.ListDir(root, maxPackageFiles)
		if err != nil {
			return fmt.Errorf("data package %s: %w", c.Source, err)
		}
		src = &dirSource{root: root, list: files, desc: desc, get: func(u string) (*fetch.Document, error) { return run.Fetch.Get(ctx, u, opts...) }}
	default:
		src = &urlSource{desc: c.Source, get: func(u string) (*fetch.Document, error) { return run.Fetch.Get(ctx, u, opts...) }}
	}
	plan, err := c.plan(src, warn)
	if err != nil {
		return err
	}
	tmp := c.TempDir
	if tmp == "" {
		tmp = src.tempDir()
	}
	sp, err := newSpill(tmp)
	if err != nil {
		return err
	}
	defer sp.Close()
	j := newJoiner(sp)
	for _, p := range plan.parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.load(j, src, p, warn); err != nil {
			if errors.Is(err, errAbsent) {
				if refused(err) {
					plan.missing = append(plan.missing, fmt.Sprintf("%s (%s: %s)", p.resource, p.declared, strings.TrimPrefix(err.Error(), errAbsent.Error()+": ")))
				} else {
					plan.missing = append(plan.missing, fmt.Sprintf("%s (%s)", p.resource, p.declared))
				}
				if p.table == "service" {
					plan.services = append(plan.services, "declared as "+p.declared+" but absent")
				}
				continue
			}
			return err
		}
	}
	if n := len(plan.moved); n > 0 {
		warn(WarnMovedResource, "%s not where datapackage.json says; each was read from the only file of its name in the package: %s", count(n, "resource is", "resources are"), capList(plan.moved))
	}
	for _, m := range plan.missing {
		warn(collect.KindMissingResource, "resource %s listed in datapackage.json is absent", m)
	}
	if err := sp.done(); err != nil {
		return err
	}
	if j.t["service"] == nil {
		return &MissingTableError{Source: c.Source, Reason: plan.serviceReason()}
	}
	j.rowWarn = func(src, id, msg string) { run.Warning(collect.KindDanglingKey, src, id, msg) }
	m := hsdsmap.New(run.Pipeline, c.Opts.Profile == "uk")
	// The services table's rows are what the package declares: rows and no
	// records fails the run (see runner.Classify).
	run.Declare(j.t["service"].rows)
	stats, err := j.emit(ctx, m, run)
	if err != nil {
		return err
	}
	summaries, accts := j.report()
	for _, w := range summaries {
		warn(w.kind, "%s", w.msg)
	}
	c.Accounts = accts
	// A package is a whole snapshot, so what it lacks is gone — unless part
	// of its services table is missing.
	run.FullSweep = len(plan.services) == 0
	run.Log.Info("data package read", "services", stats.services, "organizations", stats.orgs, "locations", stats.locs, "tables", len(plan.parts))
	return nil
}

// isLocal: a plain path or file:// URL (the configured source, so trusted).
func isLocal(p string) bool {
	return strings.HasPrefix(p, "file://") || !strings.Contains(p, "://")
}

func isDir(p string) bool {
	if strings.Contains(p, "://") && !strings.HasPrefix(p, "file://") {
		return false
	}
	st, err := os.Stat(fetch.FilePath(p))
	return err == nil && st.IsDir()
}

// errAbsent marks a resource file that is not in the package.
var errAbsent = errors.New("absent")

// source is where a package's files come from.
type source interface {
	// files lists the package's files (slash paths from its root); nil when
	// the package cannot be listed (a remote one).
	files() []string
	// open returns a file's bytes: p is a package path, or for remote
	// packages a path relative to the descriptor or an absolute URL.
	open(p string) (io.ReadCloser, hsdsmap.Source, error)
	tempDir() string
	// descriptor is the descriptor's package path when the configuration
	// names it, "" to look for datapackage.json.
	descriptor() string
}

type dirSource struct {
	root string
	desc string // the descriptor's file name when configured, "" to search
	list []string
	get  func(string) (*fetch.Document, error)
	blob string
}

func (d *dirSource) files() []string { return d.list }

func (d *dirSource) descriptor() string { return d.desc }

// open fetches through the fetch layer, so files are recorded as documents
// like any other source; only files the listing found are ever opened (no
// symbolic links, nothing outside the folder).
func (d *dirSource) open(p string) (io.ReadCloser, hsdsmap.Source, error) {
	listed := false
	for _, f := range d.list {
		listed = listed || f == p
	}
	if !listed {
		return nil, hsdsmap.Source{}, fmt.Errorf("%s: %w", p, errAbsent)
	}
	doc, err := d.get(filepath.Join(d.root, filepath.FromSlash(p)))
	if err != nil {
		if fetch.IsNotFound(err) {
			return nil, hsdsmap.Source{}, fmt.Errorf("%s: %w", p, errAbsent)
		}
		return nil, hsdsmap.Source{}, err
	}
	if d.blob == "" {
		d.blob = doc.BlobPath()
	}
	rc, err := doc.Open()
	return rc, hsdsmap.SourceOf(doc), err
}

func (d *dirSource) tempDir() string { return blobRoot(d.blob) }

type zipSource struct {
	z    *layout.Zip
	doc  *fetch.Document
	name string
}

func (z *zipSource) files() []string { return z.z.Files() }

func (z *zipSource) descriptor() string { return "" }

func (z *zipSource) open(p string) (io.ReadCloser, hsdsmap.Source, error) {
	rc, err := z.z.Open(p)
	if err != nil {
		if layout.IsNotInZip(err) {
			return nil, hsdsmap.Source{}, fmt.Errorf("%s: %w", p, errAbsent)
		}
		return nil, hsdsmap.Source{}, err
	}
	src := hsdsmap.SourceOf(z.doc)
	src.URL = z.name + "#" + p
	return rc, src, nil
}

func (z *zipSource) tempDir() string { return blobRoot(z.doc.BlobPath()) }

// blobRoot is the blob store's directory (blobs live in <root>/ab/abcdef…).
func blobRoot(blob string) string {
	if blob == "" {
		return ""
	}
	return filepath.Dir(filepath.Dir(blob))
}

type urlSource struct {
	desc string
	get  func(string) (*fetch.Document, error)
	blob string
}

func (u *urlSource) files() []string { return nil }

func (u *urlSource) descriptor() string { return "" }

func (u *urlSource) open(p string) (io.ReadCloser, hsdsmap.Source, error) {
	target := u.desc
	if p != "" {
		var err error
		if target, err = resolveRemote(u.desc, p); err != nil {
			return nil, hsdsmap.Source{}, err
		}
	}
	doc, err := u.get(target)
	if err != nil {
		if fetch.IsNotFound(err) {
			return nil, hsdsmap.Source{}, fmt.Errorf("%s: %w", target, errAbsent)
		}
		return nil, hsdsmap.Source{}, err
	}
	if u.blob == "" {
		u.blob = doc.BlobPath()
	}
	rc, err := doc.Open()
	return rc, hsdsmap.SourceOf(doc), err
}

func (u *urlSource) tempDir() string { return blobRoot(u.blob) }

// resolveRemote resolves a resource path against a remote descriptor's URL.
// A resource stays on the descriptor's origin (scheme, host and port): a
// package may not send us to another host, to a file:// path, or out of its
// folder. (This is the data package rule of the fetch layer's URL policy,
// applied here at the call site.)
func resolveRemote(desc, p string) (string, error) {
	base, err := url.Parse(desc)
	if err != nil {
		return "", fmt.Errorf("data package %s: %w", desc, err)
	}
	var ref *url.URL
	if layout.IsRemote(p) {
		if ref, err = url.Parse(p); err != nil {
			return "", fmt.Errorf("path %q: %w", p, err)
		}
	} else {
		clean, err := layout.Clean(p)
		if err != nil {
			return "", err
		}
		if ref, err = url.Parse(clean); err != nil {
			return "", fmt.Errorf("path %q: %w", p, err)
		}
	}
	u := base.ResolveReference(ref)
	// A relative path inherits the descriptor's userinfo (ResolveReference
	// copies it); only userinfo of the resource's own is refused.
	if u.Scheme != base.Scheme || u.Host != base.Host || (u.User != nil && u.User.String() != base.User.String()) {
		return "", fmt.Errorf("path %q %w (it is not on %s://%s)", p, layout.ErrEscapes, base.Scheme, base.Host)
	}
	return u.String(), nil
}

// part is one file to read: a resource's path (or one of its chunks).
type part struct {
	resource string // declared resource name
	table    string // HSDS table
	declared string
	file     string // package path (or remote path) to open
	delim    string
}

type plan struct {
	parts    []part
	missing  []string // "name (path)" of declared resources absent
	moved    []string // "declared → found"
	hasTerms bool
	services []string // how services were declared, for the error
}

func (p *plan) serviceReason() string {
	if len(p.services) == 0 {
		return "datapackage.json declares no services resource"
	}
	return strings.Join(p.services, "; ")
}

// plan reads the descriptor and decides which file each resource comes from.
func (c *Collector) plan(src source, warn func(kind, format string, args ...any)) (*plan, error) {
	files := src.files()
	descPath, dir := "", ""
	var res []layout.Resource
	if files != nil {
		ds := layout.Descriptors(files)
		if d := src.descriptor(); d != "" {
			ds = []string{d}
		}
		if len(ds) > 0 {
			descPath, dir = ds[0], path.Dir(ds[0])
			if dir == "." {
				dir = ""
			}
		}
	}
	if files == nil || descPath != "" {
		rc, _, err := src.open(descPath)
		if err != nil {
			return nil, fmt.Errorf("data package %s: datapackage.json: %w", c.Source, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("data package %s: datapackage.json: %w", c.Source, err)
		}
		d, err := layout.ParseDescriptor(b)
		if err != nil {
			return nil, fmt.Errorf("data package %s: %w", c.Source, err)
		}
		res = d.Resources
	} else {
		res = layout.Guess(files)
		warn(WarnNoDescriptor, "no datapackage.json; read the %d HSDS tables found by file name", len(res))
	}
	p := &plan{}
	seen := map[string]string{}
	for _, r := range res {
		if layout.Table(r.Name, firstPath(r)) == "taxonomy_term" {
			p.hasTerms = true
		}
	}
	for _, r := range res {
		paths := r.Paths()
		table := layout.Table(r.Name, firstPath(r))
		if table == "" {
			warn(WarnUnknownResource, "resource %s (%s) is not an HSDS table; not read", r.Name, strings.Join(paths, ", "))
			continue
		}
		if len(paths) == 0 {
			warn(collect.KindMissingResource, "resource %s declares no path", r.Name)
			if table == "service" {
				p.services = append(p.services, "resource "+r.Name+" declares no path")
			}
			continue
		}
		for _, decl := range paths {
			pt := part{resource: r.Name, table: table, declared: decl, delim: r.Delimiter()}
			// A path that leaves the package is refused: that resource is
			// not read (and warned of), the rest of the package is.
			refuse := func(err error) {
				warn(collect.KindMissingResource, "resource %s: %v; not read", r.Name, err)
				if table == "service" {
					p.services = append(p.services, fmt.Sprintf("declared as %s, which leaves the package", decl))
				}
			}
			var clean string
			switch {
			case files == nil:
				if u, ok := src.(*urlSource); ok {
					if _, err := resolveRemote(u.desc, decl); err != nil {
						refuse(err)
						continue
					}
				}
				pt.file = decl
			case layout.IsRemote(decl):
				refuse(fmt.Errorf("path %q %w (a local package reads only its own files)", decl, layout.ErrEscapes))
				continue
			default:
				var err error
				if clean, err = layout.Clean(decl); err != nil {
					refuse(err)
					continue
				}
				found, moved, cands := layout.Locate(files, dir, clean)
				switch {
				case found == "" && len(cands) > 1:
					p.missing = append(p.missing, fmt.Sprintf("%s (%s; %d files elsewhere share its name: %s)", r.Name, decl, len(cands), strings.Join(cands, ", ")))
					if table == "service" {
						p.services = append(p.services, fmt.Sprintf("declared as %s, absent, and %d files share its name", decl, len(cands)))
					}
					continue
				case found == "":
					p.missing = append(p.missing, fmt.Sprintf("%s (%s)", r.Name, decl))
					if table == "service" {
						p.services = append(p.services, "declared as "+decl+" but absent")
					}
					continue
				case moved:
					p.moved = append(p.moved, decl+" → "+found)
				}
				pt.file = found
			}
			if first, dup := seen[pt.file]; dup {
				warn(WarnDuplicateResource, "resource %s names %s, already read for resource %s; read once", r.Name, pt.file, first)
				continue
			}
			seen[pt.file] = r.Name
			if table == "taxonomy" && !p.hasTerms {
				pt.table = "taxonomy_term" // HSDS 1.x: the taxonomy table holds the terms
			}
			p.parts = append(p.parts, pt)
		}
	}
	return p, nil
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// capList joins up to 12 items and says how many more there were.
func capList(items []string) string {
	const max = 12
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

func firstPath(r layout.Resource) string {
	if ps := r.Paths(); len(ps) > 0 {
		return ps[0]
	}
	return ""
}
