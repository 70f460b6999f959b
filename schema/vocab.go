package schema

// The SEND profile's controlled vocabularies, defined once here and mirrored as
// enums in the embedded JSON Schema (a test keeps the two in step). transform/
// and gaps/ import these rather than spelling the codes again.

// Need codes: the DfE SEN2 / school census primary-need codes, plus NSA (no
// specialist assessment of type of need) which the school census uses.
const (
	NeedSPLD = "SPLD" // specific learning difficulty
	NeedMLD  = "MLD"  // moderate learning difficulty
	NeedSLD  = "SLD"  // severe learning difficulty
	NeedPMLD = "PMLD" // profound and multiple learning difficulty
	NeedSEMH = "SEMH" // social, emotional and mental health
	NeedSLCN = "SLCN" // speech, language and communication needs
	NeedHI   = "HI"   // hearing impairment
	NeedVI   = "VI"   // visual impairment
	NeedMSI  = "MSI"  // multi-sensory impairment
	NeedPD   = "PD"   // physical disability
	NeedASD  = "ASD"  // autistic spectrum disorder
	NeedOTH  = "OTH"  // other difficulty or disability
	NeedNSA  = "NSA"  // SEN support but no specialist assessment of type of need
)

// NeedCodes lists every need code in the DfE's publication order.
var NeedCodes = []string{
	NeedSPLD, NeedMLD, NeedSLD, NeedPMLD, NeedSEMH, NeedSLCN,
	NeedHI, NeedVI, NeedMSI, NeedPD, NeedASD, NeedOTH, NeedNSA,
}

// NeedNames gives each need code its DfE wording.
var NeedNames = map[string]string{
	NeedSPLD: "Specific learning difficulty",
	NeedMLD:  "Moderate learning difficulty",
	NeedSLD:  "Severe learning difficulty",
	NeedPMLD: "Profound and multiple learning difficulty",
	NeedSEMH: "Social, emotional and mental health",
	NeedSLCN: "Speech, language and communication needs",
	NeedHI:   "Hearing impairment",
	NeedVI:   "Visual impairment",
	NeedMSI:  "Multi-sensory impairment",
	NeedPD:   "Physical disability",
	NeedASD:  "Autistic spectrum disorder",
	NeedOTH:  "Other difficulty or disability",
	NeedNSA:  "SEN support but no specialist assessment of type of need",
}

// Broad areas of need from the SEND Code of Practice (2015), section 6.28.
const (
	AreaCommunication = "communication_and_interaction"
	AreaCognition     = "cognition_and_learning"
	AreaSEMH          = "social_emotional_and_mental_health"
	AreaSensory       = "sensory_and_physical"
)

// BroadAreas lists the four Code of Practice areas.
var BroadAreas = []string{AreaCommunication, AreaCognition, AreaSEMH, AreaSensory}

// BroadAreaNames gives each broad area its Code of Practice wording.
var BroadAreaNames = map[string]string{
	AreaCommunication: "Communication and interaction",
	AreaCognition:     "Cognition and learning",
	AreaSEMH:          "Social, emotional and mental health",
	AreaSensory:       "Sensory and/or physical needs",
}

// NeedArea maps a need code to its Code of Practice broad area. OTH and NSA
// belong to no single area and are absent: callers must handle the miss.
var NeedArea = map[string]string{
	NeedSLCN: AreaCommunication,
	NeedASD:  AreaCommunication,
	NeedSPLD: AreaCognition,
	NeedMLD:  AreaCognition,
	NeedSLD:  AreaCognition,
	NeedPMLD: AreaCognition,
	NeedSEMH: AreaSEMH,
	NeedHI:   AreaSensory,
	NeedVI:   AreaSensory,
	NeedMSI:  AreaSensory,
	NeedPD:   AreaSensory,
}

