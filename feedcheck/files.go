package feedcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/collectors/datapackage/layout"
	"github.com/localoffer/localoffer/internal/archive"
	"github.com/localoffer/localoffer/internal/sheet"
	"github.com/localoffer/localoffer/internal/textenc"
	"github.com/localoffer/localoffer/schema"
)

// limitedReader fails, rather than stops, past its limit: a cut-off document
// must be reported as too large, not as truncated JSON.
type limitedReader struct {
	r     io.Reader
	left  int64
	limit int64
}

var errTooLarge = errors.New("too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("%w: larger than %d MiB", errTooLarge, l.limit>>20)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// sniff looks at the start of a document and reports a problem that makes it
// unreadable as JSON (HTML, UTF-16, empty). It returns how many BOM bytes to skip.
func sniff(head []byte) (skip int, problem string) {
	switch kind, n := textenc.BOM(head); kind {
	case textenc.UTF8:
		skip = n
	case textenc.UTF16LE, textenc.UTF16BE:
		return 0, "the document is UTF-16; JSON feeds must be UTF-8"
	}
	rest := bytes.TrimLeft(head[skip:], " \t\r\n")
	switch {
	case len(rest) == 0:
		return skip, "the document is empty"
	case rest[0] == '<':
		return skip, "this is an HTML or XML page, not JSON" + htmlTitle(rest)
	}
	return skip, ""
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func htmlTitle(b []byte) string {
	if m := titleRE.FindSubmatch(b); m != nil {
		t := strings.Join(strings.Fields(string(m[1])), " ")
		if len(t) > 80 {
			t = t[:80] + "…"
		}
		return fmt.Sprintf(" (page title %q)", t)
	}
	return ""
}

// lineCol turns a byte offset in a file into "line L, column C".
func lineCol(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("byte %d", offset)
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, offset))
	line, col := 1, 1
	for {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, offset)
}

func syntaxOffset(err error, fallback int64) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	var pe *schema.SyntaxError
	if errors.As(err, &pe) {
		return pe.Offset
	}
	return fallback
}

func syntaxMessage(err error) string {
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input (truncated JSON?)"
	}
	return msg
}

// checkJSONFile streams a JSON document: a Page's contents or a top-level
// array are read one item at a time, so memory is bounded by the largest item.
func (k *Checker) checkJSONFile(ctx context.Context, path string, r *Report) error {
	f, err := os.Open(path)
	if err != nil {
		return unusable("%s: %v", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(&limitedReader{r: f, left: k.opts.MaxBody, limit: k.opts.MaxBody}, 1<<16)
	head, _ := br.Peek(4096)
	skip, problem := sniff(head)
	if problem != "" {
		r.add(Issue{Level: 1, Code: "not_json", Message: problem, Where: path})
		r.Invalid++
		return nil
	}
	br.Discard(skip)
	return k.checkJSONStream(ctx, br, path, int64(skip), r, func(off int64) string { return lineCol(path, off) })
}

// checkJSONStream validates the JSON values read from rd. at turns a byte
// offset into a location for messages.
func (k *Checker) checkJSONStream(ctx context.Context, rd io.Reader, name string, base int64, r *Report, at func(int64) string) error {
	dec := json.NewDecoder(rd)
	fail := func(err error) {
		if errors.Is(err, errTooLarge) {
			r.add(Issue{Level: 1, Code: "too_large", Message: fmt.Sprintf("the document is %s; split it or use NDJSON", strings.TrimPrefix(err.Error(), "too large: ")), Where: name})
		} else {
			r.add(Issue{Level: 1, Code: "syntax", Message: "malformed JSON: " + syntaxMessage(err), Where: name + ": " + at(base+syntaxOffset(err, dec.InputOffset()))})
		}
		r.Invalid++
	}
	var seen ids
	values := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := dec.Token()
		if err == io.EOF {
			if values == 0 {
				r.add(Issue{Level: 1, Code: "not_json", Message: "the document holds no JSON value", Where: name})
			}
			return nil
		}
		if err != nil {
			fail(err)
			return nil
		}
		values++
		switch tok {
		case json.Delim('{'):
			if err := k.streamObject(ctx, dec, name, base, r, at, &seen); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				fail(err)
				return nil
			}
		case json.Delim('['):
			n := 0
			for dec.More() {
				off := dec.InputOffset()
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					fail(err)
					return nil
				}
				k.checkRaw(raw, "", fmt.Sprintf("%s: item %d, %s", name, n, at(base+off)), r, &seen)
				n++
			}
			if _, err := dec.Token(); err != nil {
				fail(err)
				return nil
			}
		default:
			r.add(Issue{Level: 1, Code: "not_object", Message: fmt.Sprintf("expected an object or array, found %v", tok), Where: name})
			r.Invalid++
			return nil
		}
	}
}

