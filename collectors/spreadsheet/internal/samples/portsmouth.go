package samples

// PortsmouthSchools are 20 invented schools in Portsmouth (LA 851,
// E06000044) placed at real-format PO1–PO6 postcodes from the bundled
// postcode sample. Four of them (116201, 116203, 116211, 116213) are the
// schools whose SEN reports the sample crawls (examples/schools), so matching
// links them by URN. Two are special schools, two have resourced provision
// (one also an SEN unit), one is closed; one name has a curly apostrophe
// that GIAS writes in Windows-1252.
var portsmouthBase = []School{
	sch("116201", "10070001", "Baffins Pond Infant School", "Community school", "Infant", 4, 7, 270, 251, "Queen Street", "", "PO1 1AD", 463670, 100922, "E05012458", "E01017102"),
	sch("116202", "10070002", "St Jude’s Church of England Primary School", "Voluntary aided school", "Primary", 4, 11, 210, 204, "Kent Road", "Southsea", "PO1 2NP", 464271, 100962, "E05012458", "E01017100"),
	sch("116203", "10070003", "Fratton Fields Junior School", "Community school", "Junior", 7, 11, 360, 348, "Lake Road", "Landport", "PO1 3TQ", 463870, 101026, "E05012458", "E01017105"),
	sch("116204", "10070004", "Somers Town Primary Academy", "Academy converter", "Primary", 3, 11, 420, 398, "Winston Churchill Avenue", "", "PO1 4ZR", 464549, 101431, "E05012447", "E01017101"),
	sch("116205", "10070005", "Northern Parade Infant School", "Community school", "Infant", 4, 7, 270, 266, "Doyle Avenue", "Hilsea", "PO2 0EP", 464915, 102781, "E05012455", "E01017109"),
	sch("116206", "10070006", "Stamshaw Junior School", "Community school", "Junior", 7, 11, 240, 229, "Tipner Road", "Stamshaw", "PO2 3HQ", 465053, 103514, "E05012455", "E01017109"),
	sch("116207", "10070007", "Copnor Primary School", "Academy sponsor led", "Primary", 4, 11, 630, 612, "Copnor Road", "Copnor", "PO2 6ZZ", 464783, 103725, "E05012453", "E01017112"),
	sch("116208", "10070008", "Hilsea Lines Primary School", "Community school", "Primary", 4, 11, 420, 377, "Norway Road", "Hilsea", "PO2 9HZ", 465124, 104712, "E05012455", "E01017109"),
	sch("116209", "10070009", "Baffins Park Junior School", "Foundation school", "Junior", 7, 11, 480, 471, "Tangier Road", "Baffins", "PO3 1ZD", 466931, 102638, "E05012445", "E01017115"),
	sch("116210", "10070010", "Milton Marsh Secondary School", "Academy converter", "Secondary", 11, 16, 1050, 1012, "Milton Road", "Milton", "PO3 5GQ", 465938, 103274, "E05012448", "E01017111"),
	sch("116211", "10070011", "Hilsea Vale Academy", "Academy sponsor led", "Secondary", 11, 16, 900, 874, "Anchorage Road", "", "PO3 7RP", 465910, 103825, "E05012453", "E01017106"),
	sch("116212", "10070012", "Langstone Harbour Primary School", "Community school", "Primary", 4, 11, 420, 402, "Eastern Road", "", "PO3 9TX", 466644, 104266, "E05012448", "E01017108"),
	sch("116213", "10070013", "Eastney Sands Primary School", "Community school", "Primary", 4, 11, 315, 288, "Highland Road", "Eastney", "PO4 3SE", 466228, 99780, "E05012454", "E01017124"),
	sch("116214", "10070014", "Southsea Common Secondary Academy", "Academy converter", "Secondary", 11, 16, 1200, 1188, "St Ronan's Road", "Southsea", "PO4 6XA", 466141, 100391, "E05012451", "E01017122"),
	sch("116215", "10070015", "Fratton Park Primary School", "Community school", "Primary", 4, 11, 420, 331, "Goldsmith Avenue", "Fratton", "PO4 8HL", 466056, 100972, "E05012454", "E01017121"),
	sch("116216", "10070016", "Albert Road Infant School", "Community school", "Infant", 4, 7, 180, 0, "Albert Road", "Southsea", "PO5 0UT", 464931, 99615, "E05012457", "E01017129"),
	sch("116217", "10070017", "Castle View Special School", "Community special school", "Not applicable", 2, 19, 160, 171, "Castle Road", "Southsea", "PO5 3HJ", 465111, 100028, "E05012446", "E01017120"),
	sch("116218", "10070018", "Solent Sensory Academy", "Academy special converter", "Not applicable", 11, 19, 120, 104, "Elm Grove", "Southsea", "PO5 6NA", 464523, 100524, "E05012452", "E01017128"),
	sch("116219", "10070019", "Cosham Park Secondary School", "Community school", "Secondary", 11, 16, 1100, 1056, "Hawthorn Crescent", "Cosham", "PO6 1GQ", 464871, 105696, "E05012449", "E01017140"),
	sch("116220", "10070020", "Portsdown Hill Primary School", "Community school", "Primary", 4, 11, 420, 415, "Northern Road", "Cosham", "PO6 4TY", 464769, 106328, "E05012449", "E01017140"),
}

