// Package orukgen builds real-shaped Open Referral UK 3.0 list pages for
// Go benchmarks: each service takes its name, HTML description, web site,
// e-mail, dates and nested organisation from a real council record (cycled;
// the benchmarks use North Lincolnshire's, giving 2.9-3.1 KB a service),
// and gains the nesting a 3.0 feed serves (a contact with a phone, a
// service-at-location with its location and address, a taxonomy attribute),
// so services are 2–3 KB as served. Ids are unique per service; organisations
// repeat as they do in a real feed.
package orukgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Generator makes services from seed records.
type Generator struct {
	seeds []map[string]any
}

// Load reads seed records: a JSON array of ORUK service objects, such as
// cmd/localoffer/testdata/realworld/bristol/services.json.
func Load(path string) (*Generator, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("orukgen: %w", err)
	}
	var seeds []map[string]any
	if err := json.Unmarshal(b, &seeds); err != nil {
		return nil, fmt.Errorf("orukgen: %s: %w", path, err)
	}
	// Seeds without a name or organisation, or with a malformed web
	// address, are the real set's faults (kept there on purpose); a
	// throughput benchmark wants services that load.
	kept := seeds[:0]
	for _, s := range seeds {
		name, _ := s["name"].(string)
		u, _ := s["url"].(string)
		org, _ := s["organization"].(map[string]any)
		if strings.TrimSpace(name) != "" && org != nil && !strings.Contains(name, "www.") &&
			(u == "" || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return nil, errors.New("orukgen: " + path + " has no usable seed records")
	}
	return &Generator{seeds: kept}, nil
}

var postcodes = []string{"BS1 5TR", "BS2 0JA", "BS3 4HG", "BS4 1QS", "BS5 6XX", "BS7 8PB", "BS8 1TH", "BS9 3DZ",
	"BS10 5NB", "BS11 9RL", "BS13 7HR", "BS14 8AG", "BS15 3JB", "BS16 1QY"}
var streets = []string{"Broad Street", "Stapleton Road", "North Street", "Wells Road", "Church Road", "Gloucester Road",
	"Whiteladies Road", "Henleaze Road", "Southmead Road", "Shirehampton Road", "Hartcliffe Way", "Wick Road"}
var terms = [][3]string{{"bccsend-1", "Speech, language and communication", "SEND support"}, {"bccsend-2", "Short breaks", "SEND support"},
	{"bccsend-3", "Mental health and wellbeing", "Health"}, {"bccsend-4", "Youth clubs", "Activities"},
	{"bccsend-5", "Parent carer support", "Family support"}, {"bccsend-6", "Preparing for adulthood", "Education"}}

// Service returns service i (0-based) as an ORUK 3.0 object.
func (g *Generator) Service(i int) map[string]any {
	seed := g.seeds[i%len(g.seeds)]
	id := fmt.Sprintf("svc-%06d", i+1)
	s := map[string]any{}
	for _, k := range []string{"name", "description", "url", "email", "status", "fees", "accreditations", "assured_date", "pc_metadata", "organization"} {
		if v, ok := seed[k]; ok {
			s[k] = v
		}
	}
	s["id"] = id
	if i >= len(g.seeds) {
		// Names repeat across a feed only sometimes; keep them distinct.
		s["name"] = fmt.Sprintf("%s (%d)", seed["name"], i/len(g.seeds)+1)
	}
	if org, ok := seed["organization"].(map[string]any); ok {
		s["organization_id"] = org["id"]
	}
	if i%4 == 0 {
		s["minimum_age"], s["maximum_age"] = 0, 25
	}
	pc, street := postcodes[i%len(postcodes)], streets[i%len(streets)]
	phone := fmt.Sprintf("0117 %03d %04d", 900+i%100, i%10000)
	s["contacts"] = []any{map[string]any{"id": id + "-contact", "name": "Service enquiries", "title": "Coordinator",
		"email": s["email"], "phones": []any{map[string]any{"id": id + "-contact-phone", "number": phone, "type": "voice"}}}}
	s["phones"] = []any{map[string]any{"id": id + "-phone", "number": phone, "description": "Main line"}}
	s["service_at_locations"] = []any{map[string]any{"id": id + "-sal", "service_id": id, "location_id": id + "-loc",
		"location": map[string]any{"id": id + "-loc", "location_type": "physical", "name": fmt.Sprintf("%s community centre", street),
			"description": "Step-free access from the car park; accessible toilet on the ground floor.",
			"latitude":    51.45 + float64(i%97)/1000, "longitude": -2.58 + float64(i%89)/1000,
			"addresses": []any{map[string]any{"id": id + "-addr", "address_1": fmt.Sprintf("%d %s", 1+i%180, street),
				"city": "Bristol", "state_province": "Bristol", "postal_code": pc, "country": "GB", "address_type": "physical"}}}}}
	t := terms[i%len(terms)]
	s["attributes"] = []any{map[string]any{"id": id + "-attr", "link_id": id, "link_type": "service", "link_entity": "service",
		"taxonomy_term_id": t[0], "taxonomy_term": map[string]any{"id": t[0], "code": t[0], "name": t[1], "taxonomy": t[2]}}}
	return s
}

// Page returns page n (1-based) of a feed of total services, perPage a page,
// with ORUK 3.0 page metadata. A page past the end has no contents.
func (g *Generator) Page(n, perPage, total int) []byte {
	pages := (total + perPage - 1) / perPage
	items := []any{}
	for i := (n - 1) * perPage; i < min(n*perPage, total) && n >= 1; i++ {
		items = append(items, g.Service(i))
	}
	b, err := json.Marshal(map[string]any{"total_items": total, "total_pages": pages, "page_number": n, "size": perPage,
		"first_page": n == 1, "last_page": n >= pages, "empty": len(items) == 0, "contents": items})
	if err != nil {
		panic(err) // the values above always marshal
	}
	return b
}