// streamObject reads a top-level object whose '{' was consumed. A Page's
// contents are validated item by item; anything else is validated whole.
func (k *Checker) streamObject(ctx context.Context, dec *json.Decoder, name string, base int64, r *Report, at func(int64) string, seen *ids) error {
	start := dec.InputOffset()
	meta := map[string]any{}
	items := -1
	var pageType string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		if key == "contents" {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			if t != json.Delim('[') {
				r.add(Issue{Level: 1, Code: "pagination", Pointer: "/contents", Message: "contents is not an array", Where: name})
				r.Invalid++
				return nil
			}
			items = 0
			for dec.More() {
				if err := ctx.Err(); err != nil {
					return err
				}
				off := dec.InputOffset()
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return err
				}
				if pageType == "" {
					if v, err := schema.ParseJSON(raw); err == nil {
						if m, ok := v.(map[string]any); ok {
							pageType = k.detect(m)
						}
					}
				}
				k.checkRaw(raw, pageType, fmt.Sprintf("%s: contents/%d, %s", name, items, at(base+off)), r, seen)
				items++
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			continue
		}
		off := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		v, err := schema.ParseJSON(raw)
		if err != nil {
			r.add(Issue{Level: 1, Code: "syntax", Pointer: "/" + key, Message: err.Error(), Where: name + ": " + at(base+off)})
			r.Invalid++
			continue
		}
		meta[key] = v
	}
	if _, err := dec.Token(); err != nil { // closing }
		return err
	}
	where := name
	if base+start > 1 {
		where = name + ": " + at(base+start-1)
	}
	switch {
	case items >= 0:
		r.Pages++
		k.checkPageMeta(meta, items, where, r)
	case isTabular(meta):
		k.checkTabular(meta, name, r)
	case isAPIDetails(meta):
		k.checkAPIDetails(meta, where, r)
	default:
		id := k.checkEntity(meta, "", where, r)
		seen.add(id, where, r)
	}
	return nil
}

// checkRaw validates one item's bytes.
func (k *Checker) checkRaw(raw []byte, typ, where string, r *Report, seen *ids) {
	v, err := schema.ParseJSON(raw)
	if err != nil {
		r.Records++
		r.Invalid++
		r.add(Issue{Level: 1, Code: "syntax", Message: err.Error(), Where: where})
		return
	}
	id := k.checkEntity(v, typ, where, r)
	seen.add(id, where, r)
}

