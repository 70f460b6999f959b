// Package gias reads the DfE Get Information about Schools establishment
// export (edubasealldata*.csv, or an XLSX copy of it): the one reader of
// GIAS files, shared by the spreadsheet collector's gias preset and the SEN
// report crawler's school list. It names the columns, finds them in the
// header (exactly, then ignoring case and spacing), reads only the columns a
// caller asked for, and trims cells. Text is Windows-1252 as GIAS publishes
// it, or UTF-8 in a re-saved copy: the shared sheet reader tells them apart.
package gias

import (
	"fmt"
	"strings"

	"github.com/localoffer/localoffer/internal/sheet"
)

// Columns of the establishment export (2024–2025 releases).
const (
	URN                      = "URN"
	UKPRN                    = "UKPRN"
	EstablishmentName        = "EstablishmentName"
	LACode                   = "LA (code)"
	GSSLACode                = "GSSLACode (name)"
	EstablishmentStatus      = "EstablishmentStatus (name)"
	TypeOfEstablishment      = "TypeOfEstablishment (name)"
	EstablishmentTypeGroup   = "EstablishmentTypeGroup (name)"
	PhaseOfEducation         = "PhaseOfEducation (name)"
	StatutoryLowAge          = "StatutoryLowAge"
	StatutoryHighAge         = "StatutoryHighAge"
	OpenDate                 = "OpenDate"
	CloseDate                = "CloseDate"
	CensusDate               = "CensusDate"
	SchoolCapacity           = "SchoolCapacity"
	NumberOfPupils           = "NumberOfPupils"
	Street                   = "Street"
	Locality                 = "Locality"
	Address3                 = "Address3"
	Town                     = "Town"
	County                   = "County (name)"
	Postcode                 = "Postcode"
	SchoolWebsite            = "SchoolWebsite"
	TelephoneNum             = "TelephoneNum"
	TypeOfResourcedProvision = "TypeOfResourcedProvision (name)"
	ResourcedProvisionOnRoll = "ResourcedProvisionOnRoll"
	ResourcedProvisionCap    = "ResourcedProvisionCapacity"
	SenUnitOnRoll            = "SenUnitOnRoll"
	SenUnitCapacity          = "SenUnitCapacity"
	AdministrativeWardCode   = "AdministrativeWard (code)"
	LSOACode                 = "LSOA (code)"
	Easting                  = "Easting"
	Northing                 = "Northing"
)

// SENColumns are the thirteen "SENn (name)" columns: the types of need a
// school's SEN provision caters for.
var SENColumns = func() []string {
	out := make([]string, 13)
	for i := range out {
		out[i] = fmt.Sprintf("SEN%d (name)", i+1)
	}
	return out
}()

// Col is a column found in the file's header; reading an absent column gives "".
type Col int

// Absent is the Col of a column the file does not have.
const Absent Col = -1

// Reader streams establishments. Ask for every column with Column before the
// first Next: only those are read.
type Reader struct {
	r      *sheet.Reader
	index  map[string]int // header → first position
	folded map[string]int // lower-cased, single-spaced header → first position
	cols   []int
	began  bool
}

// Open opens a GIAS export and checks that it has the required columns; name
// is what messages call the file.
func Open(path string, opts sheet.Options, required ...string) (*Reader, error) {
	r, err := sheet.Open(path, opts)
	if err != nil {
		return nil, err
	}
	g := &Reader{r: r, index: map[string]int{}, folded: map[string]int{}}
	for i, h := range r.Header() {
		if _, dup := g.index[h]; !dup {
			g.index[h] = i
		}
		if f := fold(h); f != "" {
			if _, dup := g.folded[f]; !dup {
				g.folded[f] = i
			}
		}
	}
	for _, c := range required {
		if g.Column(c) == Absent {
			r.Close()
			return nil, &MissingColumnError{File: opts.Name, Column: c, Header: r.Header()}
		}
	}
	return g, nil
}

// MissingColumnError says a required column is not in the header.
type MissingColumnError struct {
	File, Column string
	Header       []string
}

func (e *MissingColumnError) Error() string {
	return fmt.Sprintf("%s: no %q column (is it a GIAS establishment export?)", e.File, e.Column)
}

func fold(h string) string { return strings.ToLower(strings.Join(strings.Fields(h), " ")) }

// Column finds a column by name, exactly and then ignoring case and spacing.
func (g *Reader) Column(name string) Col {
	i, ok := g.index[name]
	if !ok {
		i, ok = g.folded[fold(name)]
	}
	if !ok {
		return Absent
	}
	if !g.began {
		g.cols = append(g.cols, i)
	}
	return Col(i)
}

// Header is the file's header row.
func (g *Reader) Header() []string { return g.r.Header() }

// Next returns the next establishment's row (read its cells with Cell);
// io.EOF at the end. The row is reused by the next call.
func (g *Reader) Next() ([]string, error) {
	if !g.began {
		g.began = true
		g.r.Select(g.cols)
	}
	return g.r.Next()
}

// Cell is a row's cell in column c, trimmed; "" when the file lacks c.
func Cell(row []string, c Col) string {
	if c < 0 || int(c) >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c])
}

// Line is the source line of the current row.
func (g *Reader) Line() int { return g.r.Line() }

// Close releases the file.
func (g *Reader) Close() error { return g.r.Close() }
