// Package spreadsheet is the `spreadsheet` collector: CSV or XLSX files (path
// or URL, through the shared fetch layer) read row by row in constant memory
// and mapped to records by a declared mapping or a built-in preset (gias,
// dfe_ehcp_needs, dfe_ehcp_caseload).
package spreadsheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/localoffer/localoffer/collectors/collect"
	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/internal/gias"
	"github.com/localoffer/localoffer/internal/sheet"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/pii"
)

// DefaultMaxBytes caps a spreadsheet's size (GIAS's full export is ~60 MB).
const DefaultMaxBytes = 1 << 30

// Collector reads one spreadsheet per run.
type Collector struct {
	Source  string // URL, file:// URL or path
	Options Options
	Area    string // default GSS area for rows with none
}

// New builds the collector of one file (a path, already resolved, or a URL);
// area is the pipeline's default GSS area for rows with none.
func New(source string, o Options, area string) *Collector {
	return &Collector{Source: source, Options: o, Area: area}
}

// Collect fetches the file, reads it and emits one or more records per row.
func (c *Collector) Collect(ctx context.Context, run *collect.Run) error {
	maxBytes := c.Options.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	opts := []fetch.GetOption{fetch.MaxBytes(maxBytes)}
	if c.Options.Entity == "feedback" {
		// Comments carry personal data: read the export, keep only scrubbed records.
		opts = append(opts, fetch.Transient())
	}
	doc, err := run.Fetch.Get(ctx, c.Source, opts...)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", c.Source, err)
	}
	defer doc.Discard()
	prov := schema.Provenance{Pipeline: run.Pipeline, SourceURL: c.Source, FetchedAt: doc.FetchedAt, DocumentSHA256: doc.SHA256}
	return c.read(ctx, run, doc.BlobPath(), prov)
}

// read maps the rows of a local file; split from Collect so benchmarks and
// tests can drive it with a file already on disk.
func (c *Collector) read(ctx context.Context, run *collect.Run, file string, prov schema.Provenance) error {
	o := c.Options
	// Every problem is reported; the runner caps each kind per run.
	warnings := 0
	warn := func(recordID, msg string) {
		if o.Entity == "feedback" {
			// Cell errors quote the cell; a feedback cell may hold personal data.
			msg, _ = pii.Scrub(msg)
		}
		warnings++
		if run.Warn != nil {
			run.Warn(c.Source, recordID, msg)
		}
	}
	sopts := sheet.Options{
		Sheet: o.Sheet, HeaderRow: o.HeaderRow, Delimiter: o.Delimiter, Encoding: o.Encoding, Name: c.Source,
		Warn: func(line int, msg string) { warn("", fmt.Sprintf("row %d: %s", line, msg)) },
	}
	nr, err := newNeedReader()
	if err != nil {
		return err
	}
	e := env{pipeline: run.Pipeline, source: c.Source, area: c.Area, measure: o.Measure, sourceLabel: o.SourceLabel, needs: nr}
	if e.sourceLabel == "" {
		e.sourceLabel = defaultSourceLabel(o.Preset, c.Source)
	}
	var r rowReader
	var m rowMapper
	var dfe *dfeMapper
	if o.Preset == "gias" {
		// GIAS files are read by the shared reader, which reads only the
		// columns the preset maps (of 140).
		g, err := gias.Open(file, sopts, giasRequired...)
		var missing *gias.MissingColumnError
		if errors.As(err, &missing) {
			return missingColumn(e.source, "preset gias", missing.Column, missing.Header)
		}
		if err != nil {
			return err
		}
		r, m = g, newGIASMapper(g, e)
	} else {
		sr, err := sheet.Open(file, sopts)
		if err != nil {
			return err
		}
		r = sr
	}
	defer r.Close()
	switch o.Preset {
	case "gias":
	case "dfe_ehcp_needs", "dfe_ehcp_caseload":
		caseload := o.Preset == "dfe_ehcp_caseload"
		if e.measure == "" {
			e.measure = measureFor(c.Source, caseload)
		}
		dfe, err = newDFEMapper(r.Header(), e, caseload)
		m = dfe
	case "":
		m, err = newMappingMapper(r.Header(), o, e)
	default:
		err = fmt.Errorf("unknown preset %q", o.Preset)
	}
	if err != nil {
		return err
	}
	rows, emitted := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rows++
		recs, problems := m.Map(row, r.Line())
		id := ""
		if len(recs) > 0 {
			id = recs[len(recs)-1].ID()
		}
		for _, p := range problems {
			warn(id, fmt.Sprintf("row %d, column %q: %s", r.Line(), p.Column, p.Msg))
		}
		for _, rec := range recs {
			setProvenance(rec, prov, run.Pipeline)
			if err := run.Emit(ctx, rec); err != nil {
				return err
			}
			emitted++
		}
	}
	// Rows are what the file declares: rows and no records means a wrong
	// preset or mapping, and fails the run.
	run.Declare(rows)
	if dfe != nil && len(dfe.skipped) > 0 && run.Log != nil {
		run.Log.Info("breakdowns outside the demand model skipped", "source", c.Source, "topics", dfe.skipped)
	}
	if run.Log != nil {
		run.Log.Info("spreadsheet read", "source", c.Source, "rows", rows, "records", emitted, "problems", warnings)
	}
	run.FullSweep = true
	return nil
}

func defaultSourceLabel(preset, source string) string {
	base := path.Base(strings.ReplaceAll(source, "\\", "/"))
	switch preset {
	case "dfe_ehcp_needs", "dfe_ehcp_caseload":
		return "DfE Education, health and care plans (" + base + ")"
	case "gias":
		return "DfE Get Information about Schools (" + base + ")"
	}
	return base
}

// rowReader is a file's data rows: the shared sheet reader, or the GIAS
// reader over it.
type rowReader interface {
	Header() []string
	Next() ([]string, error)
	Line() int
	Close() error
}

// setProvenance stamps each record with where it came from; SourceID is the
// id without the pipeline namespace.
func setProvenance(rec *schema.Record, prov schema.Provenance, pipeline string) {
	p := prov
	p.Pipeline = pipeline
	p.SourceID = strings.TrimPrefix(rec.ID(), pipeline+"/")
	rec.SetProv(&p)
}
