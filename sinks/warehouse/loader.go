package warehouse

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/localoffer/localoffer/schema"
)

// Loader writes one run's records in chunks. A record whose content equals its
// current version is not written again (only marked as seen), so loading the
// same source twice changes nothing visible.
//
// The work is split three ways: schema.Content says what a record contains
// (and its hash), rowMapper turns a record into rows per table, and
// chunkWriter writes them; the Loader decides what is written.
type Loader struct {
	w        *Warehouse
	pipeline string
	runID    string
	now      time.Time
	version  uint64
	rows     rowMapper
	out      *chunkWriter

	// current maps a hash of each id to the first 8 bytes of its current content
	// hash: 16 bytes an entity instead of two strings, so 500,000 services cost
	// about 20 MB. A 64-bit collision could at worst cause one extra write.
	current map[schema.Kind]map[uint64]uint64
	// firstSeen maps a quarantine row or field issue (by key hash) to when it
	// was first met, so a rerun refreshes the row instead of adding one.
	firstSeen map[string]map[uint64]sighting
	// run is the run's constants as row values, boxed once rather than per row.
	run struct{ pipeline, runID, now, version any }
	// lastURL is the last source URL redacted and its redacted form: the
	// records of one page share their URL, so most records are answered here.
	lastURL atomic.Pointer[[2]string]

	Stats LoadStats
}

// LoadStats counts what a Loader did.
type LoadStats struct {
	Loaded      int
	Unchanged   int
	Quarantined int
	Flags       int
	// Repaired and Dropped count field issues; RecordsWithDrops the loaded
	// (new or unchanged) records that lost at least one field.
	Repaired         int
	Dropped          int
	RecordsWithDrops int
}

type sighting struct {
	run string
	at  time.Time
}

// NewLoader starts loading for one run. chunk is the rows per insert.
func (w *Warehouse) NewLoader(pipeline, runID string, chunk int) *Loader {
	if chunk <= 0 {
		chunk = 10000
	}
	now := time.Now().UTC()
	version := uint64(now.UnixNano())
	l := &Loader{
		w: w, pipeline: pipeline, runID: runID, now: now, version: version,
		rows:      rowMapper{pipeline: pipeline, runID: runID, version: version},
		out:       newChunkWriter(w, chunk),
		current:   map[schema.Kind]map[uint64]uint64{},
		firstSeen: map[string]map[uint64]sighting{},
	}
	l.run.pipeline, l.run.runID, l.run.now, l.run.version = pipeline, runID, now, version
	return l
}

// Flush writes everything buffered and waits for it.
func (l *Loader) Flush(ctx context.Context) error { return l.out.flush(ctx) }

