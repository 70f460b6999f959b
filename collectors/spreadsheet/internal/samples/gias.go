// Package samples writes the invented example files shipped in examples/
// (GIAS-, DfE- and provider-list-shaped) and the synthetic files the
// benchmarks read. Rows are invented; headers are the real published ones.
package samples

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"golang.org/x/text/encoding/charmap"
)

// giasColumns is the edubasealldata header (2024 releases), in file order.
var giasColumns = []string{
	"URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
	"TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
	"EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
	"ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
	"ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
	"StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
	"OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
	"ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)",
	"Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
	"SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys",
	"NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)",
	"Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
	"Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)",
	"OfstedLastInsp", "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate",
	"Street", "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
	"HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "BSOInspectorateName (name)",
	"InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
	"TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
	"EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)", "SEN4 (name)",
	"SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)", "SEN10 (name)", "SEN11 (name)",
	"SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll",
	"ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)", "GOR (name)",
	"DistrictAdministrative (code)", "DistrictAdministrative (name)", "AdministrativeWard (code)",
	"AdministrativeWard (name)", "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
	"UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing", "MSOA (name)",
	"LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)",
	"PropsName", "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber", "OfstedRating (name)",
	"RSCRegion (name)", "Country (name)", "UPRN", "SiteName", "QABName (code)", "QABName (name)",
	"EstablishmentAccredited (code)", "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)",
	"LSOA (code)", "FSM", "AccreditationExpiryDate",
}

// School is one invented GIAS establishment.
type School struct {
	URN, UKPRN, Name, TypeName, TypeGroup, Status, Phase string
	LowAge, HighAge                                      int
	Capacity, Pupils                                     int
	Street, Locality, Town, Postcode                     string
	Easting, Northing                                    int
	Ward, LSOA, Website, Phone                           string
	SEN                                                  []string
	RPType                                               string
	RPCap, RPRoll, UnitCap, UnitRoll                     string
	OpenDate, CloseDate                                  string
}

func (s School) values() map[string]string {
	v := map[string]string{
		"URN": s.URN, "LA (code)": "851", "LA (name)": "Portsmouth", "EstablishmentNumber": s.URN[len(s.URN)-4:],
		"EstablishmentName": s.Name, "TypeOfEstablishment (name)": s.TypeName, "EstablishmentTypeGroup (name)": s.TypeGroup,
		"EstablishmentStatus (name)": s.Status, "OpenDate": s.OpenDate, "CloseDate": s.CloseDate,
		"PhaseOfEducation (name)": s.Phase, "StatutoryLowAge": strconv.Itoa(s.LowAge), "StatutoryHighAge": strconv.Itoa(s.HighAge),
		"Boarders (name)": "No boarders", "Gender (name)": "Mixed", "ReligiousCharacter (name)": "Does not apply",
		"AdmissionsPolicy (name)": "Not applicable", "SchoolCapacity": itoa(s.Capacity), "CensusDate": "16-01-2025",
		"NumberOfPupils": itoa(s.Pupils), "UKPRN": s.UKPRN, "LastChangedDate": "03-11-2025",
		"Street": s.Street, "Locality": s.Locality, "Town": s.Town, "County (name)": "Hampshire", "Postcode": s.Postcode,
		"SchoolWebsite": s.Website, "TelephoneNum": s.Phone, "TypeOfResourcedProvision (name)": s.RPType,
		"ResourcedProvisionOnRoll": s.RPRoll, "ResourcedProvisionCapacity": s.RPCap, "SenUnitOnRoll": s.UnitRoll,
		"SenUnitCapacity": s.UnitCap, "GOR (code)": "J", "GOR (name)": "South East", "AdministrativeWard (code)": s.Ward,
		"GSSLACode (name)": "E06000044", "Easting": itoa(s.Easting), "Northing": itoa(s.Northing), "LSOA (code)": s.LSOA,
		"UrbanRural (name)": "(England/Wales) Urban city and town", "Country (name)": "United Kingdom",
	}
	for i, n := range s.SEN {
		v[fmt.Sprintf("SEN%d (name)", i+1)] = n
	}
	return v
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// WriteGIAS writes schools as an edubasealldata CSV in Windows-1252, the
// way GIAS publishes it.
func WriteGIAS(w io.Writer, schools []School) error {
	bw := bufio.NewWriterSize(charmap.Windows1252.NewEncoder().Writer(w), 1<<16)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(giasColumns); err != nil {
		return err
	}
	row := make([]string, len(giasColumns))
	for _, s := range schools {
		v := s.values()
		for i, c := range giasColumns {
			row[i] = v[c]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

var needNames = []string{
	"ASD - Autistic Spectrum Disorder", "SLCN - Speech, language and Communication", "SEMH - Social, Emotional and Mental Health",
	"MLD - Moderate Learning Difficulty", "SLD - Severe Learning Difficulty", "PMLD - Profound and Multiple Learning Difficulty",
	"HI - Hearing Impairment", "VI - Visual Impairment", "PD - Physical Disability", "SpLD - Specific Learning Difficulty",
}

// SyntheticGIAS writes n invented GIAS-shaped schools (for benchmarks):
// every fourth school has a resourced provision, every twentieth is special.
func SyntheticGIAS(w io.Writer, n int) error {
	r := rand.New(rand.NewPCG(851, 44))
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write(giasColumns); err != nil {
		return err
	}
	row := make([]string, len(giasColumns))
	for i := 0; i < n; i++ {
		s := School{
			URN: strconv.Itoa(100000 + i), UKPRN: strconv.Itoa(10000000 + i), Name: fmt.Sprintf("Synthetic Primary School %d", i),
			TypeName: "Community school", TypeGroup: "Local authority maintained schools", Status: "Open", Phase: "Primary",
			LowAge: 4, HighAge: 11, Capacity: 210 + r.IntN(420), Pupils: 180 + r.IntN(400),
			Street: fmt.Sprintf("%d Harbour Road", 1+r.IntN(200)), Town: "Portsmouth", Postcode: fmt.Sprintf("PO%d %d%c%c", 1+r.IntN(6), r.IntN(10), 'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26))),
			Easting: 462000 + r.IntN(6000), Northing: 98000 + r.IntN(9000), Ward: "E05012458", LSOA: "E01017102",
			Website: "www.synthetic-school.example", Phone: "02392 000000", OpenDate: "01-09-1990",
		}
		if i%4 == 0 {
			s.RPType, s.RPCap, s.RPRoll = "Resourced provision", strconv.Itoa(8+r.IntN(16)), strconv.Itoa(r.IntN(20))
			s.SEN = []string{needNames[r.IntN(len(needNames))], needNames[r.IntN(len(needNames))]}
		}
		if i%20 == 0 {
			s.TypeName, s.TypeGroup, s.Phase = "Community special school", "Special schools", "Not applicable"
		}
		v := s.values()
		for j, c := range giasColumns {
			row[j] = v[c]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