// checkNDJSON validates one JSON value per line, reading line by line so a
// 100,000-service file needs no more memory than its longest line.
func (k *Checker) checkNDJSON(ctx context.Context, path string, r *Report) error {
	f, err := os.Open(path)
	if err != nil {
		return unusable("%s: %v", path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(4096)
	skip, problem := sniff(head)
	if problem != "" {
		r.add(Issue{Level: 1, Code: "not_json", Message: problem, Where: path})
		r.Invalid++
		return nil
	}
	br.Discard(skip)
	var seen ids
	var line []byte
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line = line[:0]
		tooLong := false
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			if !tooLong {
				if len(line)+len(chunk) > k.opts.MaxLine {
					tooLong = true
					line = line[:0]
				} else {
					line = append(line, chunk...)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		where := fmt.Sprintf("%s: line %d", path, n)
		if tooLong {
			r.Records++
			r.Invalid++
			r.add(Issue{Level: 1, Code: "too_large", Message: fmt.Sprintf("line is longer than %d MiB", k.opts.MaxLine>>20), Where: where})
		} else if t := bytes.TrimSpace(line); len(t) > 0 {
			v, perr := schema.ParseJSON(t)
			switch {
			case perr != nil:
				r.Records++
				r.Invalid++
				msg := perr.Error()
				var se *schema.SyntaxError
				if errors.As(perr, &se) {
					msg = fmt.Sprintf("%s (column %d)", se.Msg, se.Offset+1)
				}
				if t[0] == '<' {
					msg = "this line is HTML, not JSON"
				}
				r.add(Issue{Level: 1, Code: "syntax", Message: msg, Where: where})
			default:
				if m, ok := v.(map[string]any); ok && m["contents"] != nil {
					items, _ := m["contents"].([]any)
					for i, it := range items {
						id := k.checkEntity(it, "", fmt.Sprintf("%s contents/%d", where, i), r)
						seen.add(id, where, r)
					}
					r.Pages++
					k.checkPageMeta(m, len(items), where, r)
				} else {
					id := k.checkEntity(v, "", where, r)
					seen.add(id, where, r)
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return unusable("read %s: %v", path, err)
		}
	}
}

// tableEntity maps an HSDS CSV file, resource or table name to its HSDS 3.0
// entity, folding names (plurals, organisations, older HSDS names of the same
// shape) exactly as the data package collector does (layout.Table); "" when
// it names no HSDS 3.0 entity.
func tableEntity(name string) string {
	if e := layout.Table(name, name); slices.Contains(Entities, e) {
		return e
	}
	return ""
}

// Tabular-required columns: HSDS requires them in CSV form though the nested
// JSON form can leave them out (the nesting says it).
var tabularRequired = map[string][]string{
	"service": {"organization_id"}, "program": {"organization_id"},
	"attribute":           {"link_id", "taxonomy_term_id", "link_entity"},
	"service_at_location": {"service_id", "location_id"}, "cost_option": {"service_id"},
	"organization_identifier": {"organization_id"}, "metadata": {"resource_id", "resource_type"},
}

// Foreign keys checked across a data package: table.column → table.
var foreignKeys = []struct{ table, column, parent string }{
	{"service", "organization_id", "organization"}, {"service", "program_id", "program"},
	{"program", "organization_id", "organization"}, {"service_at_location", "service_id", "service"},
	{"service_at_location", "location_id", "location"}, {"location", "organization_id", "organization"},
	{"phone", "service_id", "service"}, {"phone", "location_id", "location"}, {"phone", "contact_id", "contact"},
	{"contact", "service_id", "service"}, {"address", "location_id", "location"}, {"schedule", "service_id", "service"},
	{"service_area", "service_id", "service"}, {"cost_option", "service_id", "service"},
	{"organization_identifier", "organization_id", "organization"}, {"attribute", "taxonomy_term_id", "taxonomy_term"},
	{"taxonomy_term", "taxonomy_id", "taxonomy"}, {"accessibility", "location_id", "location"},
}

// tables collects what a data package held, for cross-table checks.
type tables struct {
	ids  map[string]map[string]bool
	refs []ref
}

type ref struct{ table, column, id, where string }

func (t *tables) note(entity string, row map[string]any, where string, r *Report) {
	if t.ids == nil {
		t.ids = map[string]map[string]bool{}
	}
	if t.ids[entity] == nil {
		t.ids[entity] = map[string]bool{}
	}
	if id, ok := row["id"].(string); ok && id != "" {
		if t.ids[entity][id] {
			r.add(Issue{Level: 1, Code: "duplicate_id", Pointer: "/id", Message: "duplicate id: " + entity + " id appears more than once", Record: entity + " " + id, Where: where})
		}
		t.ids[entity][id] = true
	}
	for _, c := range tabularRequired[entity] {
		if s, _ := row[c].(string); s == "" {
			r.add(Issue{Level: 1, Code: "tabular_required", Pointer: "/" + c, Message: fmt.Sprintf("%s is required in the %s table", c, entity), Where: where})
		}
	}
	for _, fk := range foreignKeys {
		if fk.table == entity {
			if s, _ := row[fk.column].(string); s != "" {
				t.refs = append(t.refs, ref{entity, fk.column, s, where})
			}
		}
	}
}

func (t *tables) finish(r *Report) {
	for _, rf := range t.refs {
		for _, fk := range foreignKeys {
			if fk.table != rf.table || fk.column != rf.column {
				continue
			}
			if ids, present := t.ids[fk.parent]; present && !ids[rf.id] {
				r.add(Issue{Level: 2, Code: "foreign_key", Pointer: "/" + rf.column,
					Message: fmt.Sprintf("%s %s refers to no row of the %s table", rf.column, rf.id, fk.parent), Where: rf.where})
			}
		}
	}
}

// cellValue types a CSV cell by the property's schema type.
func (k *Checker) cellValue(entity, column, cell string) any {
	s := k.entity[entity].Schema().Properties[column]
	if s != nil && s.Types == nil && s.Ref != nil {
		s = s.Ref
	}
	if s != nil && s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			if t == "number" || t == "integer" {
				if f, err := strconv.ParseFloat(cell, 64); err == nil {
					return f
				}
			}
		}
	}
	return cell
}

// checkCSV validates one HSDS table read from rd (a file or a zip entry);
// name is what messages call it. The table is streamed by the collectors'
// CSV reader, so a field or row past its limit is a clear error, not memory.
func (k *Checker) checkCSV(ctx context.Context, rd io.Reader, name, entity string, t *tables, r *Report) error {
	br := bufio.NewReader(rd)
	head, _ := br.Peek(4096)
	skip, problem := sniff(head)
	if problem == "the document is empty" {
		r.add(Issue{Level: 2, Code: "empty_table", Message: "table has no header row", Where: name})
		return nil
	}
	if problem != "" {
		r.add(Issue{Level: 1, Code: "not_csv", Message: strings.Replace(problem, "JSON", "CSV", 1), Where: name})
		return nil
	}
	br.Discard(skip)
	base := path.Base(filepath.ToSlash(name))
	ragged := false
	cr, err := sheet.OpenCSV(io.NopCloser(br), sheet.Options{Name: base, HeaderRow: 1, Delimiter: ",", Encoding: "utf-8",
		Warn: func(int, string) { ragged = true }})
	if err != nil {
		r.add(Issue{Level: 1, Code: "syntax", Message: "malformed CSV: " + err.Error(), Where: name})
		return nil
	}
	defer cr.Close()
	header := cr.Header()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ragged = false
		rec, err := cr.Next()
		if err == io.EOF {
			return nil
		}
		where := fmt.Sprintf("%s: line %d", base, cr.Line())
		if err != nil {
			r.Records++
			r.Invalid++
			r.add(Issue{Level: 1, Code: "syntax", Message: "malformed CSV: " + err.Error(), Where: where})
			return nil
		}
		if ragged {
			r.Records++
			r.Invalid++
			r.add(Issue{Level: 1, Code: "syntax", Message: fmt.Sprintf("malformed CSV: wrong number of fields (the header has %d)", len(header)), Where: where})
			continue
		}
		row := map[string]any{}
		for i, cell := range rec {
			if i < len(header) && cell != "" {
				row[header[i]] = k.cellValue(entity, header[i], cell)
			}
		}
		k.checkEntity(row, entity, where, r)
		t.note(entity, row, where, r)
	}
}

func (k *Checker) checkCSVFile(ctx context.Context, path string, r *Report) error {
	entity := tableEntity(path)
	if entity == "" {
		return unusable("%s: not an HSDS table name (services.csv, organizations.csv, …)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return unusable("%s: %v", path, err)
	}
	defer f.Close()
	var t tables
	if err := k.checkCSV(ctx, f, path, entity, &t, r); err != nil {
		return unusable("%s: %v", path, err)
	}
	return nil
}

// pkgFiles is a data package's file tree: a folder or a zip. Both are read
// with the collector's layout rules (collectors/datapackage/layout), so
// `validate` sees a package exactly as `run` does.
type pkgFiles struct {
	name string
	list []string
	open func(p string) (io.ReadCloser, error)
	dir  string // the local folder, "" for a zip
}

func (p *pkgFiles) where(f string) string {
	if p.dir != "" {
		return filepath.Join(p.dir, filepath.FromSlash(f))
	}
	return p.name + "#" + f
}

// maxPackageFiles bounds a folder listing.
const maxPackageFiles = 10000

// checkDatapackage validates an HSDS tabular data package directory.
func (k *Checker) checkDatapackage(ctx context.Context, dir string, r *Report) error {
	list, err := layout.ListDir(dir, maxPackageFiles)
	if err != nil {
		return unusable("%s: %v", dir, err)
	}
	return k.checkPackage(ctx, &pkgFiles{name: dir, list: list, dir: dir, open: func(p string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(p)))
	}}, r)
}

// checkZipPackage validates a zipped data package through the archive guard.
func (k *Checker) checkZipPackage(ctx context.Context, file string, r *Report) error {
	z, err := layout.OpenZip(file, file, archive.Limits{})
	if err != nil {
		return unusable("%v", err)
	}
	defer z.Close()
	return k.checkPackage(ctx, &pkgFiles{name: file, list: z.Files(), open: z.Open}, r)
}

func (k *Checker) checkPackage(ctx context.Context, pf *pkgFiles, r *Report) error {
	var resources []layout.Resource
	dir, desc := "", pf.where("datapackage.json")
	if ds := layout.Descriptors(pf.list); len(ds) > 0 {
		desc = pf.where(ds[0])
		if dir = path.Dir(ds[0]); dir == "." {
			dir = ""
		}
		b, err := readAllFrom(pf.open, ds[0], 16<<20)
		if err != nil {
			return unusable("%s: %v", desc, err)
		}
		b = bytes.TrimSpace(b)
		// A git symlink checked out as a file holds the target's path.
		if pf.dir != "" && len(b) > 0 && b[0] != '{' && len(b) < 1024 && !bytes.ContainsAny(b, "\n{") {
			if tb, terr := os.ReadFile(filepath.Join(pf.dir, filepath.FromSlash(dir), string(b))); terr == nil {
				b = tb
			}
		}
		d, err := layout.ParseDescriptor(b)
		if err != nil {
			r.add(Issue{Level: 1, Code: "datapackage", Message: "datapackage.json is not valid JSON: " + strings.TrimPrefix(err.Error(), "datapackage.json: "), Where: desc})
		} else {
			resources = d.Resources
		}
	} else {
		r.add(Issue{Level: 2, Code: "datapackage", Message: "no datapackage.json; checking the CSV files found", Where: pf.name})
	}
	if len(resources) == 0 {
		resources = layout.Guess(pf.list)
	}
	if len(resources) == 0 {
		return unusable("%s: no datapackage.json resources and no CSV files", pf.name)
	}
	var t tables
	for _, res := range resources {
		paths := res.Paths()
		first := ""
		if len(paths) > 0 {
			first = paths[0]
		}
		entity := tableEntity(res.Name)
		if entity == "" {
			entity = tableEntity(first)
		}
		if entity == "" {
			r.add(Issue{Level: 2, Code: "datapackage", Message: fmt.Sprintf("resource %q is not an HSDS 3.0 table; skipped", res.Name), Where: desc})
			continue
		}
		for _, p := range paths {
			clean, err := layout.Clean(p)
			if err != nil || layout.IsRemote(p) {
				r.add(Issue{Level: 1, Code: "datapackage", Message: fmt.Sprintf("resource path %q leaves the package", p), Where: desc})
				continue
			}
			found, moved, cands := layout.Locate(pf.list, dir, clean)
			switch {
			case found == "" && len(cands) > 1:
				r.add(Issue{Level: 2, Code: "datapackage", Message: fmt.Sprintf("resource %s is listed but %s is absent (and %d files elsewhere share its name)", res.Name, p, len(cands)), Where: desc})
				continue
			case found == "":
				r.add(Issue{Level: 2, Code: "datapackage", Message: fmt.Sprintf("resource %s is listed but %s is absent", res.Name, p), Where: desc})
				continue
			case moved:
				r.add(Issue{Level: 2, Code: "datapackage", Message: fmt.Sprintf("resource %s: %s is not where datapackage.json says; checked %s, the only file of that name", res.Name, p, found), Where: desc})
			}
			rc, err := pf.open(found)
			if err != nil {
				r.add(Issue{Level: 1, Code: "datapackage", Message: err.Error(), Where: pf.where(found)})
				continue
			}
			err = k.checkCSV(ctx, rc, pf.where(found), entity, &t, r)
			rc.Close()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r.add(Issue{Level: 1, Code: "datapackage", Message: err.Error(), Where: pf.where(found)})
			}
		}
	}
	t.finish(r)
	return nil
}

