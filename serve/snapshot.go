package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/sinks/feed"
	"github.com/localoffer/localoffer/sinks/warehouse"
)

// A snapshot is what the API serves between two runs: every current service,
// organisation, service-at-location and taxonomy term in its HSDS 3.0 form,
// rendered once from the warehouse after each run. The JSON bodies live in a
// file (read with ReadAt), and only what the filters need is kept in memory,
// so memory does not grow with the size of the records and requests never wait
// for the engine, which a load holds for its whole insert. A snapshot is
// swapped in whole, so a reader sees the records of one refresh: old or new
// versions, never a half-written one.

// blob is a JSON body in the snapshot file, with its ETag hash.
type blob struct {
	off int64
	n   int32
	tag uint64
}

type svcEntry struct {
	id       string // export UUID
	full     blob
	list     blob
	minimal  blob
	orgID    string
	pipeline string
	la       string // GSS code
	needs    []string
	cats     []string
	minAge   float64 // NaN when unknown
	maxAge   float64
	modified int64 // unix nanoseconds: the later of the source's last_modified and the load of this version
	stale    bool
	terms    []string // taxonomy term UUIDs of its attributes
	taxes    []string // taxonomy UUIDs of those terms
	text     string   // lower-cased name, description and organisation name, for search (moved to Snapshot.text)
	sals     []int32
}

type salEntry struct {
	id       string
	svc      int32
	full     blob
	list     blob
	lat, lon float64
	hasCoord bool
}

type orgEntry struct {
	id   string
	full blob
	list blob
	text string
}

type termEntry struct {
	id, taxonomyID, parentID string
	text                     string
	body                     []byte
	tag                      uint64
}

type taxEntry struct {
	id   string
	text string
	body []byte
	tag  uint64
}

// Snapshot is one refresh's worth of served records.
type Snapshot struct {
	BuiltAt   time.Time
	Watermark string
	Took      time.Duration
	// Left out: records that failed the official schema after mapping, by kind.
	LeftOut map[string]int

	services []svcEntry
	text     []byte   // every service's lower-cased search text, in id order, each ended by a NUL
	textOff  []uint32 // where each service's text starts in text
	fresh    []int32  // services without a staleness flag, in id order: the default list
	all      []int32  // every service, in id order
	svcByID  map[string]int32
	sals     []salEntry
	salByID  map[string]int32
	orgs     []orgEntry
	orgByID  map[string]int32
	terms    []termEntry
	termByID map[string]int32
	taxes    []taxEntry
	taxByID  map[string]int32

	file *os.File
	path string

	mu      sync.Mutex
	refs    int
	retired bool

	searchMu    sync.Mutex
	searchCache map[string]bitset
}

// Services is how many services the snapshot serves (stale ones included).
func (s *Snapshot) Services() int { return len(s.services) }

// acquire keeps the snapshot's file open while a request reads it.
func (s *Snapshot) acquire() {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
}

func (s *Snapshot) release() {
	s.mu.Lock()
	s.refs--
	done := s.retired && s.refs == 0
	s.mu.Unlock()
	if done {
		s.close()
	}
}

// retire closes the snapshot once its last reader is done.
func (s *Snapshot) retire() {
	s.mu.Lock()
	s.retired = true
	done := s.refs == 0
	s.mu.Unlock()
	if done {
		s.close()
	}
}

func (s *Snapshot) close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.path)
		s.file = nil
	}
}

// read returns a body from the file, in buf when it is large enough.
func (s *Snapshot) read(b blob, buf []byte) ([]byte, error) {
	if cap(buf) < int(b.n) {
		buf = make([]byte, b.n)
	}
	buf = buf[:b.n]
	if _, err := s.file.ReadAt(buf, b.off); err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	return buf, nil
}

// WatermarkQuery changes whenever anything the API serves may have changed:
// every load writes a higher _version, and flags change with runs.
const WatermarkQuery = `SELECT concat(
    (SELECT toString((max(_version), count())) FROM services), '|',
    (SELECT toString((max(_version), count())) FROM organizations), '|',
    (SELECT toString((max(_version), count())) FROM locations), '|',
    (SELECT toString((max(_version), count())) FROM flags)) AS watermark`

// Validator checks a mapped record against the official schema (feedcheck.Checker).
type Validator interface {
	EntityProblems(typ string, b []byte) []schema.Problem
}

// writer appends bodies to the snapshot file.
type snapWriter struct {
	bw  *bufio.Writer
	off int64
}

