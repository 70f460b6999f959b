package schema

import "slices"

// Copy returns a location that shares no memory with l. A collector that
// nests a location in a service and also emits it as a record of its own
// must not hand both the same struct: the two records are transformed and
// encoded on different workers at once, and a transform writing the
// location's fields (areas, repairs, provenance) while another worker
// encodes the service is a data race (torn strings: a provider-list run
// faulted in the JSON encoder).
func (l *Location) Copy() *Location {
	if l == nil {
		return nil
	}
	c := *l
	c.Latitude, c.Longitude = copyPtr(l.Latitude), copyPtr(l.Longitude)
	c.Languages = slices.Clone(l.Languages)
	c.Addresses = slices.Clone(l.Addresses)
	c.Accessibility = slices.Clone(l.Accessibility)
	c.Phones = slices.Clone(l.Phones)
	c.Contacts = slices.Clone(l.Contacts)
	for i := range c.Contacts {
		c.Contacts[i].Phones = slices.Clone(c.Contacts[i].Phones)
	}
	c.Schedules = slices.Clone(l.Schedules)
	for i := range c.Schedules {
		s := &c.Schedules[i]
		s.Timezone, s.Count, s.Interval = copyPtr(s.Timezone), copyPtr(s.Count), copyPtr(s.Interval)
	}
	c.Attributes = slices.Clone(l.Attributes)
	for i := range c.Attributes {
		c.Attributes[i].TaxonomyTerm = copyPtr(c.Attributes[i].TaxonomyTerm)
	}
	c.Provenance = copyPtr(l.Provenance)
	return &c
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
