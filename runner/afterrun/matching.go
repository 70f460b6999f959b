package afterrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localoffer/localoffer/collectors/fetch"
	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/transform/areas"
	"github.com/localoffer/localoffer/transform/match"
)

// Matcher is cross-source matching: one pass after a group of runs (the
// whole of `localoffer run`, or scheduled runs that finish together). It
// satisfies runner.Settler.
//
// The pass is incremental. The indexes live in memory between passes of one
// process (schedule, serve); a new process rebuilds them from the warehouse
// without comparing anything (each record's features and the assignment the
// last pass wrote). Either way only records whose version is newer than the
// last pass's watermark — and organisations whose locations or services
// changed — are compared against the index.
type Matcher struct {
	Threshold float64
	// Decisions is the matches.yaml path ("" for none); read at every pass,
	// so an edit takes effect at the next one.
	Decisions string
	Log       *slog.Logger
	Now       func() time.Time
	// SnapshotDir keeps a snapshot of the indexes (SaveSnapshot; "" for
	// none), so a new process starts from it instead of rebuilding from the
	// warehouse. A snapshot is used only when it holds the state of the pass
	// the warehouse records as the latest.
	SnapshotDir string

	// release, after a pass that rebuilt the indexes from the warehouse,
	// hands the garbage of that rebuild back to the OS (nil:
	// debug.FreeOSMemory; tests count the calls).
	release func()

	mu    sync.Mutex
	state *matchState
}

type matchState struct {
	passID    string
	watermark uint64
	idx       map[match.Kind]*match.Index
}

// NewMatcher builds the matching pass from the configuration.
func NewMatcher(cfg *config.Config, log *slog.Logger) *Matcher {
	th := cfg.Transform.MatchThreshold
	if th <= 0 {
		th = 0.85 // config's default, for callers that did not go through config.Parse
	}
	m := &Matcher{Threshold: th, Log: log, Now: time.Now}
	if p := cfg.Transform.Matches; p != "" {
		m.Decisions = cfg.Resolve(p)
	}
	return m
}

// CheckDecisions reads the decisions file once, so a bad one fails at start-up.
func (m *Matcher) CheckDecisions() error {
	_, err := m.decisions()
	return err
}

func (m *Matcher) decisions() (match.Decisions, error) {
	if m.Decisions == "" {
		return match.Decisions{}, nil
	}
	return match.LoadDecisions(m.Decisions)
}

var kinds = []match.Kind{match.Organization, match.Service, match.Location}

type passRow struct {
	PassID    string `json:"pass_id"`
	Watermark string `json:"watermark"`
}

// Settle runs one matching pass, then raises status_conflict for the runs
// with the clusters it found.
func (m *Matcher) Settle(ctx context.Context, w *warehouse.Warehouse, runs []warehouse.Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rebuilt, err := m.pass(ctx, w, runs)
	if err != nil {
		m.state = nil // rebuilt from the warehouse next time
		return fmt.Errorf("matching pass: %w", err)
	}
	if rebuilt {
		// Rebuilding reads every record back: the decoded rows and the
		// pass's work leave the heap at about 1.5 times the index it keeps
		// (240 MB against 160 for 205,000 records), and Go returns freed
		// pages to the OS only slowly. The engine's whole-warehouse queries
		// after matching (status conflicts, the gap refresh) then stacked
		// on top of that garbage. One collection here costs a mark of the
		// index, once per rebuild (an incremental pass has little garbage).
		m.releaseMemory()
	}
	return m.statusConflicts(ctx, w, runs)
}

// rebuildGCPercent is the GOGC in effect while the indexes are rebuilt.
const rebuildGCPercent = 50

// tightGC lowers GOGC to rebuildGCPercent (never raising a lower setting,
// nor turning a disabled collector on) and returns what puts it back.
func tightGC() (restore func()) {
	prev := debug.SetGCPercent(rebuildGCPercent)
	if prev < rebuildGCPercent {
		debug.SetGCPercent(prev)
	}
	return func() { debug.SetGCPercent(prev) }
}

