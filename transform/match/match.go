// Package match finds records from different sources that describe the same
// real-world organisation, service or location, incrementally.
//
// An Index holds every record's matching features, the blocks that make
// candidates (identifiers, rare name words × postcode, district, area or
// website) and the clusters. A pass compares only the records upserted since
// the last pass (and the members of the clusters they belonged to) against
// the index, so its cost follows what changed, not the warehouse.
//
// Evidence per kind:
//   - organisations: shared identifiers (URN, UKPRN, charity, company, ODS),
//     normalised names, and the postcodes, coordinates, websites and area of
//     their own locations and services;
//   - services: the same (canonical) organisation or none known, similar names,
//     and the same location (postcode or coordinates); never across areas, never
//     on a shared website or a name alone;
//   - locations: the same place (postcode or coordinates) and a similar name or
//     the same organisation.
//
// Clusters are stored as one canonical id per record plus the one link that
// joined it (a spanning tree of each cluster), so storage grows with the
// records, not with the square of a cluster.
package match

import (
	"strings"

	"github.com/localoffer/localoffer/transform/text"
)

// Kind is what an index matches; each kind has its own rules.
type Kind string

const (
	Organization Kind = "organization"
	Service      Kind = "service"
	Location     Kind = "location"
)

// Point is a WGS84 position.
type Point struct{ Lat, Lon float64 }

// Entity is what matching needs to know about one record.
type Entity struct {
	ID       string
	Pipeline string
	Name     string
	// Keys are strong identifiers as scheme:value (see Key).
	Keys []string
	// Postcodes are normalised ("PO4 0GE"): its own and, for an organisation,
	// those of its locations and services.
	Postcodes []string
	Points    []Point
	// Domains are registrable domains of its website (and, for an
	// organisation, of its services' pages).
	Domains []string
	// Area is the GSS code of its local authority, or "".
	Area string
	// Org is the id of the organisation a service or location belongs to.
	Org string
}

// Assignment is one record's place in its cluster: the canonical id (the
// smallest id in the cluster) and the link that joined it (LinkedTo empty for
// one record of each cluster, and for records matched to nothing).
type Assignment struct {
	ID, Pipeline string
	Canonical    string
	LinkedTo     string
	LinkedPipe   string
	Score        float64
	Reason       string
}

// Options tunes matching.
type Options struct {
	Kind Kind
	// Threshold is the score at or above which two records link (default 0.85).
	Threshold float64
	// MaxBlock skips name blocks larger than this: a word shared by that many
	// records in one place does not identify anything (default 500).
	MaxBlock int
	// OrgCanonical maps an organisation id to its canonical id (services and
	// locations compare organisations through it); nil means ids as they are.
	OrgCanonical func(id string) string
}

// Key normalises a third-party identifier to scheme:value, or "" when the
// scheme is not one that identifies a single organisation.
func Key(scheme, value string) string {
	v := strings.ToUpper(strings.Join(strings.Fields(value), ""))
	if v == "" {
		return ""
	}
	s := strings.ToUpper(strings.TrimSpace(scheme))
	switch {
	case s == "GB-URN" || s == "URN":
		return "urn:" + strings.TrimLeft(v, "0")
	case s == "GB-UKPRN" || s == "UKPRN":
		return "ukprn:" + v
	case s == "GB-CHC" || s == "GB-SC" || s == "GB-NIC" || strings.Contains(s, "CHARITY"):
		return "charity:" + v
	case s == "GB-COH" || strings.Contains(s, "COMPANY"):
		// Companies House numbers are eight characters, often written without leading zeros.
		for len(v) < 8 {
			v = "0" + v
		}
		return "company:" + v
	case s == "GB-NHS" || s == "ODS" || strings.Contains(s, "ODS"):
		return "ods:" + v
	}
	return ""
}

var stopwords = map[string]bool{"the": true, "and": true, "of": true, "a": true, "at": true, "for": true, "in": true,
	"ltd": true, "limited": true, "cic": true, "plc": true, "llp": true, "cio": true}

// synonyms fold spellings that name the same thing.
var synonyms = map[string]string{"saint": "st", "centre": "center", "cofe": "ce", "catholic": "rc", "prim": "primary",
	"sch": "school", "acad": "academy", "jnr": "junior", "inf": "infant", "child": "children", "voluntary": "va",
	"controlled": "vc", "aided": "va"}

// typeWords say what kind of place something is, not which one: "Redwood Park
// School" became "Redwood Park Academy". They count for less than the words
// that name the place, however rare they are in a small set.
var typeWords = map[string]bool{"school": true, "academy": true, "college": true, "center": true, "service": true,
	"group": true, "club": true, "trust": true, "project": true, "team": true, "primary": true, "junior": true,
	"infant": true, "secondary": true, "nursery": true, "high": true, "ce": true, "rc": true, "va": true, "vc": true,
	"special": true, "community": true, "federation": true}

// StripQualifier removes a trailing parenthesised qualifier, "Eastney Sands
// Primary School (Portsmouth)" → "Eastney Sands Primary School": directories
// add the town or a type to tell their own entries apart.
func StripQualifier(name string) string {
	n := strings.TrimSpace(name)
	if strings.HasSuffix(n, ")") {
		if i := strings.LastIndexByte(n, '('); i > 0 {
			return strings.TrimSpace(n[:i])
		}
	}
	return n
}

// NameWords returns a name's normalised words, stopwords removed.
func NameWords(name string) []string {
	toks := text.Tokenize(name, nil)
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		w := toks[i].Word
		// "Church of England" and "C of E" → ce; "Roman Catholic" → rc
		if w == "church" && i+2 < len(toks) && toks[i+1].Word == "of" && toks[i+2].Word == "england" {
			out, i = append(out, "ce"), i+2
			continue
		}
		if w == "c" && i+2 < len(toks) && toks[i+1].Word == "of" && toks[i+2].Word == "e" {
			out, i = append(out, "ce"), i+2
			continue
		}
		if w == "roman" && i+1 < len(toks) && toks[i+1].Word == "catholic" {
			out, i = append(out, "rc"), i+1
			continue
		}
		if w == "r" && i+1 < len(toks) && toks[i+1].Word == "c" { // "R C", "R.C."
			out, i = append(out, "rc"), i+1
			continue
		}
		// "St Wilfrid's" / "St Wilfrids", "Infants" / "Infant": a trailing s
		// (possessive or plural) is dropped on both sides alike.
		if w == "s" || stopwords[w] {
			continue
		}
		if len(w) > 3 && w[len(w)-1] == 's' && w[len(w)-2] != 's' {
			w = w[:len(w)-1]
		}
		if s, ok := synonyms[w]; ok {
			w = s
		}
		out = append(out, w)
	}
	return out
}

// Result is the outcome of a whole-set match (Match).
type Result struct {
	// Assignments has one entry per input entity, in input order.
	Assignments []Assignment
	Compared    int
}

// Match matches a whole set at once: a fresh index, every entity upserted,
// one pass.
func Match(ents []Entity, opt Options) Result {
	x := NewIndex(opt)
	for _, e := range ents {
		x.Upsert(e)
	}
	st := x.Pass()
	res := Result{Assignments: make([]Assignment, len(ents)), Compared: st.Compared}
	for i, e := range ents {
		res.Assignments[i] = x.Assignment(e.ID)
	}
	return res
}