// PortsmouthSchools returns the sample schools.
func PortsmouthSchools() []School {
	schools := append([]School(nil), portsmouthBase...)
	// Closed in 2023 (amalgamated); GIAS keeps closed establishments.
	s := &schools[15]
	s.Status, s.CloseDate = "Closed", "31-08-2023"
	// Resourced provision for autism at Copnor, and RP + SEN unit at Milton Marsh.
	s = &schools[6]
	s.RPType, s.RPCap, s.RPRoll = "Resourced provision", "14", "13"
	s.SEN = []string{"ASD - Autistic Spectrum Disorder", "SLCN - Speech, language and Communication"}
	s = &schools[9]
	s.RPType, s.RPCap, s.RPRoll, s.UnitCap, s.UnitRoll = "Resourced provision and SEN unit", "12", "12", "10", "11"
	s.SEN = []string{"HI - Hearing Impairment", "SEMH - Social, Emotional and Mental Health"}
	// Special schools: on-roll over capacity at Castle View.
	s = &schools[16]
	s.SEN = []string{"SLD - Severe Learning Difficulty", "PMLD - Profound and Multiple Learning Difficulty", "ASD - Autistic Spectrum Disorder"}
	s = &schools[17]
	s.SEN = []string{"VI - Visual Impairment", "HI - Hearing Impairment", "MSI - Multi-Sensory Impairment", "PD - Physical Disability"}
	for i := range schools {
		s := &schools[i]
		if s.Status == "" {
			s.Status = "Open"
		}
		s.TypeGroup = typeGroup(s.TypeName)
		if s.TypeGroup == "Academies" || s.TypeName == "Academy special converter" {
			s.OpenDate = "01-09-2013"
		}
	}
	return schools
}

func sch(urn, ukprn, name, typ, phase string, lo, hi, capacity, pupils int, street, locality, pc string, e, n int, ward, lsoa string) School {
	return School{URN: urn, UKPRN: ukprn, Name: name, TypeName: typ, Phase: phase, LowAge: lo, HighAge: hi,
		Capacity: capacity, Pupils: pupils, Street: street, Locality: locality, Town: "Portsmouth", Postcode: pc,
		Easting: e, Northing: n, Ward: ward, LSOA: lsoa, OpenDate: "01-09-1974",
		Website: "www." + slugName(name) + ".example.sch.uk", Phone: "02392 " + urn[2:] + "0"}
}

func typeGroup(t string) string {
	switch {
	case len(t) >= 7 && t[:7] == "Academy":
		if t == "Academy special converter" {
			return "Special schools"
		}
		return "Academies"
	case t == "Community special school":
		return "Special schools"
	}
	return "Local authority maintained schools"
}

func slugName(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+32)
		case c >= 'a' && c <= 'z':
			out = append(out, c)
		}
	}
	return string(out)
}
