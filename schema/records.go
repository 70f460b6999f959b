package schema

// HasContact reports whether a service gives any way to get in touch: its
// own email, website or phones, a contact's, a location's, or its organisation's.
func (s *Service) HasContact() bool {
	if s.Email != "" || s.URL != "" || len(s.Phones) > 0 {
		return true
	}
	for _, c := range s.Contacts {
		if c.Email != "" || len(c.Phones) > 0 {
			return true
		}
	}
	for _, sal := range s.ServiceAtLocations {
		if len(sal.Phones) > 0 || len(sal.Contacts) > 0 {
			return true
		}
	}
	if s.Organization != nil && (s.Organization.Email != "" || s.Organization.Website != "" || len(s.Organization.Phones) > 0) {
		return true
	}
	return false
}
