package warehouse

import (
	"fmt"
	"strings"

	"github.com/localoffer/localoffer/schema"
)

// rowMapper turns records into the rows of their tables; it holds the
// run's constants that every row carries, boxed once rather than per row.
type rowMapper struct {
	pipeline, runID, version any // string, string, uint64
}

type tableRow struct {
	table   string
	columns []string
	row     []any
}

// rows maps a valid record's entity to its rows. payload is the record's
// content JSON and hash its content hash (schema.Content).
func (m rowMapper) rows(ent schema.Entity, prov *schema.Provenance, payload, hash string) ([]tableRow, error) {
	switch e := ent.(type) {
	case *schema.Service:
		return m.serviceRows(e, prov, payload, hash), nil
	case *schema.Organization:
		return []tableRow{{e.Table(), orgColumns, m.orgRow(e, prov, payload, hash)}}, nil
	case *schema.Location:
		return []tableRow{{e.Table(), locationColumns, m.locationRow(e, prov, payload, hash)}}, nil
	case *schema.SENReport:
		return []tableRow{{e.Table(), senReportColumns, m.senReportRow(e, prov, payload, hash)}}, nil
	case *schema.Demand:
		return []tableRow{{e.Table(), demandColumns, m.demandRow(e, prov, hash)}}, nil
	case *schema.Capacity:
		return []tableRow{{e.Table(), capacityColumns, m.capacityRow(e, prov, hash)}}, nil
	case *schema.Feedback:
		return []tableRow{{e.Table(), feedbackColumns, m.feedbackRow(e, prov, hash)}}, nil
	}
	return nil, fmt.Errorf("no rows for a %T record", ent)
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

func (m rowMapper) serviceRows(s *schema.Service, p *schema.Provenance, payload, hash string) []tableRow {
	var avail, maxi *float64
	if s.Capacity != nil {
		avail, maxi = s.Capacity.Available, s.Capacity.Maximum
	}
	rows := []tableRow{{s.Table(), serviceColumns, []any{s.ID, m.pipeline, m.runID, s.Name, s.Status, s.OrganizationID, s.Description, s.URL, s.Email,
		s.MinimumAge, s.MaximumAge, s.AgeText, s.AgeSource, nonNil(s.NeedCodes), nonNil(s.BroadAreas), nonNil(s.Categories), s.LACode, servicePostcode(s),
		avail, maxi, boolInt(s.HasContact()), dateOrNull(s.AssuredDate), s.LastModified, s.CanonicalID,
		p.SourceURL, p.SourceID, p.FetchedAt, p.DocumentSHA256, hash, payload, m.version}}}
	for _, sal := range s.ServiceAtLocations {
		locID := sal.LocationID
		if locID == "" && sal.Location != nil {
			locID = sal.Location.ID
		}
		if locID == "" {
			continue
		}
		rows = append(rows, tableRow{"service_at_locations", salColumns, []any{sal.ID, m.pipeline, m.runID, s.ID, locID, m.version}})
	}
	return rows
}

var salColumns = []string{"id", "pipeline", "run_id", "service_id", "location_id", "_version"}

// servicePostcode is the postcode of a service's first physical address.
func servicePostcode(s *schema.Service) string {
	for _, sal := range s.ServiceAtLocations {
		if sal.Location == nil {
			continue
		}
		if pc := locationPostcode(sal.Location); pc != "" {
			return pc
		}
	}
	return ""
}

// locationPostcode is a location's first postcode.
func locationPostcode(loc *schema.Location) string {
	for _, a := range loc.Addresses {
		if a.PostalCode != "" {
			return a.PostalCode
		}
	}
	return ""
}

var orgColumns = []string{"id", "pipeline", "run_id", "name", "organization_type", "website", "email", "la_code", "identifiers",
	"canonical_id", "source_url", "source_id", "fetched_at", "document_sha256", "content_hash", "payload", "_version"}

func (m rowMapper) orgRow(o *schema.Organization, p *schema.Provenance, payload, hash string) []any {
	ids := make([]string, 0, len(o.OrganizationIdentifiers))
	for _, oi := range o.OrganizationIdentifiers {
		scheme := oi.IdentifierScheme
		if scheme == "" {
			scheme = oi.IdentifierType
		}
		ids = append(ids, scheme+":"+oi.Identifier)
	}
	return []any{o.ID, m.pipeline, m.runID, o.Name, o.OrganizationType, o.Website, o.Email, o.LACode, ids,
		o.CanonicalID, p.SourceURL, p.SourceID, p.FetchedAt, p.DocumentSHA256, hash, payload, m.version}
}

var locationColumns = []string{"id", "pipeline", "run_id", "organization_id", "name", "location_type", "address", "postcode",
	"latitude", "longitude", "la_code", "la_code_old", "ward_code", "lsoa_code", "source_url", "source_id", "fetched_at",
	"content_hash", "payload", "_version"}

func (m rowMapper) locationRow(x *schema.Location, p *schema.Provenance, payload, hash string) []any {
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
	return []any{x.ID, m.pipeline, m.runID, x.OrganizationID, x.Name, x.LocationType, addr, locationPostcode(x),
		x.Latitude, x.Longitude, x.LACode, x.LACodeOld, x.WardCode, x.LSOACode, p.SourceURL, p.SourceID, p.FetchedAt,
		hash, payload, m.version}
}

var senReportColumns = []string{"id", "pipeline", "run_id", "urn", "school_name", "la_code", "site_url", "report_url", "report_format",
	"found", "discovery_score", "runners_up", "report_date", "report_date_source", "senco_name", "senco_email", "senco_phone",
	"items_present", "items_missing", "need_codes", "legacy_terms", "local_offer_url", "problem", "fetched_at", "document_sha256",
	"content_hash", "payload", "_version"}

func (m rowMapper) senReportRow(r *schema.SENReport, p *schema.Provenance, payload, hash string) []any {
	return []any{r.ID, m.pipeline, m.runID, r.URN, r.SchoolName, r.LACode, r.SiteURL, r.ReportURL, r.ReportFormat,
		boolInt(r.Found), r.DiscoveryScore, nonNil(r.RunnersUp), dateOrNull(r.ReportDate), r.ReportDateSource, r.SENCOName, r.SENCOEmail, r.SENCOPhone,
		nonNil(r.ItemsPresent), nonNil(r.ItemsMissing), nonNil(r.NeedCodes), nonNil(r.LegacyTerms), r.LocalOfferURL, r.Problem,
		p.FetchedAt, p.DocumentSHA256, hash, payload, m.version}
}

var demandColumns = []string{"id", "pipeline", "run_id", "period", "geographic_level", "la_code", "la_code_old", "la_name", "region_code",
	"need_code", "age_min", "age_max", "measure", "placement", "count", "source", "source_url", "fetched_at", "content_hash", "_version"}

func (m rowMapper) demandRow(d *schema.Demand, p *schema.Provenance, hash string) []any {
	return []any{d.ID, m.pipeline, m.runID, d.Period, d.GeographicLevel, d.LACode, d.LACodeOld, d.LAName, d.RegionCode,
		d.NeedCode, d.AgeMin, d.AgeMax, d.Measure, d.Placement, d.Count, d.Source, p.SourceURL, p.FetchedAt, hash, m.version}
}

var capacityColumns = []string{"id", "pipeline", "run_id", "organization_id", "urn", "name", "la_code", "provision_type", "need_codes",
	"age_min", "age_max", "places", "number_on_roll", "as_of", "source_url", "fetched_at", "content_hash", "_version"}

func (m rowMapper) capacityRow(c *schema.Capacity, p *schema.Provenance, hash string) []any {
	return []any{c.ID, m.pipeline, m.runID, c.OrganizationID, c.URN, c.Name, c.LACode, c.ProvisionType, nonNil(c.NeedCodes),
		c.AgeMin, c.AgeMax, c.Places, c.NumberOnRoll, dateOrNull(c.AsOf), p.SourceURL, p.FetchedAt, hash, m.version}
}

var feedbackColumns = []string{"id", "pipeline", "run_id", "la_code", "received_date", "comment", "respondent", "about",
	"response", "response_date", "status", "need_codes", "age_bands", "categories", "redactions", "source_url", "fetched_at",
	"content_hash", "_version"}

func (m rowMapper) feedbackRow(f *schema.Feedback, p *schema.Provenance, hash string) []any {
	return []any{f.ID, m.pipeline, m.runID, f.LACode, dateOrNull(f.ReceivedDate), f.Comment, f.Respondent, f.About,
		f.Response, dateOrNull(f.ResponseDate), f.Status, nonNil(f.NeedCodes), nonNil(f.AgeBands), nonNil(f.Categories),
		uint32(min(f.Redactions, 65535)), p.SourceURL, p.FetchedAt, hash, m.version}
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