// currentHashes loads the content hash of every current record of a kind in this pipeline.
func (l *Loader) currentHashes(ctx context.Context, k schema.Kind) (map[uint64]uint64, error) {
	if m, ok := l.current[k]; ok {
		return m, nil
	}
	m := map[uint64]uint64{}
	q := fmt.Sprintf("SELECT id, argMax(content_hash, _version) AS h FROM %s WHERE pipeline = %s GROUP BY id",
		k.Table(), Quote(l.pipeline))
	err := l.w.Query(ctx, q, func(_ []string, row []json.RawMessage) error {
		var id, h string
		if err := json.Unmarshal(row[0], &id); err != nil {
			return err
		}
		if err := json.Unmarshal(row[1], &h); err != nil {
			return err
		}
		m[idKey(id)] = hashPrefix(h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read current versions of %s: %w", k.Table(), err)
	}
	l.current[k] = m
	return m, nil
}

func idKey(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// hashPrefix reads the first 8 bytes of a hex content hash.
func hashPrefix(h string) uint64 {
	if len(h) < 16 {
		return 0
	}
	v, _ := strconv.ParseUint(h[:16], 16, 64)
	return v
}

// Prepared is a record encoded for loading. Preparing is the costly, pure part
// (JSON, hashing, rows) and may run on many goroutines; AddPrepared is the
// cheap, serial part.
type Prepared struct {
	kind       schema.Kind
	id         string
	hash       string
	sourceURL  string
	rows       []tableRow
	flags      []schema.Flag
	issues     []schema.FieldIssue
	quarantine *quarantined
}

type quarantined struct {
	fingerprint, errors, payload string
}

// Prepare encodes a valid record. Safe for concurrent use.
func (l *Loader) Prepare(rec *schema.Record) (*Prepared, error) {
	return l.PrepareEncoded(rec, nil, nil)
}

// PrepareEncoded encodes a valid record with the repairs and drops that made
// it valid (written to field_issues). encoded is the record's entity as
// json.Marshal writes it, provenance included (the bytes the validator
// checked), so the record is not encoded twice; nil encodes it here. The
// content is written over encoded, which the caller must not use afterwards.
// Safe for concurrent use.
func (l *Loader) PrepareEncoded(rec *schema.Record, encoded []byte, issues []schema.FieldIssue) (*Prepared, error) {
	id := rec.ID()
	if id == "" {
		return nil, fmt.Errorf("%s record without an id", rec.Kind)
	}
	var content schema.Content
	var err error
	if encoded != nil {
		content, err = schema.ContentFromJSON(encoded)
	} else {
		content, err = schema.ContentOf(rec)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", rec.Kind, id, err)
	}
	prov := rec.Prov()
	if prov == nil {
		prov = &schema.Provenance{Pipeline: l.pipeline}
	}
	// Provenance is not content: redacting it leaves the hash as it was.
	prov.SourceURL = l.redactURL(prov.SourceURL)
	// The content bytes are never changed after this, so the payload column
	// shares them instead of copying.
	payload := unsafe.String(unsafe.SliceData(content.JSON), len(content.JSON))
	rows, err := l.rows.rows(rec.Entity(), prov, payload, content.Hash)
	if err != nil {
		return nil, err
	}
	return &Prepared{kind: rec.Kind, id: id, hash: content.Hash, sourceURL: prov.SourceURL, rows: rows, flags: rec.Flags, issues: issues}, nil
}

// redactURL is l.w.redact for source URLs, remembering the last one. Safe for concurrent use.
func (l *Loader) redactURL(u string) string {
	if last := l.lastURL.Load(); last != nil && last[0] == u {
		return last[1]
	}
	r := l.w.redact(u)
	l.lastURL.Store(&[2]string{u, r})
	return r
}

// PrepareQuarantine encodes an invalid record with its problems. Safe for concurrent use.
func (l *Loader) PrepareQuarantine(rec *schema.Record, problems []schema.Problem) *Prepared {
	payload, err := json.Marshal(rec.Entity())
	if err != nil {
		payload = []byte(fmt.Sprintf("%q", fmt.Sprint(rec.Entity())))
	}
	errs, _ := json.Marshal(problems)
	src := ""
	if p := rec.Prov(); p != nil {
		src = l.w.redact(p.SourceURL)
	}
	return &Prepared{kind: rec.Kind, id: rec.ID(), sourceURL: src,
		quarantine: &quarantined{fingerprint: QuarantineFingerprint(rec.ID(), l.w.redact(string(errs)), string(payload)), errors: l.w.redact(string(errs)), payload: string(payload)}}
}

// QuarantineFingerprint identifies one record's set of errors: the same record
// with the same errors is one quarantine row however often it is met. A
// record without an id is told apart by its payload. (Migration 0100 computes
// the same for rows written before it.)
func QuarantineFingerprint(recordID, errors, payload string) string {
	h := md5.New()
	h.Write([]byte(errors))
	if recordID == "" {
		h.Write([]byte(payload))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AddPrepared buffers a prepared record: an unchanged record is only marked seen.
func (l *Loader) AddPrepared(ctx context.Context, p *Prepared) error {
	if q := p.quarantine; q != nil {
		l.Stats.Quarantined++
		first, err := l.sighting(ctx, "quarantine", string(p.kind), p.id, q.fingerprint)
		if err != nil {
			return err
		}
		return l.out.add(ctx, "quarantine", quarantineColumns, []any{l.pipeline, string(p.kind), p.id, q.fingerprint, p.sourceURL,
			q.errors, q.payload, first.run, l.run.runID, first.at, l.run.now, l.run.version})
	}
	cur, err := l.currentHashes(ctx, p.kind)
	if err != nil {
		return err
	}
	if err := l.out.add(ctx, "entity_seen", seenColumns, []any{l.run.pipeline, l.run.runID, string(p.kind), p.id, l.run.now}); err != nil {
		return err
	}
	for _, f := range p.flags {
		l.Stats.Flags++
		if err := l.out.add(ctx, "flag_observations", flagObsColumns,
			[]any{l.run.runID, l.run.pipeline, string(p.kind), p.id, f.Flag, f.Reason, f.Evidence, l.run.now}); err != nil {
			return err
		}
	}
	if err := l.addIssues(ctx, p); err != nil {
		return err
	}
	key, hp := idKey(p.id), hashPrefix(p.hash)
	if prev, ok := cur[key]; ok && prev == hp {
		l.Stats.Unchanged++
		return nil
	}
	cur[key] = hp
	l.Stats.Loaded++
	for _, r := range p.rows {
		if err := l.out.add(ctx, r.table, r.columns, r.row); err != nil {
			return err
		}
	}
	return nil
}

func (l *Loader) addIssues(ctx context.Context, p *Prepared) error {
	dropped := false
	for _, is := range p.issues {
		if is.Action == schema.ActionDropped {
			l.Stats.Dropped++
			dropped = true
		} else {
			l.Stats.Repaired++
		}
		first, err := l.sighting(ctx, "field_issues", string(p.kind), p.id, is.Pointer+"\x00"+is.Rule)
		if err != nil {
			return err
		}
		if err := l.out.add(ctx, "field_issues", fieldIssueColumns, []any{l.pipeline, string(p.kind), p.id, is.Pointer, is.Original,
			is.Action, is.Value, is.Rule, is.Reason, p.sourceURL, first.run, l.run.runID, first.at, l.run.now, l.run.version}); err != nil {
			return err
		}
	}
	if dropped {
		l.Stats.RecordsWithDrops++
	}
	return nil
}

// sighting returns when a quarantine row or field issue was first met in this
// pipeline (this run, if never before), reading the table once per run.
func (l *Loader) sighting(ctx context.Context, table, kind, id, sub string) (sighting, error) {
	m, ok := l.firstSeen[table]
	if !ok {
		m = map[uint64]sighting{}
		var q string
		switch table {
		case "quarantine":
			q = fmt.Sprintf("SELECT entity_type, record_id, fingerprint AS sub, argMin(first_seen_run, quarantined_at) AS run, min(quarantined_at) AS at FROM quarantine WHERE pipeline = %s GROUP BY entity_type, record_id, fingerprint", Quote(l.pipeline))
		default:
			q = fmt.Sprintf("SELECT entity_type, record_id, concat(pointer, '\\0', rule) AS sub, argMin(first_seen_run, first_seen_at) AS run, min(first_seen_at) AS at FROM field_issues WHERE pipeline = %s GROUP BY entity_type, record_id, pointer, rule", Quote(l.pipeline))
		}
		err := l.w.Query(ctx, q, func(_ []string, row []json.RawMessage) error {
			var k, rid, sb, run, at string
			for i, dst := range []*string{&k, &rid, &sb, &run, &at} {
				if err := json.Unmarshal(row[i], dst); err != nil {
					return err
				}
			}
			t, _ := time.Parse("2006-01-02 15:04:05.000", at)
			m[sightingKey(k, rid, sb)] = sighting{run: run, at: t}
			return nil
		})
		if err != nil {
			return sighting{}, fmt.Errorf("read earlier %s of %s: %w", table, l.pipeline, err)
		}
		l.firstSeen[table] = m
	}
	k := sightingKey(kind, id, sub)
	if s, ok := m[k]; ok {
		return s, nil
	}
	s := sighting{run: l.runID, at: l.now}
	m[k] = s
	return s, nil
}

func sightingKey(kind, id, sub string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(sub))
	return h.Sum64()
}

// Add loads one valid record.
func (l *Loader) Add(ctx context.Context, rec *schema.Record) error {
	p, err := l.Prepare(rec)
	if err != nil {
		return err
	}
	return l.AddPrepared(ctx, p)
}
