package schema

// Kind names what a Record carries; one warehouse table per kind.
type Kind string

const (
	KindService      Kind = "service"
	KindOrganization Kind = "organization"
	KindLocation     Kind = "location"
	KindDemand       Kind = "demand"
	KindCapacity     Kind = "capacity"
	KindSENReport    Kind = "sen_report"
	KindFeedback     Kind = "feedback"
)

// kinds is the one table of record kinds: the warehouse table each loads into
// and how to make an empty entity of it (for decoding).
var kinds = map[Kind]struct {
	table string
	empty func() Entity
}{
	KindService:      {"services", func() Entity { return new(Service) }},
	KindOrganization: {"organizations", func() Entity { return new(Organization) }},
	KindLocation:     {"locations", func() Entity { return new(Location) }},
	KindDemand:       {"demand", func() Entity { return new(Demand) }},
	KindCapacity:     {"capacity", func() Entity { return new(Capacity) }},
	KindSENReport:    {"sen_reports", func() Entity { return new(SENReport) }},
	KindFeedback:     {"feedback", func() Entity { return new(Feedback) }},
}

// Kinds lists every record kind; each is also a $defs name in the schema.
var Kinds = []Kind{KindService, KindOrganization, KindLocation, KindDemand, KindCapacity, KindSENReport, KindFeedback}

// Table is the warehouse table records of this kind load into; "" for an unknown kind.
func (k Kind) Table() string { return kinds[k].table }

// New returns an empty entity of this kind (to decode into), or nil for an unknown kind.
func (k Kind) New() Entity {
	if x, ok := kinds[k]; ok {
		return x.empty()
	}
	return nil
}

// Entity is what every record kind implements, so no stage has to switch on
// Kind just to ask a record for its id, provenance or table. The id method is
// RecordID because the HSDS field is already called ID.
type Entity interface {
	Kind() Kind
	RecordID() string
	Table() string
	Prov() *Provenance
	SetProv(*Provenance)
}

func (*Service) Kind() Kind      { return KindService }
func (*Organization) Kind() Kind { return KindOrganization }
func (*Location) Kind() Kind     { return KindLocation }
func (*Demand) Kind() Kind       { return KindDemand }
func (*Capacity) Kind() Kind     { return KindCapacity }
func (*SENReport) Kind() Kind    { return KindSENReport }
func (*Feedback) Kind() Kind     { return KindFeedback }

func (s *Service) RecordID() string      { return s.ID }
func (o *Organization) RecordID() string { return o.ID }
func (l *Location) RecordID() string     { return l.ID }
func (d *Demand) RecordID() string       { return d.ID }
func (c *Capacity) RecordID() string     { return c.ID }
func (r *SENReport) RecordID() string    { return r.ID }
func (f *Feedback) RecordID() string     { return f.ID }

func (s *Service) Table() string      { return s.Kind().Table() }
func (o *Organization) Table() string { return o.Kind().Table() }
func (l *Location) Table() string     { return l.Kind().Table() }
func (d *Demand) Table() string       { return d.Kind().Table() }
func (c *Capacity) Table() string     { return c.Kind().Table() }
func (r *SENReport) Table() string    { return r.Kind().Table() }
func (f *Feedback) Table() string     { return f.Kind().Table() }

func (s *Service) Prov() *Provenance      { return s.Provenance }
func (o *Organization) Prov() *Provenance { return o.Provenance }
func (l *Location) Prov() *Provenance     { return l.Provenance }
func (d *Demand) Prov() *Provenance       { return d.Provenance }
func (c *Capacity) Prov() *Provenance     { return c.Provenance }
func (r *SENReport) Prov() *Provenance    { return r.Provenance }
func (f *Feedback) Prov() *Provenance     { return f.Provenance }

func (s *Service) SetProv(p *Provenance)      { s.Provenance = p }
func (o *Organization) SetProv(p *Provenance) { o.Provenance = p }
func (l *Location) SetProv(p *Provenance)     { l.Provenance = p }
func (d *Demand) SetProv(p *Provenance)       { d.Provenance = p }
func (c *Capacity) SetProv(p *Provenance)     { c.Provenance = p }
func (r *SENReport) SetProv(p *Provenance)    { r.Provenance = p }
func (f *Feedback) SetProv(p *Provenance)     { f.Provenance = p }

// Record is one normalised entity on its way from a collector to the warehouse.
// Exactly one of the pointers is set, matching Kind. The struct keeps one
// field per kind (rather than an Entity field) so records marshal as they
// always have; Entity and SetEntity are the only places that map between the
// two.
type Record struct {
	Kind         Kind
	Service      *Service
	Organization *Organization
	Location     *Location
	Demand       *Demand
	Capacity     *Capacity
	SENReport    *SENReport
	Feedback     *Feedback `json:",omitempty"` // omitted when nil, so goldens of other kinds stay as they were
	// Flags raised about this record while collecting or transforming it
	// (e.g. no_contact, report_stale). Written to the flags table.
	Flags []Flag
}

// NewRecord wraps an entity in a record of its kind.
func NewRecord(e Entity) *Record {
	r := &Record{}
	r.SetEntity(e)
	return r
}

// Entity returns the entity Kind names, or nil when the record has an unknown
// kind or its pointer is nil (a malformed record the validator quarantines).
func (r *Record) Entity() Entity {
	if r == nil {
		return nil
	}
	switch r.Kind {
	case KindService:
		return entity(r.Service)
	case KindOrganization:
		return entity(r.Organization)
	case KindLocation:
		return entity(r.Location)
	case KindDemand:
		return entity(r.Demand)
	case KindCapacity:
		return entity(r.Capacity)
	case KindSENReport:
		return entity(r.SENReport)
	case KindFeedback:
		return entity(r.Feedback)
	}
	return nil
}

// entity turns a typed nil pointer into a nil Entity, so callers can test
// Entity() == nil.
func entity[T any, P interface {
	*T
	Entity
}](p P) Entity {
	if p == nil {
		return nil
	}
	return p
}

// SetEntity makes e the record's entity: sets Kind and the matching pointer
// and clears the others.
func (r *Record) SetEntity(e Entity) {
	*r = Record{Flags: r.Flags}
	if e == nil {
		return
	}
	r.Kind = e.Kind()
	switch v := e.(type) {
	case *Service:
		r.Service = v
	case *Organization:
		r.Organization = v
	case *Location:
		r.Location = v
	case *Demand:
		r.Demand = v
	case *Capacity:
		r.Capacity = v
	case *SENReport:
		r.SENReport = v
	case *Feedback:
		r.Feedback = v
	}
}

// ID is the record's namespaced identifier, or "" when it carries no entity.
func (r *Record) ID() string {
	if e := r.Entity(); e != nil {
		return e.RecordID()
	}
	return ""
}

// Prov returns the record's provenance, or nil.
func (r *Record) Prov() *Provenance {
	if e := r.Entity(); e != nil {
		return e.Prov()
	}
	return nil
}

// SetProv sets the record's provenance; a record without an entity is left alone.
func (r *Record) SetProv(p *Provenance) {
	if e := r.Entity(); e != nil {
		e.SetProv(p)
	}
}

// Table is the warehouse table the record loads into ("" for an unknown kind).
func (r *Record) Table() string { return r.Kind.Table() }