func (m *Matcher) releaseMemory() {
	if m.release != nil {
		m.release()
		return
	}
	debug.FreeOSMemory()
}

// pass runs one matching pass; rebuilt says it rebuilt the indexes from the
// warehouse (a new process without a usable snapshot).
func (m *Matcher) pass(ctx context.Context, w *warehouse.Warehouse, runs []warehouse.Run) (rebuilt bool, err error) {
	now := m.Now().UTC()
	if m.Log != nil {
		m.Log.Debug("matching pass: started", "runs", len(runs))
	}
	dec, err := m.decisions()
	if err != nil {
		return false, err
	}
	last, err := warehouse.QueryInto[passRow](ctx, w, `SELECT pass_id, toString(max(watermark)) AS watermark FROM match_passes
GROUP BY pass_id ORDER BY max(_version) DESC LIMIT 1`)
	if err != nil {
		return false, fmt.Errorf("read the last pass: %w", err)
	}
	var lastID string
	var lastMark uint64
	if len(last) == 1 {
		lastID = last[0].PassID
		lastMark, _ = strconv.ParseUint(last[0].Watermark, 10, 64)
	}
	mark, err := warehouse.QueryScalar[string](ctx, w, `SELECT toString(greatest(
  (SELECT max(_version) FROM organizations), (SELECT max(_version) FROM services), (SELECT max(_version) FROM locations)))`)
	if err != nil {
		return false, fmt.Errorf("read the watermark: %w", err)
	}
	newMark, _ := strconv.ParseUint(mark, 10, 64)
	// Rows carry their run's start as version. A run still loading (in this
	// process or another) may yet insert rows older than newMark: the
	// watermark stays below its start, so the next pass reads them. A run
	// marked running for over a day is taken for a crashed process.
	inFlight, err := warehouse.QueryScalar[string](ctx, w, `SELECT toString(ifNull(min(toUnixTimestamp64Nano(started_at)), 0))
FROM runs FINAL WHERE status = 'running' AND started_at > now64(3) - INTERVAL 1 DAY`)
	if err != nil {
		return false, fmt.Errorf("read runs in flight: %w", err)
	}
	if v, _ := strconv.ParseUint(inFlight, 10, 64); v > 0 && v <= newMark {
		newMark = v - 1
	}
	since := lastMark

	started := time.Now()
	full := false
	st := m.state
	if (st == nil || st.passID != lastID) && lastID != "" {
		if snap := m.readSnapshots(lastID); snap != nil {
			st = snap
			m.state = snap // in memory from here: only the changes are read
		}
	}
	if st == nil || st.passID != lastID {
		// A new process without a snapshot, or another process has matched
		// since: rebuild from the warehouse.
		st = &matchState{}
		m.newIndexes(st)
		// Every record is decoded into the growing index: the heap would
		// reach twice what was live at the previous collection (GOGC=100)
		// at the process's peak, beside the engine. Collecting at 1.5 times
		// costs a few collections of the index (tens of ms of CPU each).
		defer tightGC()()
		full = lastID == ""
		if err := m.restore(ctx, w, st, lastID != "", since); err != nil {
			return false, err
		}
	} else if err := m.readChanged(ctx, w, st, since); err != nil {
		return false, err
	}
	for _, k := range kinds {
		st.idx[k].SetDecisions(dec.Same, dec.Different)
	}
	readTook := time.Since(started)
	rebuilt = st != m.state
	if m.Log != nil {
		how := "index in memory or from its snapshot"
		if rebuilt {
			how = "index rebuilt from the warehouse"
		}
		m.Log.Info("matching pass: read", "how", how, "full", full, "took", readTook.Round(time.Millisecond))
	}

	passID := now.Format("20060102T150405.000Z") + "-" + randomHex(4)
	version := uint64(now.UnixNano())
	runIDs := make([]string, 0, len(runs))
	for _, r := range runs {
		runIDs = append(runIDs, r.RunID)
	}
	var passRows [][]any
	for _, k := range kinds {
		t0 := time.Now()
		x := st.idx[k]
		ps := x.Pass()
		if k == match.Organization {
			// Services and locations compare organisations by canonical id:
			// those of an organisation whose cluster changed are compared again.
			ids := make([]string, len(ps.Changed))
			for i, a := range ps.Changed {
				ids[i] = a.ID
			}
			st.idx[match.Service].TouchOrgs(ids...)
			st.idx[match.Location].TouchOrgs(ids...)
		}
		rows := make([][]any, 0, len(ps.Changed))
		for _, a := range ps.Changed {
			rows = append(rows, []any{string(k), a.ID, a.Pipeline, a.Canonical, a.LinkedTo, a.LinkedPipe, a.Score, a.Reason, passID, now, version})
		}
		if len(rows) > 0 {
			if err := w.Insert(ctx, "entity_matches", []string{"entity_type", "entity_id", "pipeline", "canonical_id", "linked_to", "linked_pipeline",
				"score", "reason", "pass_id", "matched_at", "_version"}, rows); err != nil {
				return false, fmt.Errorf("write %s matches: %w", k, err)
			}
		}
		took := time.Since(t0)
		if k == match.Organization {
			took += readTook // reading is shared; it is counted once
		}
		passRows = append(passRows, []any{passID, string(k), runIDs, now, m.Threshold, newMark, boolByte(full), uint64(ps.Records),
			uint64(ps.Staged), uint64(ps.Compared), uint64(len(ps.Changed)), uint64(ps.Grouped), took.Seconds(), version})
		if m.Log != nil {
			m.Log.Info("matched", "entity_type", string(k), "records", ps.Records, "compared_records", ps.Staged, "comparisons", ps.Compared,
				"changed", len(ps.Changed), "grouped", ps.Grouped, "capped_blocks", ps.Capped, "took", took.Round(time.Millisecond))
		}
	}
	// The pass rows go last: a pass that failed half-way leaves the watermark
	// where it was, and the next pass reads the same changes again.
	if err := w.Insert(ctx, "match_passes", []string{"pass_id", "entity_type", "runs", "matched_at", "threshold", "watermark", "full",
		"records", "staged", "compared", "changed", "grouped", "seconds", "_version"}, passRows); err != nil {
		return false, fmt.Errorf("record matching pass: %w", err)
	}
	st.passID, st.watermark = passID, newMark
	m.state = st
	return rebuilt, nil
}