func readAllFrom(open func(string) (io.ReadCloser, error), p string, max int64) ([]byte, error) {
	rc, err := open(p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d MiB", max>>20)
	}
	return b, nil
}

// isTabular reports whether an object is HSDS's tabular JSON form:
// {"services.csv": [rows], …}.
func isTabular(obj map[string]any) bool {
	if len(obj) == 0 {
		return false
	}
	for key, v := range obj {
		if _, arr := v.([]any); !arr || !strings.HasSuffix(key, ".csv") {
			return false
		}
	}
	return true
}

func (k *Checker) checkTabular(obj map[string]any, name string, r *Report) {
	var t tables
	for _, key := range sortedKeys(obj) {
		entity := tableEntity(key)
		if entity == "" {
			r.add(Issue{Level: 2, Code: "datapackage", Message: fmt.Sprintf("%s is not an HSDS table; skipped", key), Where: name})
			continue
		}
		for i, row := range obj[key].([]any) {
			where := fmt.Sprintf("%s: %s row %d", name, key, i+1)
			if m, ok := row.(map[string]any); ok {
				// Tabular JSON mirrors CSV cells: a number in a text column is its text.
				for col, v := range m {
					if f, isNum := v.(float64); isNum {
						if _, isNum := k.cellValue(entity, col, "0").(float64); !isNum {
							m[col] = strconv.FormatFloat(f, 'f', -1, 64)
						}
					}
				}
			}
			k.checkEntity(row, entity, where, r)
			if m, ok := row.(map[string]any); ok {
				t.note(entity, m, where, r)
			}
		}
	}
	t.finish(r)
}
