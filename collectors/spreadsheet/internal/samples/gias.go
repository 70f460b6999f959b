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
	// Windows-1252 and CRLF, as GIAS publishes it; one name in ten has a
	// curly apostrophe, so the reader decodes some non-ASCII bytes.
	bw := bufio.NewWriterSize(charmap.Windows1252.NewEncoder().Writer(w), 1<<16)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
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
		if i%10 == 5 {
			s.Name = fmt.Sprintf("St Mary\u2019s Church of England Primary School %d", i)
		}
		if i%4 == 0 {
			s.RPType, s.RPCap, s.RPRoll = "Resourced provision", strconv.Itoa(8+r.IntN(16)), strconv.Itoa(r.IntN(20))
			s.SEN = []string{needNames[r.IntN(len(needNames))], needNames[r.IntN(len(needNames))]}
		}
		if i%20 == 0 {
			s.TypeName, s.TypeGroup, s.Phase = "Community special school", "Special schools", "Not applicable"
		}
		v := s.values()
		fillReal(v, r, i)
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

// fillReal fills the columns a real edubasealldata row also carries (codes
// beside names, head teacher, trust, geography names, inspection fields), so
// a synthetic row is as wide as a real one: about 1.2 KB and ~95 non-empty
// cells of 140, like the published file (~65 MB for ~52,000 rows). The
// mapper reads few of them; the reader still has to get past them.
func fillReal(v map[string]string, r *rand.Rand, i int) {
	heads := []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright"}
	firsts := []string{"Sarah", "James", "Helen", "David", "Claire", "Mark", "Emma", "Paul", "Rachel", "Andrew"}
	add := func(k, val string) {
		if v[k] == "" {
			v[k] = val
		}
	}
	add("TypeOfEstablishment (code)", "01")
	add("EstablishmentTypeGroup (code)", "4")
	add("EstablishmentStatus (code)", "1")
	add("ReasonEstablishmentOpened (code)", "00")
	add("ReasonEstablishmentOpened (name)", "Not applicable")
	add("ReasonEstablishmentClosed (code)", "00")
	add("ReasonEstablishmentClosed (name)", "Not applicable")
	add("PhaseOfEducation (code)", "2")
	add("Boarders (code)", "1")
	add("NurseryProvision (name)", "Has Nursery Classes")
	add("OfficialSixthForm (code)", "2")
	add("OfficialSixthForm (name)", "Does not have a sixth form")
	add("Gender (code)", "3")
	add("ReligiousCharacter (code)", "00")
	add("ReligiousEthos (name)", "Does not apply")
	add("Diocese (code)", "0000")
	add("Diocese (name)", "Not applicable")
	add("AdmissionsPolicy (code)", "0")
	add("SpecialClasses (code)", "2")
	add("SpecialClasses (name)", "No Special Classes")
	add("NumberOfBoys", strconv.Itoa(90+r.IntN(200)))
	add("NumberOfGirls", strconv.Itoa(90+r.IntN(200)))
	add("PercentageFSM", fmt.Sprintf("%.1f", 5+r.Float64()*40))
	add("TrustSchoolFlag (code)", "0")
	add("TrustSchoolFlag (name)", "Not applicable")
	if i%3 == 0 {
		add("Trusts (code)", strconv.Itoa(15000+r.IntN(3000)))
		add("Trusts (name)", fmt.Sprintf("THE SOLENT LEARNING PARTNERSHIP MULTI ACADEMY TRUST %d", r.IntN(400)))
	}
	add("SchoolSponsorFlag (name)", "Not applicable")
	add("FederationFlag (name)", "Not under a federation")
	add("OfstedLastInsp", fmt.Sprintf("%02d-%02d-20%02d", 1+r.IntN(28), 1+r.IntN(12), 15+r.IntN(10)))
	add("HeadTitle (name)", "Mrs")
	add("HeadFirstName", firsts[r.IntN(len(firsts))])
	add("HeadLastName", heads[r.IntN(len(heads))])
	add("HeadPreferredJobTitle", "Headteacher")
	add("InspectorateReport", "http://www.ofsted.gov.uk/inspection-reports/find-inspection-report/provider/ELS/"+v["URN"])
	add("TeenMoth (name)", "Not applicable")
	add("CCF (name)", "Not applicable")
	add("SENPRU (name)", "Not applicable")
	add("EBD (name)", "Not applicable")
	add("FTProv (name)", "Not applicable")
	add("EdByOther (name)", "Not applicable")
	add("Section41Approved (name)", "Not approved")
	add("DistrictAdministrative (code)", "E06000044")
	add("DistrictAdministrative (name)", "Portsmouth")
	add("AdministrativeWard (name)", "Central Southsea")
	add("ParliamentaryConstituency (code)", "E14001434")
	add("ParliamentaryConstituency (name)", "Portsmouth South")
	add("UrbanRural (code)", "C1")
	add("MSOA (name)", fmt.Sprintf("Portsmouth %03d", 1+r.IntN(25)))
	add("LSOA (name)", fmt.Sprintf("Portsmouth %03d%c", 1+r.IntN(25), 'A'+rune(r.IntN(6))))
	add("InspectorateName (name)", "Not applicable")
	add("SENStat", strconv.Itoa(r.IntN(12)))
	add("SENNoStat", strconv.Itoa(20+r.IntN(60)))
	add("BoardingEstablishment (name)", "Not applicable")
	add("PreviousLA (code)", "999")
	add("PreviousLA (name)", "Not applicable")
	add("OfstedRating (name)", "Good")
	add("RSCRegion (name)", "South-East England and South London")
	add("UPRN", strconv.Itoa(1775000000+r.IntN(99999)))
	add("QABName (code)", "0")
	add("QABName (name)", "Not applicable")
	add("EstablishmentAccredited (code)", "0")
	add("EstablishmentAccredited (name)", "Not applicable")
	add("MSOA (code)", fmt.Sprintf("E020034%02d", r.IntN(99)))
	add("FSM", strconv.Itoa(10+r.IntN(150)))
}
