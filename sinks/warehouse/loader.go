package warehouse

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/schema"
)

// Loader writes one run's records in chunks. A record whose content equals its
// current version is not written again (only marked as seen), so loading the
// same source twice changes nothing visible.
type Loader struct {
	w        *Warehouse
	pipeline string
	runID    string
	chunk    int
	version  uint64
	now      time.Time

	buffers map[string]*tableBuffer
	// current maps a hash of each id to the first 8 bytes of its current content
	// hash: 16 bytes an entity instead of two strings, so 500,000 services cost
	// about 20 MB. A 64-bit collision could at worst cause one extra write.
	current map[schema.Kind]map[uint64]uint64
	// firstSeen maps a quarantine row or field issue (by key hash) to when it
	// was first met, so a rerun refreshes the row instead of adding one.
	firstSeen map[string]map[uint64]sighting

	// One chunk is written in the background while the next is built, so
	// encoding in Go overlaps the engine's insert.
	pending chan writeJob
	done    chan error
	werr    error

	Stats LoadStats
}

type writeJob struct {
	table   string
	columns []string
	rows    [][]any
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

type tableBuffer struct {
	table   string
	columns []string
	rows    [][]any
}

// NewLoader starts loading for one run. chunk is the rows per insert.
func (w *Warehouse) NewLoader(pipeline, runID string, chunk int) *Loader {
	if chunk <= 0 {
		chunk = 10000
	}
	now := time.Now().UTC()
	l := &Loader{
		w: w, pipeline: pipeline, runID: runID, chunk: chunk,
		version: uint64(now.UnixNano()), now: now,
		buffers:   map[string]*tableBuffer{},
		current:   map[schema.Kind]map[uint64]uint64{},
		firstSeen: map[string]map[uint64]sighting{},
	}
	return l
}

// startWriter launches the background writer on first use.
func (l *Loader) startWriter(ctx context.Context) {
	if l.pending != nil {
		return
	}
	l.pending = make(chan writeJob) // unbuffered: at most one chunk in flight
	l.done = make(chan error, 1)
	go func() {
		var first error
		for j := range l.pending {
			if first != nil {
				continue // drain after a failure; the error is reported once
			}
			if err := l.w.Insert(ctx, j.table, j.columns, j.rows); err != nil {
				first = err
			}
		}
		l.done <- first
	}()
}

// wait stops the background writer and returns its error.
func (l *Loader) wait() error {
	if l.pending == nil {
		return l.werr
	}
	close(l.pending)
	err := <-l.done
	l.pending, l.done = nil, nil
	if l.werr == nil {
		l.werr = err
	}
	return l.werr
}

var kindTable = map[schema.Kind]string{
	schema.KindService: "services", schema.KindOrganization: "organizations",
	schema.KindLocation: "locations", schema.KindDemand: "demand",
	schema.KindCapacity: "capacity", schema.KindSENReport: "sen_reports",
	schema.KindFeedback: "feedback",
}

func (l *Loader) add(ctx context.Context, table string, columns []string, row []any) error {
	b := l.buffers[table]
	if b == nil {
		b = &tableBuffer{table: table, columns: columns}
		l.buffers[table] = b
	}
	b.rows = append(b.rows, row)
	if len(b.rows) >= l.chunk {
		return l.flushTable(ctx, b)
	}
	return nil
}

func (l *Loader) flushTable(ctx context.Context, b *tableBuffer) error {
	if len(b.rows) == 0 {
		return nil
	}
	if l.werr != nil {
		return l.werr
	}
	l.startWriter(context.WithoutCancel(ctx))
	// Hand the chunk over whole; the buffer starts a new one.
	l.pending <- writeJob{table: b.table, columns: b.columns, rows: b.rows}
	b.rows = make([][]any, 0, min(l.chunk, 1024))
	return nil
}

// Flush writes everything buffered. Entity rows go before the seen and flag
// rows that refer to them.
func (l *Loader) Flush(ctx context.Context) error {
	order := []string{"organizations", "locations", "services", "service_at_locations", "sen_reports", "demand", "capacity", "feedback", "quarantine", "field_issues", "entity_seen", "flag_observations"}
	for _, t := range order {
		if b := l.buffers[t]; b != nil {
			if err := l.flushTable(ctx, b); err != nil {
				return err
			}
		}
	}
	for t, b := range l.buffers {
		if !contains(order, t) {
			if err := l.flushTable(ctx, b); err != nil {
				return err
			}
		}
	}
	return l.wait()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// currentHashes loads the content hash of every current record of a kind in this pipeline.
func (l *Loader) currentHashes(ctx context.Context, k schema.Kind) (map[uint64]uint64, error) {
	if m, ok := l.current[k]; ok {
		return m, nil
	}
	m := map[uint64]uint64{}
	q := fmt.Sprintf("SELECT id, argMax(content_hash, _version) AS h FROM %s WHERE pipeline = %s GROUP BY id",
		kindTable[k], Quote(l.pipeline))
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
		return nil, fmt.Errorf("read current versions of %s: %w", kindTable[k], err)
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

// Prepared is a record encoded for loading. Prepare is the costly, pure part
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

type tableRow struct {
	table   string
	columns []string
	row     []any
}

// Prepare encodes a valid record. Safe for concurrent use.
func (l *Loader) Prepare(rec *schema.Record) (*Prepared, error) {
	id := rec.ID()
	if id == "" {
		return nil, fmt.Errorf("%s record without an id", rec.Kind)
	}
	if prov := rec.Prov(); prov != nil {
		prov.SourceURL = l.w.redact(prov.SourceURL)
	}
	payload, hash, err := contentOf(rec)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", rec.Kind, id, err)
	}
	p := &Prepared{kind: rec.Kind, id: id, hash: hash, flags: rec.Flags}
	prov := rec.Prov()
	if prov == nil {
		prov = &schema.Provenance{Pipeline: l.pipeline}
	}
	p.sourceURL = prov.SourceURL
	switch rec.Kind {
	case schema.KindService:
		p.rows = l.serviceRows(rec.Service, prov, payload, hash)
	case schema.KindOrganization:
		p.rows = []tableRow{{"organizations", orgColumns, orgRow(rec.Organization, l, prov, payload, hash)}}
	case schema.KindLocation:
		p.rows = []tableRow{{"locations", locationColumns, locationRow(rec.Location, l, prov, payload, hash)}}
	case schema.KindSENReport:
		p.rows = []tableRow{{"sen_reports", senReportColumns, senReportRow(rec.SENReport, l, prov, payload, hash)}}
	case schema.KindDemand:
		p.rows = []tableRow{{"demand", demandColumns, demandRow(rec.Demand, l, prov, hash)}}
	case schema.KindCapacity:
		p.rows = []tableRow{{"capacity", capacityColumns, capacityRow(rec.Capacity, l, prov, hash)}}
	case schema.KindFeedback:
		p.rows = []tableRow{{"feedback", feedbackColumns, feedbackRow(rec.Feedback, l, prov, hash)}}
	default:
		return nil, fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	return p, nil
}

// PrepareRepaired encodes a valid record with the repairs and drops that made
// it valid (written to field_issues). Safe for concurrent use.
func (l *Loader) PrepareRepaired(rec *schema.Record, issues []schema.FieldIssue) (*Prepared, error) {
	p, err := l.Prepare(rec)
	if err != nil {
		return nil, err
	}
	p.issues = issues
	return p, nil
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
		return l.add(ctx, "quarantine", quarantineColumns, []any{l.pipeline, string(p.kind), p.id, q.fingerprint, p.sourceURL,
			q.errors, q.payload, first.run, l.runID, first.at, l.now, l.version})
	}
	cur, err := l.currentHashes(ctx, p.kind)
	if err != nil {
		return err
	}
	if err := l.add(ctx, "entity_seen", seenColumns, []any{l.pipeline, l.runID, string(p.kind), p.id, l.now}); err != nil {
		return err
	}
	for _, f := range p.flags {
		l.Stats.Flags++
		if err := l.add(ctx, "flag_observations", flagObsColumns,
			[]any{l.runID, l.pipeline, string(p.kind), p.id, f.Flag, f.Reason, f.Evidence, l.now}); err != nil {
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
		if err := l.add(ctx, r.table, r.columns, r.row); err != nil {
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
		if err := l.add(ctx, "field_issues", fieldIssueColumns, []any{l.pipeline, string(p.kind), p.id, is.Pointer, is.Original,
			is.Action, is.Value, is.Rule, is.Reason, p.sourceURL, first.run, l.runID, first.at, l.now, l.version}); err != nil {
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

// contentOf returns the record's JSON without provenance (which changes every
// fetch) and a hash of it: equal hashes mean the record has not changed.
func contentOf(rec *schema.Record) ([]byte, string, error) {
	var payload []byte
	var err error
	switch rec.Kind {
	case schema.KindService:
		payload, err = json.Marshal(serviceContent(rec.Service))
	case schema.KindOrganization:
		payload, err = json.Marshal(orgContent(rec.Organization))
	case schema.KindLocation:
		x := *rec.Location
		x.Provenance = nil
		payload, err = json.Marshal(&x)
	case schema.KindSENReport:
		x := *rec.SENReport
		x.Provenance = nil
		payload, err = json.Marshal(&x)
	case schema.KindDemand:
		x := *rec.Demand
		x.Provenance = nil
		payload, err = json.Marshal(&x)
	case schema.KindCapacity:
		x := *rec.Capacity
		x.Provenance = nil
		payload, err = json.Marshal(&x)
	case schema.KindFeedback:
		x := *rec.Feedback
		x.Provenance = nil
		payload, err = json.Marshal(&x)
	default:
		return nil, "", fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(payload)
	return payload, hex.EncodeToString(sum[:16]), nil
}

// serviceContent is a shallow copy of s without provenance at any level:
// nested organisations and locations carry their own fetched_at, which
// changes every fetch and must not make an unchanged record look changed.
func serviceContent(s *schema.Service) *schema.Service {
	c := *s
	c.Provenance = nil
	if c.Organization != nil {
		c.Organization = orgContent(c.Organization)
	}
	if len(c.ServiceAtLocations) > 0 {
		sals := make([]schema.ServiceAtLocation, len(c.ServiceAtLocations))
		for i, sal := range c.ServiceAtLocations {
			if sal.Location != nil && sal.Location.Provenance != nil {
				loc := *sal.Location
				loc.Provenance = nil
				sal.Location = &loc
			}
			sals[i] = sal
		}
		c.ServiceAtLocations = sals
	}
	return &c
}

func orgContent(o *schema.Organization) *schema.Organization {
	c := *o
	c.Provenance = nil
	if len(c.Locations) > 0 {
		locs := make([]schema.Location, len(c.Locations))
		for i, l := range c.Locations {
			l.Provenance = nil
			locs[i] = l
		}
		c.Locations = locs
	}
	return &c
}

var seenColumns = []string{"pipeline", "run_id", "entity_type", "entity_id", "seen_at"}
var flagObsColumns = []string{"run_id", "pipeline", "entity_type", "entity_id", "flag", "reason", "evidence", "observed_at"}
var quarantineColumns = []string{"pipeline", "entity_type", "record_id", "fingerprint", "source_url", "errors", "payload",
	"first_seen_run", "last_seen_run", "quarantined_at", "last_seen_at", "_version"}
var fieldIssueColumns = []string{"pipeline", "entity_type", "record_id", "pointer", "original_value", "action", "repaired_value",
	"rule", "reason", "source_url", "first_seen_run", "run_id", "first_seen_at", "last_seen_at", "_version"}

var serviceColumns = []string{"id", "pipeline", "run_id", "name", "status", "organization_id", "description", "url", "email",
	"min_age", "max_age", "age_text", "age_source", "need_codes", "broad_areas", "categories", "la_code", "postcode",
	"capacity_available", "capacity_maximum", "has_contact", "assured_date", "last_modified", "canonical_id",
	"source_url", "source_id", "fetched_at", "document_sha256", "content_hash", "payload", "_version"}

func (l *Loader) serviceRows(s *schema.Service, p *schema.Provenance, payload []byte, hash string) []tableRow {
	var avail, maxi *float64
	if s.Capacity != nil {
		avail, maxi = s.Capacity.Available, s.Capacity.Maximum
	}
	rows := []tableRow{{"services", serviceColumns, []any{s.ID, l.pipeline, l.runID, s.Name, s.Status, s.OrganizationID, s.Description, s.URL, s.Email,
		s.MinimumAge, s.MaximumAge, s.AgeText, s.AgeSource, nonNil(s.NeedCodes), nonNil(s.BroadAreas), nonNil(s.Categories), s.LACode, ServicePostcode(s),
		avail, maxi, boolInt(s.HasContact()), dateOrNull(s.AssuredDate), s.LastModified, s.CanonicalID,
		p.SourceURL, p.SourceID, p.FetchedAt, p.DocumentSHA256, hash, string(payload), l.version}}}
	for _, sal := range s.ServiceAtLocations {
		locID := sal.LocationID
		if locID == "" && sal.Location != nil {
			locID = sal.Location.ID
		}
		if locID == "" {
			continue
		}
		rows = append(rows, tableRow{"service_at_locations", salColumns, []any{sal.ID, l.pipeline, l.runID, s.ID, locID, l.version}})
	}
	return rows
}

var salColumns = []string{"id", "pipeline", "run_id", "service_id", "location_id", "_version"}

// ServicePostcode is the postcode of a service's first physical address.
func ServicePostcode(s *schema.Service) string {
	for _, sal := range s.ServiceAtLocations {
		if sal.Location == nil {
			continue
		}
		if pc := LocationPostcode(sal.Location); pc != "" {
			return pc
		}
	}
	return ""
}

// LocationPostcode is a location's first postcode.
func LocationPostcode(l *schema.Location) string {
	for _, a := range l.Addresses {
		if a.PostalCode != "" {
			return a.PostalCode
		}
	}
	return ""
}

var orgColumns = []string{"id", "pipeline", "run_id", "name", "organization_type", "website", "email", "la_code", "identifiers",
	"canonical_id", "source_url", "source_id", "fetched_at", "document_sha256", "content_hash", "payload", "_version"}

func orgRow(o *schema.Organization, l *Loader, p *schema.Provenance, payload []byte, hash string) []any {
	ids := make([]string, 0, len(o.OrganizationIdentifiers))
	for _, oi := range o.OrganizationIdentifiers {
		scheme := oi.IdentifierScheme
		if scheme == "" {
			scheme = oi.IdentifierType
		}
		ids = append(ids, scheme+":"+oi.Identifier)
	}
	return []any{o.ID, l.pipeline, l.runID, o.Name, o.OrganizationType, o.Website, o.Email, o.LACode, ids,
		o.CanonicalID, p.SourceURL, p.SourceID, p.FetchedAt, p.DocumentSHA256, hash, string(payload), l.version}
}

var locationColumns = []string{"id", "pipeline", "run_id", "organization_id", "name", "location_type", "address", "postcode",
	"latitude", "longitude", "la_code", "la_code_old", "ward_code", "lsoa_code", "source_url", "source_id", "fetched_at",
	"content_hash", "payload", "_version"}

func locationRow(x *schema.Location, l *Loader, p *schema.Provenance, payload []byte, hash string) []any {
	addr := ""
	if len(x.Addresses) > 0 {
		a := x.Addresses[0]
		parts := []string{}
		for _, s := range []string{a.Address1, a.Address2, a.City, a.PostalCode} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		addr = strings.Join(parts, ", ")
	}
	return []any{x.ID, l.pipeline, l.runID, x.OrganizationID, x.Name, x.LocationType, addr, LocationPostcode(x),
		x.Latitude, x.Longitude, x.LACode, x.LACodeOld, x.WardCode, x.LSOACode, p.SourceURL, p.SourceID, p.FetchedAt,
		hash, string(payload), l.version}
}

var senReportColumns = []string{"id", "pipeline", "run_id", "urn", "school_name", "la_code", "site_url", "report_url", "report_format",
	"found", "discovery_score", "runners_up", "report_date", "report_date_source", "senco_name", "senco_email", "senco_phone",
	"items_present", "items_missing", "need_codes", "legacy_terms", "local_offer_url", "problem", "fetched_at", "document_sha256",
	"content_hash", "payload", "_version"}

func senReportRow(r *schema.SENReport, l *Loader, p *schema.Provenance, payload []byte, hash string) []any {
	return []any{r.ID, l.pipeline, l.runID, r.URN, r.SchoolName, r.LACode, r.SiteURL, r.ReportURL, r.ReportFormat,
		boolInt(r.Found), r.DiscoveryScore, nonNil(r.RunnersUp), dateOrNull(r.ReportDate), r.ReportDateSource, r.SENCOName, r.SENCOEmail, r.SENCOPhone,
		nonNil(r.ItemsPresent), nonNil(r.ItemsMissing), nonNil(r.NeedCodes), nonNil(r.LegacyTerms), r.LocalOfferURL, r.Problem,
		p.FetchedAt, p.DocumentSHA256, hash, string(payload), l.version}
}

var demandColumns = []string{"id", "pipeline", "run_id", "period", "geographic_level", "la_code", "la_code_old", "la_name", "region_code",
	"need_code", "age_min", "age_max", "measure", "placement", "count", "source", "source_url", "fetched_at", "content_hash", "_version"}

func demandRow(d *schema.Demand, l *Loader, p *schema.Provenance, hash string) []any {
	return []any{d.ID, l.pipeline, l.runID, d.Period, d.GeographicLevel, d.LACode, d.LACodeOld, d.LAName, d.RegionCode,
		d.NeedCode, d.AgeMin, d.AgeMax, d.Measure, d.Placement, d.Count, d.Source, p.SourceURL, p.FetchedAt, hash, l.version}
}

var capacityColumns = []string{"id", "pipeline", "run_id", "organization_id", "urn", "name", "la_code", "provision_type", "need_codes",
	"age_min", "age_max", "places", "number_on_roll", "as_of", "source_url", "fetched_at", "content_hash", "_version"}

func capacityRow(c *schema.Capacity, l *Loader, p *schema.Provenance, hash string) []any {
	return []any{c.ID, l.pipeline, l.runID, c.OrganizationID, c.URN, c.Name, c.LACode, c.ProvisionType, nonNil(c.NeedCodes),
		c.AgeMin, c.AgeMax, c.Places, c.NumberOnRoll, dateOrNull(c.AsOf), p.SourceURL, p.FetchedAt, hash, l.version}
}

var feedbackColumns = []string{"id", "pipeline", "run_id", "la_code", "received_date", "comment", "respondent", "about",
	"response", "response_date", "status", "need_codes", "age_bands", "categories", "redactions", "source_url", "fetched_at",
	"content_hash", "_version"}

func feedbackRow(f *schema.Feedback, l *Loader, p *schema.Provenance, hash string) []any {
	return []any{f.ID, l.pipeline, l.runID, f.LACode, dateOrNull(f.ReceivedDate), f.Comment, f.Respondent, f.About,
		f.Response, dateOrNull(f.ResponseDate), f.Status, nonNil(f.NeedCodes), nonNil(f.AgeBands), nonNil(f.Categories),
		uint32(min(f.Redactions, 65535)), p.SourceURL, p.FetchedAt, hash, l.version}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func boolInt(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// dateOrNull keeps the YYYY-MM-DD part of a date string; anything else is NULL.
func dateOrNull(s string) Date {
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return Date(s[:10])
	}
	return ""
}