// SaveSnapshot writes the indexes as the last pass left them, for the next
// process. It is called once when the process ends (after `run`, when
// `schedule` stops), not after every pass: writing half a million records
// costs about as much as an incremental pass.
func (m *Matcher) SaveSnapshot() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != nil {
		m.writeSnapshots(m.state)
	}
}

func (m *Matcher) newIndexes(st *matchState) {
	st.idx = map[match.Kind]*match.Index{}
	for _, k := range kinds {
		st.idx[k] = match.NewIndex(m.indexOptions(st, k))
	}
}

func (m *Matcher) indexOptions(st *matchState, k match.Kind) match.Options {
	opt := match.Options{Kind: k, Threshold: m.Threshold}
	if k != match.Organization {
		opt.OrgCanonical = func(id string) string { return st.idx[match.Organization].Canonical(id) }
	}
	return opt
}

func (m *Matcher) snapshotPath(k match.Kind) string {
	return filepath.Join(m.SnapshotDir, string(k)+".idx")
}

// readSnapshots returns the indexes as the pass passID left them, or nil
// when there is no usable snapshot of that pass.
func (m *Matcher) readSnapshots(passID string) *matchState {
	if m.SnapshotDir == "" {
		return nil
	}
	st := &matchState{passID: passID, idx: map[match.Kind]*match.Index{}}
	for _, k := range kinds {
		f, err := os.Open(m.snapshotPath(k))
		if err != nil {
			return nil
		}
		x, id, err := match.ReadSnapshot(f, m.indexOptions(st, k))
		f.Close()
		if err != nil || id != passID {
			if err != nil && m.Log != nil {
				m.Log.Warn("matching index snapshot not used", "file", m.snapshotPath(k), "err", err)
			}
			return nil
		}
		st.idx[k] = x
	}
	return st
}

