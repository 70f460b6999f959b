package areas

import (
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/lacodes"
)

// Coder derives area codes for the records of one pipeline.
type Coder struct {
	Lookup *Lookup // may be nil: then only service areas and the default apply
	// Default is the pipeline's GSS area (pipelines.yaml `area:`), used for
	// records that say nothing about where they are.
	Default string
}

// oldCode is the DfE three-digit code of an LA, from the table the
// spreadsheet collector ships for all 153 LAs.
func (c *Coder) oldCode(la string) string {
	if x, ok := lacodes.ByGSS(la); ok {
		return x.Old
	}
	return ""
}

// Location fills a location's area codes (keeping any the source gave) and
// normalises its postcodes. It returns how the LA was found, for annotations.
func (c *Coder) Location(l *schema.Location) string {
	how := ""
	if l.LACode != "" {
		how = "source"
	}
	var area Area
	found := false
	for i := range l.Addresses {
		a := &l.Addresses[i]
		if n, ok := Normalize(a.PostalCode); ok {
			a.PostalCode = n
			if !found {
				area, found = c.Lookup.Postcode(n)
				if found && how == "" {
					how = "postcode " + n
				}
			}
		}
	}
	if !found && l.Latitude != nil && l.Longitude != nil {
		var d float64
		area, d, found = c.Lookup.Nearest(*l.Latitude, *l.Longitude)
		if found && how == "" {
			how = "nearest postcode " + area.Postcode + " (" + strconv.Itoa(int(d+0.5)) + " m)"
		}
	}
	if found && (l.LACode == "" || l.LACode == area.LA) {
		// A source that names another LA than its postcode's keeps its LA, and
		// takes no ward or LSOA from an LA it disagrees with.
		fill(&l.LACode, area.LA)
		fill(&l.WardCode, area.Ward)
		fill(&l.LSOACode, area.LSOA)
	} else if l.LACode == "" && c.Default != "" {
		l.LACode = c.Default
		how = "pipeline default area"
	}
	fill(&l.LACodeOld, c.oldCode(l.LACode))
	return how
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// Service fills a service's LA: the source's own, else a service area whose
// extent is an LA's GSS code, else its first located address, else the
// pipeline default. Its embedded locations get their codes too.
func (c *Coder) Service(s *schema.Service) {
	la, how := s.LACode, ""
	for _, sa := range s.ServiceAreas {
		if la != "" {
			break
		}
		if e := strings.TrimSpace(sa.Extent); lacodes.IsLA(e) {
			la, how = e, "service_area extent"
		}
	}
	for _, sal := range s.ServiceAtLocations {
		if sal.Location == nil {
			continue
		}
		h := c.Location(sal.Location)
		if la == "" && sal.Location.LACode != "" && h != "pipeline default area" {
			la, how = sal.Location.LACode, "location: "+h
		}
	}
	if s.Organization != nil {
		c.Organization(s.Organization)
	}
	if la == "" && c.Default != "" {
		la, how = c.Default, "pipeline default area"
	}
	if la != "" && s.LACode == "" {
		s.LACode = la
		s.Annotations = append(s.Annotations, schema.Annotation{Field: "la_code", Value: la, Evidence: how, Rule: "areas"})
	}
}

// Organization fills an organisation's LA from its locations or the default.
func (c *Coder) Organization(o *schema.Organization) {
	for i := range o.Locations {
		h := c.Location(&o.Locations[i])
		if o.LACode == "" && o.Locations[i].LACode != "" && h != "pipeline default area" {
			o.LACode = o.Locations[i].LACode
		}
	}
	fill(&o.LACode, c.Default)
}

// Apply fills area codes on any record kind. The switch stays because each
// kind keeps its area codes in different fields, with different fallbacks.
func (c *Coder) Apply(rec *schema.Record) {
	switch e := rec.Entity().(type) {
	case *schema.Service:
		c.Service(e)
	case *schema.Location:
		c.Location(e)
	case *schema.Organization:
		c.Organization(e)
	case *schema.SENReport:
		fill(&e.LACode, c.Default)
	case *schema.Capacity:
		fill(&e.LACode, c.Default)
	case *schema.Demand:
		d := e
		if d.LACode != "" {
			fill(&d.LACodeOld, c.oldCode(d.LACode))
		} else if x, ok := lacodes.ByOld(d.LACodeOld); ok && d.LACodeOld != "" {
			d.LACode = x.GSS
		}
	}
}