// Local Offer categories (SEND Regulations 2014, Schedule 2 headings, as
// councils group their Local Offer directories).
const (
	CatEducation   = "education"
	CatHealth      = "health"
	CatSocialCare  = "social_care"
	CatAdulthood   = "preparing_for_adulthood"
	CatShortBreaks = "short_breaks"
	CatLeisure     = "leisure"
	CatInfoAdvice  = "information_and_advice"
	CatTransport   = "transport"
)

// Categories lists every Local Offer category.
var Categories = []string{
	CatEducation, CatHealth, CatSocialCare, CatAdulthood,
	CatShortBreaks, CatLeisure, CatInfoAdvice, CatTransport,
}

// CategoryNames gives each category its readable name.
var CategoryNames = map[string]string{
	CatEducation:   "Education",
	CatHealth:      "Health",
	CatSocialCare:  "Social care",
	CatAdulthood:   "Preparing for adulthood",
	CatShortBreaks: "Short breaks",
	CatLeisure:     "Leisure",
	CatInfoAdvice:  "Information and advice",
	CatTransport:   "Transport",
}

// AgeBand is an inclusive range of whole years of age.
type AgeBand struct {
	Name     string // e.g. "5-10"
	Min, Max int
}

// AgeBands are the bands gap analysis reports by; a service covers a band if
// its age range overlaps it.
var AgeBands = []AgeBand{
	{Name: "0-4", Min: 0, Max: 4},
	{Name: "5-10", Min: 5, Max: 10},
	{Name: "11-15", Min: 11, Max: 15},
	{Name: "16-18", Min: 16, Max: 18},
	{Name: "19-25", Min: 19, Max: 25},
}

// SEND ages: the Local Offer covers birth to 25; the schema accepts up to
// MaxAge so a source that writes "up to 99" is still a valid record (transform
// clamps and flags it).
const (
	MinSENDAge = 0
	MaxSENDAge = 25
	MaxAge     = 130
)

// Overlaps reports whether the band overlaps the age range [lo, hi]. A band
// of whole years runs to just before its Max+1th birthday, so 4.5 is in 0-4.
func (b AgeBand) Overlaps(lo, hi float64) bool {
	return lo < float64(b.Max+1) && hi >= float64(b.Min)
}

// BandsFor returns the bands an inclusive age range overlaps. A nil bound is
// open: nil min means from birth, nil max means to the top of the last band.
func BandsFor(min, max *float64) []AgeBand {
	lo, hi := 0.0, float64(AgeBands[len(AgeBands)-1].Max)
	if min != nil {
		lo = *min
	}
	if max != nil {
		hi = *max
	}
	var out []AgeBand
	for _, b := range AgeBands {
		if b.Overlaps(lo, hi) {
			out = append(out, b)
		}
	}
	return out
}

// Where a service's minimum and maximum age came from (Service.AgeSource). Only
// ages the source stated (source, school, age_text) are published by export;
// ages read from free text are kept for gap analysis, which says when it used
// them.
const (
	AgeSourceSource  = "source"   // the source's own minimum/maximum age fields
	AgeSourceSchool  = "school"   // the statutory age range of the school the provision belongs to (GIAS, sites list)
	AgeSourceAgeText = "age_text" // read from the source's own age wording (an age column)
	AgeSourceText    = "text"     // read from free text that states who the service is for
)

// AgeSources lists the age sources.
var AgeSources = []string{AgeSourceSource, AgeSourceSchool, AgeSourceAgeText, AgeSourceText}

// AgeStated reports whether ages from this source were stated by the source
// (and may be published as the service's own) rather than read from free text.
func AgeStated(source string) bool {
	return source == AgeSourceSource || source == AgeSourceSchool || source == AgeSourceAgeText
}

// ReportDateWeak is the SENReport.ReportDateSource of a date taken only from
// the server's Last-Modified header: too weak to clear a report whose wording
// looks out of date (transform/staleness).
const ReportDateWeak = "http_last_modified (weak)"