func (w *snapWriter) put(b []byte) (blob, error) {
	h := fnv.New64a()
	h.Write(b)
	bl := blob{off: w.off, n: int32(len(b)), tag: h.Sum64()}
	if _, err := w.bw.Write(b); err != nil {
		return bl, err
	}
	w.off += int64(len(b))
	return bl, nil
}

type interner map[string]string

func (in interner) s(v string) string {
	if x, ok := in[v]; ok {
		return x
	}
	in[v] = v
	return v
}

func (in interner) list(vs []string) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = in.s(v)
	}
	return out
}

type svcRow struct {
	ID          string `json:"id"`
	Pipeline    string `json:"pipeline"`
	CanonicalID string `json:"canonical_id"`
	Payload     string `json:"payload"`
	Version     uint64 `json:"_version"`
}

type flagRow struct {
	EntityID string   `json:"entity_id"`
	Flags    []string `json:"flags"`
}

// Build renders a snapshot of the warehouse's current records into a new
// file in dir.
func Build(ctx context.Context, c warehouse.Conn, dir string, v Validator, log *slog.Logger) (*Snapshot, error) {
	start := time.Now()
	wm, err := warehouse.QueryScalar[string](ctx, c, WatermarkQuery)
	if err != nil {
		return nil, fmt.Errorf("snapshot watermark: %w", err)
	}
	orgs, err := feed.LoadPayloads[schema.Organization](ctx, c, "organizations_current")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	locs, err := feed.LoadPayloads[schema.Location](ctx, c, "locations_current")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	flags := map[string][]string{}
	err = warehouse.QueryEach(ctx, c, `SELECT entity_id, arraySort(groupUniqArray(flag)) AS flags FROM flags_current
		WHERE entity_type = 'service' GROUP BY entity_id`, func(r flagRow) error {
		flags[r.EntityID] = r.Flags
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot flags: %w", err)
	}
	related := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("snapshot directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "snapshot-*.json")
	if err != nil {
		return nil, fmt.Errorf("snapshot file: %w", err)
	}
	s := &Snapshot{Watermark: wm, file: f, path: f.Name(), LeftOut: map[string]int{},
		svcByID: map[string]int32{}, salByID: map[string]int32{}, orgByID: map[string]int32{},
		termByID: map[string]int32{}, taxByID: map[string]int32{}}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()
	w := &snapWriter{bw: bufio.NewWriterSize(f, 1<<20)}
	in := interner{}
	b := &builder{s: s, w: w, in: in, v: v, log: log, orgs: orgs, locs: locs}

	if err := b.services(ctx, c, flags); err != nil {
		return nil, err
	}
	servicesDone := time.Now()
	for _, id := range sortedKeys(orgs) {
		if err := b.organization(orgs[id]); err != nil {
			return nil, err
		}
	}
	if err := b.taxonomies(); err != nil {
		return nil, err
	}
	if err := w.bw.Flush(); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	b.sortAll()
	s.BuiltAt = time.Now().UTC()
	s.Took = time.Since(start)
	if log != nil {
		log.Debug("snapshot phases", "related", related.Sub(start).String(), "services", servicesDone.Sub(related).String(),
			"rest", time.Since(servicesDone).String())
	}
	ok = true
	return s, nil
}

type builder struct {
	s    *Snapshot
	w    *snapWriter
	in   interner
	v    Validator
	log  *slog.Logger
	orgs map[string]*schema.Organization
	locs map[string]*schema.Location

	terms map[string]*schema.TaxonomyTerm
	taxes map[string]*schema.Taxonomy
	buf   bytes.Buffer
}

// Extension is the "localoffer" property every served service carries: what
// this aggregator knows beyond HSDS. HSDS schemas allow extra properties.
type Extension struct {
	CanonicalID string   `json:"canonical_id"` // export id of the real-world service this record was matched to
	Pipeline    string   `json:"pipeline"`
	LACode      string   `json:"la_code,omitempty"`
	NeedCodes   []string `json:"need_codes,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	Flags       []string `json:"flags,omitempty"` // open data-quality and staleness flags
}

func (b *builder) encode(v any) []byte {
	b.buf.Reset()
	enc := json.NewEncoder(&b.buf)
	enc.Encode(v)
	out := bytes.TrimRight(b.buf.Bytes(), "\n")
	return slices.Clone(out)
}

// withExtension appends "localoffer": ext to an encoded object.
func withExtension(obj []byte, ext []byte) []byte {
	out := make([]byte, 0, len(obj)+len(ext)+16)
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"localoffer":`...)
	out = append(out, ext...)
	return append(out, '}')
}

func (b *builder) valid(kind, id string, body []byte) bool {
	if b.v == nil {
		return true
	}
	probs := b.v.EntityProblems(kind, body)
	if len(probs) == 0 {
		return true
	}
	b.s.LeftOut[kind]++
	if b.log != nil {
		b.log.Warn("record left out of the API: it does not pass the HSDS 3.0 schema after mapping", "kind", kind, "id", id,
			"pointer", probs[0].Pointer, "problem", probs[0].Message)
	}
	return false
}

// salOut is a service-at-location as served: with its service (list form)
// nested, as HSDS's service_at_location_list schema allows.
type salOut struct {
	schema.ServiceAtLocation
	Service *schema.Service `json:"service,omitempty"`
}

// serviceList is the one-to-one form of a service for list pages.
func serviceList(h *schema.Service) *schema.Service {
	l := *h
	l.Phones, l.Schedules, l.ServiceAreas, l.ServiceAtLocations = nil, nil, nil, nil
	l.Languages, l.CostOptions, l.Contacts, l.Attributes = nil, nil, nil, nil
	if h.Organization != nil {
		l.Organization = orgList(h.Organization)
	}
	return &l
}

func orgList(o *schema.Organization) *schema.Organization {
	x := *o
	x.Contacts, x.Phones, x.Locations, x.OrganizationIdentifiers, x.Attributes = nil, nil, nil, nil, nil
	return &x
}

func nanOr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// services streams services_current through one worker per core (map to
// HSDS, encode, validate) into the single writer.
func (b *builder) services(ctx context.Context, c warehouse.Conn, flags map[string][]string) error {
	g, gctx := errgroup.WithContext(ctx)
	rows := make(chan svcRow, 256)
	out := make(chan *preparedService, 256)
	g.Go(func() error {
		defer close(rows)
		return warehouse.QueryEach(gctx, c, "SELECT id, pipeline, canonical_id, payload, _version FROM services_current", func(r svcRow) error {
			select {
			case rows <- r:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Add(1)
		wk := &worker{v: b.v, log: b.log, orgs: b.orgs, locs: b.locs}
		g.Go(func() error {
			defer workers.Done()
			for r := range rows {
				p, err := wk.prepare(r, flags[r.ID])
				if err != nil {
					return err
				}
				select {
				case out <- p:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	go func() {
		workers.Wait()
		close(out)
	}()
	var werr error
	for p := range out { // drained to the end so no worker is left blocked
		if werr == nil {
			werr = b.commit(p)
		}
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("snapshot services: %w", err)
	}
	return werr
}

// preparedService is a service mapped, encoded and validated by a worker,
// ready for the one goroutine that writes the file.
type preparedService struct {
	e                   svcEntry
	full, list, minimal []byte
	sals                []preparedSAL
	terms               []*schema.TaxonomyTerm
	leftOut             []string // kinds of records left out
	skip                bool     // the service itself failed the schema
}

type preparedSAL struct {
	se         salEntry
	full, list []byte
}

// worker maps services to their HSDS form; one per core.
type worker struct {
	buf  bytes.Buffer
	v    Validator
	log  *slog.Logger
	orgs map[string]*schema.Organization
	locs map[string]*schema.Location
}

func (wk *worker) encode(v any) []byte {
	wk.buf.Reset()
	enc := json.NewEncoder(&wk.buf)
	enc.Encode(v)
	return slices.Clone(bytes.TrimRight(wk.buf.Bytes(), "\n"))
}

func (wk *worker) valid(kind, id string, body []byte) bool {
	if wk.v == nil {
		return true
	}
	probs := wk.v.EntityProblems(kind, body)
	if len(probs) == 0 {
		return true
	}
	if wk.log != nil {
		wk.log.Warn("record left out of the API: it does not pass the HSDS 3.0 schema after mapping", "kind", kind, "id", id,
			"pointer", probs[0].Pointer, "problem", probs[0].Message)
	}
	return false
}

func (wk *worker) prepare(r svcRow, flags []string) (*preparedService, error) {
	var src schema.Service
	if err := json.Unmarshal([]byte(r.Payload), &src); err != nil {
		return nil, fmt.Errorf("decode service %s from the warehouse: %w", r.ID, err)
	}
	h := feed.Service(&src, wk.orgs, wk.locs)
	full := wk.encode(h)
	if !wk.valid("service", h.ID, full) {
		return &preparedService{skip: true, leftOut: []string{"service"}}, nil
	}
	stale := false
	for _, f := range flags {
		if slices.Contains(schema.StaleFlags, f) {
			stale = true
		}
	}
	ext := wk.encode(Extension{CanonicalID: feed.UUID(r.CanonicalID), Pipeline: r.Pipeline, LACode: src.LACode,
		NeedCodes: src.NeedCodes, Categories: src.Categories, Flags: flags})
	modified := int64(r.Version)
	if src.LastModified != nil && src.LastModified.UnixNano() > modified {
		modified = src.LastModified.UnixNano()
	}
	p := &preparedService{
		e: svcEntry{id: h.ID, orgID: h.OrganizationID, pipeline: r.Pipeline, la: src.LACode, needs: src.NeedCodes, cats: src.Categories,
			// The published ages: ages read from free text are not the source's and are not served, so they do not filter either.
			minAge: nanOr(h.MinimumAge), maxAge: nanOr(h.MaximumAge), modified: modified, stale: stale},
		full: withExtension(full, ext),
		list: withExtension(wk.encode(serviceList(h)), ext),
		minimal: wk.encode(struct {
			ID           string     `json:"id"`
			LastModified *time.Time `json:"last_modified,omitempty"`
		}{h.ID, h.LastModified}),
	}
	var text strings.Builder
	text.WriteString(h.Name)
	text.WriteByte('\n')
	text.WriteString(h.Description)
	if h.Organization != nil {
		text.WriteByte('\n')
		text.WriteString(h.Organization.Name)
	}
	p.e.text = strings.ToLower(text.String())
	for _, a := range h.Attributes {
		if a.TaxonomyTerm != nil {
			p.terms = append(p.terms, a.TaxonomyTerm)
		}
		if a.TaxonomyTermID != "" && !slices.Contains(p.e.terms, a.TaxonomyTermID) {
			p.e.terms = append(p.e.terms, a.TaxonomyTermID)
		}
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.TaxonomyID != "" && !slices.Contains(p.e.taxes, a.TaxonomyTerm.TaxonomyID) {
			p.e.taxes = append(p.e.taxes, a.TaxonomyTerm.TaxonomyID)
		}
	}
	if p.e.la == "" {
		for _, sal := range src.ServiceAtLocations {
			if l := sal.Location; l != nil && l.LACode != "" {
				p.e.la = l.LACode
				break
			} else if l := wk.locs[sal.LocationID]; l != nil && l.LACode != "" {
				p.e.la = l.LACode
				break
			}
		}
	}
	list := serviceList(h)
	for _, sal := range h.ServiceAtLocations {
		ps := preparedSAL{se: salEntry{id: sal.ID}}
		if l := sal.Location; l != nil && l.Latitude != nil && l.Longitude != nil {
			ps.se.lat, ps.se.lon, ps.se.hasCoord = *l.Latitude, *l.Longitude, true
		}
		// Not validated again: the service_at_location was validated inside the
		// service (HSDS nests the same schema there), and the service list form
		// beside it is a subset of that valid service.
		x := salOut{ServiceAtLocation: sal, Service: list}
		ps.full = wk.encode(&x)
		x.Contacts, x.Phones, x.Schedules, x.Attributes = nil, nil, nil, nil
		ps.list = wk.encode(&x)
		p.sals = append(p.sals, ps)
	}
	return p, nil
}

// commit writes a prepared service to the file and indexes it.
func (b *builder) commit(p *preparedService) error {
	for _, k := range p.leftOut {
		b.s.LeftOut[k]++
	}
	if p.skip {
		return nil
	}
	e := p.e
	if _, dup := b.s.svcByID[e.id]; dup {
		return nil // two ids mapping to one UUID: the first is served
	}
	e.pipeline, e.la = b.in.s(e.pipeline), b.in.s(e.la)
	e.needs, e.cats, e.terms, e.taxes = b.in.list(e.needs), b.in.list(e.cats), b.in.list(e.terms), b.in.list(e.taxes)
	var err error
	if e.full, err = b.w.put(p.full); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if e.list, err = b.w.put(p.list); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if e.minimal, err = b.w.put(p.minimal); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	for _, t := range p.terms {
		b.term(t)
	}
	idx := int32(len(b.s.services))
	for _, ps := range p.sals {
		if _, dup := b.s.salByID[ps.se.id]; dup {
			continue
		}
		se := ps.se
		se.svc = idx
		if se.full, err = b.w.put(ps.full); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
		if se.list, err = b.w.put(ps.list); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
		b.s.salByID[se.id] = int32(len(b.s.sals))
		e.sals = append(e.sals, int32(len(b.s.sals)))
		b.s.sals = append(b.s.sals, se)
	}
	b.s.svcByID[e.id] = idx
	b.s.services = append(b.s.services, e)
	return nil
}

func (b *builder) term(t *schema.TaxonomyTerm) {
	if t == nil || t.ID == "" {
		return
	}
	if b.terms == nil {
		b.terms = map[string]*schema.TaxonomyTerm{}
		b.taxes = map[string]*schema.Taxonomy{}
	}
	if _, seen := b.terms[t.ID]; seen {
		return
	}
	x := *t
	b.terms[t.ID] = &x
	if d := t.TaxonomyDetail; d != nil && d.ID != "" {
		if _, seen := b.taxes[d.ID]; !seen {
			y := *d
			b.taxes[d.ID] = &y
		}
	}
}

func (b *builder) organization(o *schema.Organization) error {
	h := feed.Organization(o, b.locs)
	full := b.encode(h)
	if !b.valid("organization", h.ID, full) {
		return nil
	}
	if _, dup := b.s.orgByID[h.ID]; dup {
		return nil
	}
	e := orgEntry{id: h.ID, text: strings.ToLower(h.Name + "\n" + h.Description)}
	var err error
	if e.full, err = b.w.put(full); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if e.list, err = b.w.put(b.encode(orgList(h))); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	b.s.orgByID[h.ID] = int32(len(b.s.orgs))
	b.s.orgs = append(b.s.orgs, e)
	return nil
}

// taxonomies keeps the terms the served services use and their taxonomies
// (small: held in memory).
func (b *builder) taxonomies() error {
	for _, t := range feed.Taxonomies() {
		if _, seen := b.taxes[t.ID]; !seen {
			if b.taxes == nil {
				b.taxes = map[string]*schema.Taxonomy{}
			}
			y := t
			b.taxes[t.ID] = &y
		}
	}
	for _, id := range sortedKeys(b.terms) {
		t := b.terms[id]
		body := b.encode(t)
		if !b.valid("taxonomy_term", id, body) {
			continue
		}
		b.s.terms = append(b.s.terms, termEntry{id: id, taxonomyID: t.TaxonomyID, parentID: t.ParentID,
			text: strings.ToLower(t.Name + "\n" + t.Description + "\n" + t.Code), body: body, tag: hash(body)})
	}
	for _, id := range sortedKeys(b.taxes) {
		t := b.taxes[id]
		body := b.encode(t)
		if !b.valid("taxonomy", id, body) {
			continue
		}
		b.s.taxes = append(b.s.taxes, taxEntry{id: id, text: strings.ToLower(t.Name + "\n" + t.Description), body: body, tag: hash(body)})
	}
	return nil
}

// sortAll orders every list by id, so pages are stable, and indexes them.
func (b *builder) sortAll() {
	s := b.s
	// Services: sort and remap the service-at-location back references.
	order := make([]int32, len(s.services))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool { return s.services[order[i]].id < s.services[order[j]].id })
	newIdx := make([]int32, len(order))
	svcs := make([]svcEntry, len(order))
	for n, old := range order {
		svcs[n] = s.services[old]
		newIdx[old] = int32(n)
	}
	s.services = svcs
	for i := range s.sals {
		s.sals[i].svc = newIdx[s.sals[i].svc]
	}
	sort.Slice(s.sals, func(i, j int) bool { return s.sals[i].id < s.sals[j].id })
	for i := range s.services {
		s.services[i].sals = s.services[i].sals[:0]
	}
	s.svcByID = make(map[string]int32, len(s.services))
	s.fresh, s.all = []int32{}, make([]int32, len(s.services))
	s.indexText()
	for i, e := range s.services {
		s.svcByID[e.id] = int32(i)
		s.all[i] = int32(i)
		if !e.stale {
			s.fresh = append(s.fresh, int32(i))
		}
	}
	s.salByID = make(map[string]int32, len(s.sals))
	for i, e := range s.sals {
		s.salByID[e.id] = int32(i)
		s.services[e.svc].sals = append(s.services[e.svc].sals, int32(i))
	}
	sort.Slice(s.orgs, func(i, j int) bool { return s.orgs[i].id < s.orgs[j].id })
	for i, e := range s.orgs {
		s.orgByID[e.id] = int32(i)
	}
	for i, e := range s.terms {
		s.termByID[e.id] = int32(i)
	}
	for i, e := range s.taxes {
		s.taxByID[e.id] = int32(i)
	}
}

// indexText moves the services' search texts, in order, into one arena.
func (s *Snapshot) indexText() {
	size := 0
	for i := range s.services {
		size += len(s.services[i].text) + 1
	}
	s.text, s.textOff = make([]byte, 0, size), make([]uint32, len(s.services))
	for i := range s.services {
		e := &s.services[i]
		s.textOff[i] = uint32(len(s.text))
		s.text = append(append(s.text, e.text...), 0)
		e.text = "" // the arena holds it now
	}
}

func hash(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
