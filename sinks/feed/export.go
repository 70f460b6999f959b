package feed

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Formats an export can be written in.
const (
	FormatHSDSJSON    = "hsds-json"
	FormatNDJSON      = "ndjson"
	FormatDatapackage = "datapackage"
)

// Options says what to export where.
type Options struct {
	Format string
	Out    string // directory; replaced as a whole when the export succeeds
	Now    time.Time
}

// Stats counts what was exported.
type Stats struct {
	Services      int `json:"services"`
	Organizations int `json:"organizations"`
	Locations     int `json:"locations"`
	// Withheld lists records left out because they fail the official schema.
	Withheld []Withheld `json:"withheld,omitempty"`
}

// Export writes the warehouse's current services (with their organisations
// and locations) to opts.Out. It writes into a temporary directory beside Out
// and renames it into place only when everything is written, so a failed
// export leaves Out as it was.
func Export(ctx context.Context, c warehouse.Conn, opts Options, log *slog.Logger) (Stats, error) {
	var st Stats
	switch opts.Format {
	case FormatHSDSJSON, FormatNDJSON, FormatDatapackage:
	default:
		return st, fmt.Errorf("unknown export format %q (want %s, %s or %s)", opts.Format, FormatHSDSJSON, FormatNDJSON, FormatDatapackage)
	}
	if opts.Out == "" {
		return st, fmt.Errorf("no output directory")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if err := CheckOut(opts.Out); err != nil {
		return st, err
	}
	orgs, err := LoadPayloads[schema.Organization](ctx, c, "organizations_current")
	if err != nil {
		return st, err
	}
	locs, err := LoadPayloads[schema.Location](ctx, c, "locations_current")
	if err != nil {
		return st, err
	}
	parent := filepath.Dir(filepath.Clean(opts.Out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return st, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(opts.Out)+".tmp-")
	if err != nil {
		return st, fmt.Errorf("create temporary export directory: %w", err)
	}
	defer os.RemoveAll(tmp) // after a successful rename this is a no-op
	if err := writeMarker(tmp, opts.Format, opts.Now); err != nil {
		return st, fmt.Errorf("write export marker: %w", err)
	}

	conf, err := NewConformance()
	if err != nil {
		return st, err
	}
	var w writer
	switch opts.Format {
	case FormatHSDSJSON:
		w, err = newJSONWriter(tmp)
	case FormatNDJSON:
		w, err = newNDJSONWriter(tmp)
	case FormatDatapackage:
		w, err = newTableWriter(tmp)
	}
	if err != nil {
		return st, err
	}
	err = warehouse.QueryEach(ctx, c, "SELECT id, payload FROM services_current ORDER BY id", func(r payloadRow) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var s schema.Service
		if err := json.Unmarshal([]byte(r.Payload), &s); err != nil {
			return fmt.Errorf("decode service %s from the warehouse: %w", r.ID, err)
		}
		h := Service(&s, orgs, locs)
		if reasons, err := conf.Check("service", h); err != nil || len(reasons) > 0 {
			if err != nil {
				return fmt.Errorf("check %s: %w", describe(&s), err)
			}
			st.Withheld = append(st.Withheld, Withheld{Type: "service", ID: r.ID, Name: s.Name, Reasons: reasons})
			return nil
		}
		if err := w.service(h); err != nil {
			return fmt.Errorf("write %s: %w", describe(&s), err)
		}
		st.Services++
		return nil
	})
	if err != nil {
		w.close()
		return st, fmt.Errorf("export services: %w", err)
	}
	for _, id := range sortedKeys(orgs) {
		o := Organization(orgs[id], locs)
		reasons, err := conf.Check("organization", o)
		if err != nil {
			w.close()
			return st, fmt.Errorf("check organization %s: %w", id, err)
		}
		if len(reasons) > 0 {
			st.Withheld = append(st.Withheld, Withheld{Type: "organization", ID: id, Name: orgs[id].Name, Reasons: reasons})
			continue
		}
		if err := w.organization(o); err != nil {
			w.close()
			return st, fmt.Errorf("write organization %s: %w", id, err)
		}
		st.Organizations++
	}
	st.Locations = len(locs)
	if err := w.finish(opts, st); err != nil {
		return st, err
	}
	if err := replaceDir(tmp, opts.Out); err != nil {
		return st, err
	}
	log.Info("export written", "format", opts.Format, "out", opts.Out, "services", st.Services, "organizations", st.Organizations,
		"withheld", len(st.Withheld))
	return st, nil
}

type payloadRow struct {
	ID      string `json:"id"`
	Payload string `json:"payload"`
}

// LoadPayloads decodes the JSON payload of every row of a *_current view,
// by id (export and serve's snapshot both join services to these).
func LoadPayloads[T any](ctx context.Context, c warehouse.Conn, view string) (map[string]*T, error) {
	out := map[string]*T{}
	err := warehouse.QueryEach(ctx, c, "SELECT id, payload FROM "+view, func(r payloadRow) error {
		v := new(T)
		if err := json.Unmarshal([]byte(r.Payload), v); err != nil {
			return fmt.Errorf("decode %s row %s: %w", view, r.ID, err)
		}
		out[r.ID] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", view, err)
	}
	return out, nil
}

// replaceDir moves tmp to out, swapping out any previous export.
func replaceDir(tmp, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = out + ".old-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("move previous export %s aside: %w", out, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("move export into %s: %w", out, err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

type writer interface {
	service(*schema.Service) error
	organization(*schema.Organization) error
	finish(Options, Stats) error
	close()
}

func writeJSONFile(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Index is index.json: what the feed is.
type Index struct {
	Version       string            `json:"version"`
	Profile       string            `json:"profile"`
	Format        string            `json:"format"`
	GeneratedAt   time.Time         `json:"generated_at"`
	Services      int               `json:"services"`
	Organizations int               `json:"organizations"`
	Taxonomies    []schema.Taxonomy `json:"taxonomies"`
	// Withheld: records in the warehouse that fail the official HSDS 3.0
	// schema, with the reasons; the feed leaves them out.
	Withheld []Withheld `json:"withheld"`
}

func index(opts Options, st Stats) Index {
	withheld := st.Withheld
	if withheld == nil {
		withheld = []Withheld{}
	}
	return Index{Version: "3.0", Profile: ProfileURL, Format: opts.Format, GeneratedAt: opts.Now,
		Services: st.Services, Organizations: st.Organizations, Taxonomies: Taxonomies(), Withheld: withheld}
}

// jsonWriter: services/{id}.json, organizations/{id}.json, index.json.
type jsonWriter struct{ dir string }

func newJSONWriter(dir string) (*jsonWriter, error) {
	for _, d := range []string{"services", "organizations"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	return &jsonWriter{dir: dir}, nil
}

func (w *jsonWriter) service(s *schema.Service) error {
	return writeJSONFile(filepath.Join(w.dir, "services", s.ID+".json"), s)
}
func (w *jsonWriter) organization(o *schema.Organization) error {
	return writeJSONFile(filepath.Join(w.dir, "organizations", o.ID+".json"), o)
}
func (w *jsonWriter) finish(opts Options, st Stats) error {
	return writeJSONFile(filepath.Join(w.dir, "index.json"), index(opts, st))
}
func (w *jsonWriter) close() {}

// ndjsonWriter: services.ndjson (one service a line), organizations.ndjson, index.json.
type ndjsonWriter struct {
	dir        string
	files      []*os.File
	svc, org   *bufio.Writer
	svcE, orgE *json.Encoder
}

func newNDJSONWriter(dir string) (*ndjsonWriter, error) {
	w := &ndjsonWriter{dir: dir}
	open := func(name string) (*bufio.Writer, *json.Encoder, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		w.files = append(w.files, f)
		bw := bufio.NewWriterSize(f, 1<<16)
		e := json.NewEncoder(bw)
		e.SetEscapeHTML(false)
		return bw, e, nil
	}
	var err error
	if w.svc, w.svcE, err = open("services.ndjson"); err != nil {
		return nil, err
	}
	if w.org, w.orgE, err = open("organizations.ndjson"); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *ndjsonWriter) service(s *schema.Service) error           { return w.svcE.Encode(s) }
func (w *ndjsonWriter) organization(o *schema.Organization) error { return w.orgE.Encode(o) }
func (w *ndjsonWriter) finish(opts Options, st Stats) error {
	for _, b := range []*bufio.Writer{w.svc, w.org} {
		if err := b.Flush(); err != nil {
			w.close()
			return err
		}
	}
	for _, f := range w.files {
		if err := f.Close(); err != nil {
			return err
		}
	}
	w.files = nil
	return writeJSONFile(filepath.Join(w.dir, "index.json"), index(opts, st))
}
func (w *ndjsonWriter) close() {
	for _, f := range w.files {
		f.Close()
	}
}