// writeSnapshots keeps the indexes for the next process; a failure costs that
// process a rebuild from the warehouse, nothing else.
func (m *Matcher) writeSnapshots(st *matchState) {
	if m.SnapshotDir == "" {
		return
	}
	err := os.MkdirAll(m.SnapshotDir, 0o755)
	for _, k := range kinds {
		if err != nil {
			break
		}
		path := m.snapshotPath(k)
		var f *os.File
		if f, err = os.CreateTemp(m.SnapshotDir, string(k)+".tmp-*"); err != nil {
			break
		}
		err = st.idx[k].WriteSnapshot(f, st.passID)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}
	if err != nil && m.Log != nil {
		m.Log.Warn("matching index snapshot not written; the next process rebuilds it from the warehouse", "dir", m.SnapshotDir, "err", err)
	}
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// changedFilter restricts a record query to versions newer than since.
func changedFilter(table string, since uint64) string {
	return fmt.Sprintf("id IN (SELECT id FROM %s WHERE _version > %d)", table, since)
}

// orgFilter: organisations that changed, or whose locations or services did.
func orgFilter(since uint64) string {
	return fmt.Sprintf(`id IN (SELECT id FROM organizations WHERE _version > %[1]d
  UNION DISTINCT SELECT organization_id FROM locations WHERE _version > %[1]d
  UNION DISTINCT SELECT organization_id FROM services WHERE _version > %[1]d)`, since)
}

// readChanged upserts the records changed since the last pass; an upsert of
// an unchanged record is a no-op.
func (m *Matcher) readChanged(ctx context.Context, w *warehouse.Warehouse, st *matchState, since uint64) error {
	return m.readAll(ctx, w, since, func(k match.Kind, e match.Entity, _ uint64) {
		st.idx[k].Upsert(e)
	})
}

// restore rebuilds the indexes from the warehouse: every current record with
// the assignment the last pass wrote, compared again only when it changed
// after that pass (or when there was no pass: then everything is compared).
func (m *Matcher) restore(ctx context.Context, w *warehouse.Warehouse, st *matchState, hadPass bool, since uint64) error {
	type assignment struct {
		Kind      string  `json:"entity_type"`
		ID        string  `json:"entity_id"`
		Canonical string  `json:"canonical_id"`
		LinkedTo  string  `json:"linked_to"`
		Score     float64 `json:"score"`
		Reason    string  `json:"reason"`
	}
	prev := map[match.Kind]map[string]assignment{}
	for _, k := range kinds {
		prev[k] = map[string]assignment{}
	}
	if hadPass {
		err := warehouse.QueryEach(ctx, w, `SELECT entity_type, entity_id, argMax(canonical_id, _version) AS canonical_id,
  argMax(linked_to, _version) AS linked_to, argMax(score, _version) AS score, argMax(reason, _version) AS reason
FROM entity_matches GROUP BY entity_type, entity_id`, func(a assignment) error {
			if p := prev[match.Kind(a.Kind)]; p != nil {
				p[a.ID] = a
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read the last assignments: %w", err)
		}
	}
	// Filled by each kind's reader on its own goroutine: one map per kind,
	// made before any reader starts.
	changed := map[match.Kind]*[]string{}
	for _, k := range kinds {
		changed[k] = new([]string)
	}
	m.reserve(ctx, w, st)
	err := m.readAll(ctx, w, 0, func(k match.Kind, e match.Entity, version uint64) {
		x := st.idx[k]
		if !hadPass {
			x.Upsert(e)
			return
		}
		a := prev[k][e.ID]
		x.Restore(e, a.Canonical, a.LinkedTo, a.Score, a.Reason)
		if version > since {
			*changed[k] = append(*changed[k], e.ID)
		}
	})
	if err != nil {
		return err
	}
	for _, k := range kinds {
		st.idx[k].FinishRestore()
		st.idx[k].Touch(*changed[k]...)
	}
	return nil
}

// reserve sizes the empty indexes for the records about to be read: an
// estimate of the distinct ids (uniq, within about 2%), from the id column
// alone. Without it the indexes grow by doubling, copying every record and
// holding up to twice the room they need at the peak of the pass.
func (m *Matcher) reserve(ctx context.Context, w *warehouse.Warehouse, st *matchState) {
	type counts struct {
		Orgs version `json:"orgs"`
		Svcs version `json:"svcs"`
		Locs version `json:"locs"`
	}
	c, err := warehouse.QueryInto[counts](ctx, w, `SELECT (SELECT uniq(id) FROM organizations) AS orgs,
  (SELECT uniq(id) FROM services) AS svcs, (SELECT uniq(id) FROM locations) AS locs`)
	if err != nil || len(c) != 1 {
		return // only an optimisation: the indexes grow as they must
	}
	for k, n := range map[match.Kind]version{match.Organization: c[0].Orgs, match.Service: c[0].Svcs, match.Location: c[0].Locs} {
		st.idx[k].Reserve(int(n + n/32))
	}
}

type orgMatchRow struct {
	ID           string      `json:"id"`
	Pipeline     string      `json:"pipeline"`
	Name         string      `json:"name"`
	Website      string      `json:"website"`
	Identifiers  []string    `json:"identifiers"`
	LACode       string      `json:"la_code"`
	Version      version     `json:"version"`
	LocPostcodes []string    `json:"loc_postcodes"`
	LocPoints    [][]float64 `json:"loc_points"`
	SvcPostcodes []string    `json:"svc_postcodes"`
	SvcURLs      []string    `json:"svc_urls"`
}

type recordMatchRow struct {
	ID       string   `json:"id"`
	Pipeline string   `json:"pipeline"`
	Name     string   `json:"name"`
	Org      string   `json:"organization_id"`
	LACode   string   `json:"la_code"`
	Postcode string   `json:"postcode"`
	Lat      *float64 `json:"latitude"`
	Lon      *float64 `json:"longitude"`
	Version  version  `json:"version"`
}

// version is a UInt64 column: JSON output quotes 64-bit integers.
type version uint64

func (v *version) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseUint(strings.Trim(string(b), `"`), 10, 64)
	*v = version(n)
	return err
}

// The queries pin every column's type (LowCardinality and Nullable cast
// away where the decoder expects a plain value), so the RowBinary decoder
// below reads them in this order without a header.
const (
	orgMatchSQL = `SELECT o.id AS id, CAST(o.pipeline AS String) AS pipeline, o.name AS name, o.website AS website, o.identifiers AS identifiers,
  CAST(o.la_code AS String) AS la_code, toUInt64(greatest(o._version, l.v, s.v)) AS version,
  l.pcs AS loc_postcodes, l.pts AS loc_points, s.pcs AS svc_postcodes, s.urls AS svc_urls
FROM (SELECT id, pipeline, name, website, identifiers, la_code, _version FROM organizations %s ORDER BY _version DESC LIMIT 1 BY id) AS o
LEFT JOIN (
  SELECT organization_id, groupUniqArrayIf(postcode, postcode != '') AS pcs,
    groupArrayIf([assumeNotNull(latitude), assumeNotNull(longitude)], latitude IS NOT NULL AND longitude IS NOT NULL) AS pts, max(_version) AS v
  FROM (SELECT organization_id, postcode, latitude, longitude, _version FROM locations %s ORDER BY _version DESC LIMIT 1 BY id)
  WHERE organization_id != '' GROUP BY organization_id
) AS l ON l.organization_id = o.id
LEFT JOIN (
  SELECT organization_id, groupUniqArrayIf(postcode, postcode != '') AS pcs, groupUniqArrayIf(url, url != '') AS urls, max(_version) AS v
  FROM (SELECT organization_id, postcode, url, _version FROM services %s ORDER BY _version DESC LIMIT 1 BY id)
  WHERE organization_id != '' GROUP BY organization_id
) AS s ON s.organization_id = o.id`
	serviceMatchSQL = `SELECT id, CAST(pipeline AS String) AS pipeline, name, organization_id, CAST(la_code AS String) AS la_code, postcode,
  CAST(NULL AS Nullable(Float64)) AS latitude, CAST(NULL AS Nullable(Float64)) AS longitude, _version AS version
FROM services %s ORDER BY _version DESC LIMIT 1 BY id`
	locationMatchSQL = `SELECT id, CAST(pipeline AS String) AS pipeline, name, organization_id, CAST(la_code AS String) AS la_code, postcode,
  latitude, longitude, _version AS version
FROM locations %s ORDER BY _version DESC LIMIT 1 BY id`
)

// readAll streams the current records newer than since (all when 0) of the
// three kinds, as entities, with the version that made them changed. With a
// driver that passes output through, the three kinds are read at once, each
// on its own goroutine: fn is called concurrently for different kinds, never
// for one kind (each kind has its own index). The engine runs one query at a
// time, so while it works on the organisations' join the services and
// locations already read are indexed on the other core.
func (m *Matcher) readAll(ctx context.Context, w *warehouse.Warehouse, since uint64, fn func(match.Kind, match.Entity, uint64)) error {
	orgWhere, svcWhere, locWhere := "", "", ""
	if since > 0 {
		orgWhere = "WHERE " + orgFilter(since)
		svcWhere = "WHERE " + changedFilter("services", since)
		locWhere = "WHERE " + changedFilter("locations", since)
	}
	// An organisation's own locations and services lend it their postcodes,
	// coordinates and websites: a directory organisation rarely has its own.
	// With a filter, the children are those of the organisations read.
	childWhere := ""
	if since > 0 {
		childWhere = "WHERE id IN (SELECT id FROM %[1]s WHERE organization_id IN (SELECT id FROM (SELECT id FROM organizations " + orgWhere + ")))"
	}
	readers := []func() error{
		func() error {
			return m.readRecords(ctx, w, match.Service, fmt.Sprintf(serviceMatchSQL, svcWhere), fn)
		},
		func() error {
			return m.readRecords(ctx, w, match.Location, fmt.Sprintf(locationMatchSQL, locWhere), fn)
		},
		func() error {
			q := fmt.Sprintf(orgMatchSQL, orgWhere, fmtChild(childWhere, "locations"), fmtChild(childWhere, "services"))
			return m.readOrgs(ctx, w, q, fn)
		},
	}
	if _, ok := w.Conn.(warehouse.RawQuerier); !ok {
		for _, r := range readers {
			if err := r(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(readers))
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Go(func() { errs[i] = r() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (m *Matcher) readOrgs(ctx context.Context, w *warehouse.Warehouse, q string, fn func(match.Kind, match.Entity, uint64)) error {
	t0, n := time.Now(), 0
	err := readRows(ctx, w, q, decodeOrgRow, func(r *orgMatchRow) error {
		e := match.Entity{ID: r.ID, Pipeline: r.Pipeline, Name: r.Name, Area: r.LACode}
		for _, id := range r.Identifiers {
			if scheme, v, ok := strings.Cut(id, ":"); ok {
				if k := match.Key(scheme, v); k != "" {
					e.Keys = append(e.Keys, k)
				}
			}
		}
		e.Postcodes = normalizePostcodes(append(r.LocPostcodes, r.SvcPostcodes...))
		for _, p := range r.LocPoints {
			if len(p) == 2 && !math.IsNaN(p[0]) && !math.IsNaN(p[1]) {
				e.Points = append(e.Points, match.Point{Lat: p[0], Lon: p[1]})
			}
		}
		for _, u := range append([]string{r.Website}, r.SvcURLs...) {
			if d := fetch.Domain(u); d != "" {
				e.Domains = append(e.Domains, d)
			}
		}
		fn(match.Organization, e, uint64(r.Version))
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("read organisations to match: %w", err)
	}
	m.logRead(match.Organization, n, t0)
	return nil
}

func (m *Matcher) readRecords(ctx context.Context, w *warehouse.Warehouse, kind match.Kind, q string, fn func(match.Kind, match.Entity, uint64)) error {
	t0, n := time.Now(), 0
	err := readRows(ctx, w, q, decodeRecordRow, func(r *recordMatchRow) error {
		e := match.Entity{ID: r.ID, Pipeline: r.Pipeline, Name: r.Name, Org: r.Org, Area: r.LACode,
			Postcodes: normalizePostcodes([]string{r.Postcode})}
		if r.Lat != nil && r.Lon != nil {
			e.Points = []match.Point{{Lat: *r.Lat, Lon: *r.Lon}}
		}
		fn(kind, e, uint64(r.Version))
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %ss to match: %w", kind, err)
	}
	m.logRead(kind, n, t0)
	return nil
}

func (m *Matcher) logRead(k match.Kind, n int, t0 time.Time) {
	if m.Log != nil {
		m.Log.Debug("matching pass: records read", "entity_type", string(k), "records", n, "took", time.Since(t0).Round(time.Millisecond))
	}
}

// readRows streams a query's rows into a fresh *T each: from the engine's
// RowBinary output when the driver passes output through (the embedded
// one), else from its JSON rows.
//
// Reading back the records of a fresh warehouse was most of the first
// matching pass (0.7 s of 0.8 for 20,000 real-shaped services): the engine
// produces the rows in 10–25 ms a query, and the rest was splitting JSON
// lines, re-parsing every cell and allocating a string per cell. RowBinary
// is decoded in place, the strings every row repeats (pipeline, area,
// organisation) are shared, and the decoding and indexing run on this
// goroutine while the engine produces the next block on another.
func readRows[T any, P interface {
	*T
	rowTarget
}](ctx context.Context, w *warehouse.Warehouse, q string, decode func(*binReader, P), fn func(P) error) error {
	rq, ok := w.Conn.(warehouse.RawQuerier)
	if !ok {
		return eachRow(ctx, w, q, fn)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pipe := newChunkPipe(readAhead)
	done := make(chan error, 1)
	go func() {
		_, err := rq.QueryRaw(ctx, warehouse.RawQuery{SQL: q, Format: "RowBinary"}, pipe)
		pipe.CloseWrite(err) // nil: the reader sees io.EOF
		done <- err
	}()
	b := newBinReader(pipe)
	// One row value for the whole stream: fn keeps the strings and slices it
	// is handed (each decoded afresh), never the row itself.
	r := P(new(T))
	var err error
	for {
		if _, err = b.r.Peek(1); err != nil {
			if err == io.EOF {
				err = nil
			}
			break
		}
		*r = *new(T)
		decode(b, r)
		if b.err != nil {
			err = fmt.Errorf("decode a row of %q: %w", firstLine(q), b.err)
			break
		}
		if err = fn(r); err != nil {
			break
		}
	}
	if err != nil {
		cancel()
		pipe.CloseRead(err) // the engine's next write fails: the query stops
	}
	if qerr := <-done; err == nil && qerr != nil {
		err = qerr
	}
	return err
}

func decodeOrgRow(b *binReader, r *orgMatchRow) {
	r.ID = b.str()
	r.Pipeline = b.shared()
	r.Name = b.str()
	r.Website = b.str()
	r.Identifiers = b.strs()
	r.LACode = b.shared()
	r.Version = version(b.u64())
	r.LocPostcodes = b.strs()
	r.LocPoints = b.points()
	r.SvcPostcodes = b.strs()
	r.SvcURLs = b.strs()
}

func decodeRecordRow(b *binReader, r *recordMatchRow) {
	r.ID = b.str()
	r.Pipeline = b.shared()
	r.Name = b.str()
	r.Org = b.shared()
	r.LACode = b.shared()
	r.Postcode = b.str()
	r.Lat = b.nullableF64()
	r.Lon = b.nullableF64()
	r.Version = version(b.u64())
}

func firstLine(q string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(q), "\n")
	return line
}

// rowTarget is a row type that knows where each column goes: decoding by
// index spares the generic decoder's rebuilding of a JSON object per row,
// which dominated reading half a million records.
type rowTarget interface {
	field(col string) any
}

func (r *orgMatchRow) field(col string) any {
	switch col {
	case "id":
		return &r.ID
	case "pipeline":
		return &r.Pipeline
	case "name":
		return &r.Name
	case "website":
		return &r.Website
	case "identifiers":
		return &r.Identifiers
	case "la_code":
		return &r.LACode
	case "version":
		return &r.Version
	case "loc_postcodes":
		return &r.LocPostcodes
	case "loc_points":
		return &r.LocPoints
	case "svc_postcodes":
		return &r.SvcPostcodes
	case "svc_urls":
		return &r.SvcURLs
	}
	return nil
}

func (r *recordMatchRow) field(col string) any {
	switch col {
	case "id":
		return &r.ID
	case "pipeline":
		return &r.Pipeline
	case "name":
		return &r.Name
	case "organization_id":
		return &r.Org
	case "la_code":
		return &r.LACode
	case "postcode":
		return &r.Postcode
	case "latitude":
		return &r.Lat
	case "longitude":
		return &r.Lon
	case "version":
		return &r.Version
	}
	return nil
}

// eachRow streams a query's rows into a fresh *T each, column by column.
func eachRow[T any, P interface {
	*T
	rowTarget
}](ctx context.Context, w *warehouse.Warehouse, q string, fn func(P) error) error {
	return w.Query(ctx, q, func(cols []string, row []json.RawMessage) error {
		r := P(new(T))
		for i, col := range cols {
			dst := r.field(col)
			if dst == nil || i >= len(row) {
				continue
			}
			if err := json.Unmarshal(row[i], dst); err != nil {
				return fmt.Errorf("decode %s: %w", col, err)
			}
		}
		return fn(r)
	})
}

func fmtChild(where, table string) string {
	if where == "" {
		return ""
	}
	return fmt.Sprintf(where, table)
}

func normalizePostcodes(in []string) []string {
	var out []string
	for _, p := range in {
		if pc, ok := areas.Normalize(p); ok {
			out = append(out, pc)
		}
	}
	return out
}

// statusConflicts raises status_conflict for each run's pipeline with the
// clusters this pass found. The per-run step raises it too, with the clusters
// of the pass before; this one opens the conflicts that only the new links show.
func (m *Matcher) statusConflicts(ctx context.Context, w *warehouse.Warehouse, runs []warehouse.Run) error {
	now := m.Now().UTC()
	var errs []error
	// Which runs' pipelines can have a conflict at all, in one query: the
	// others are not looked at one by one.
	pipelines := make([]string, 0, len(runs))
	for _, run := range runs {
		pipelines = append(pipelines, run.Pipeline)
	}
	linked, err := pipelinesMayShareCluster(ctx, w, pipelines)
	if err != nil {
		return fmt.Errorf("status_conflict after matching: %w", err)
	}
	for _, run := range runs {
		if run.Status != "ok" && run.Status != "degraded" {
			continue // a failed run's view of the source is incomplete
		}
		if !linked[run.Pipeline] {
			continue
		}
		obs, err := statusConflicts(ctx, w, run.Pipeline)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(obs) == 0 {
			continue
		}
		rows := make([][]any, 0, len(obs))
		for _, x := range obs {
			rows = append(rows, []any{run.RunID, run.Pipeline, x.EntityType, x.EntityID, x.Flag, x.Reason, x.Evidence, now})
		}
		if err := w.Insert(ctx, "flag_observations", []string{"run_id", "pipeline", "entity_type", "entity_id", "flag", "reason", "evidence", "observed_at"}, rows); err != nil {
			errs = append(errs, fmt.Errorf("record status conflicts for run %s: %w", run.RunID, err))
			continue
		}
		if err := w.ReconcileFlags(ctx, run.Pipeline, run.RunID, []string{schema.FlagStatusConflict}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
