package samples

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// ProviderColumns is the template's header, with what each column means
// (written to the "Read me" sheet).
var ProviderColumns = [][2]string{
	{"Provider ID", "Your own stable reference for the service (never reuse one)"},
	{"Service name", "What families would search for"},
	{"Provider", "Organisation running the service"},
	{"Description", "What the service offers, in plain words"},
	{"Needs", "DfE need codes separated by ; (ASD; SLCN; SEMH; MLD; SLD; PMLD; SPLD; HI; VI; MSI; PD; OTH)"},
	{"Min age", "Youngest age served, in years"},
	{"Max age", "Oldest age served, in years"},
	{"Category", "Local Offer category: education, health, social_care, preparing_for_adulthood, short_breaks, leisure, information_and_advice, transport"},
	{"Contact email", "Email for enquiries"},
	{"Phone", "Phone for enquiries"},
	{"Website", "Web page for the service"},
	{"Address", "Street address where it is delivered"},
	{"Town", "Town"},
	{"Postcode", "Postcode"},
	{"Places", "Commissioned places (leave blank if not place-based)"},
	{"Places free", "Places available now"},
	{"Last reviewed", "Date the entry was last checked with the provider (a date cell)"},
	{"Active", "Yes or No"},
}

type provider struct {
	id, name, org, desc, needs string
	minAge, maxAge             int
	cat, email, phone, web     string
	addr, pc                   string
	places, free               int
	reviewed                   float64 // Excel serial date
	active                     string
}

var providers = []provider{
	{"PCC-0001", "Harbour Speech and Language Drop-in", "Solent Children's Therapy Service", "Weekly drop-in for parents worried about their child's speech.", "SLCN", 0, 5, "health", "slt.dropin@solent.example", "023 9200 1001", "https://solent.example/slt", "Battenburg Avenue", "PO2 0EP", 0, 0, 46010, "Yes"},
	{"PCC-0002", "Saturday Sensory Club", "Portsmouth Autism Support Network", "Sensory play sessions for autistic children and their siblings.", "ASD; SLCN", 4, 11, "short_breaks", "hello@pasn.example", "023 9200 1002", "pasn.example/saturday-club", "Tangier Road", "PO3 1ZD", 24, 3, 45930, "Yes"},
	{"PCC-0003", "Next Steps Supported Internships", "Southsea Further Education College", "Year-long supported internships with local employers for 16–24s with EHC plans.", "MLD; SLD; ASD", 16, 24, "preparing_for_adulthood", "internships@southseafe.example", "023 9200 1003", "https://southseafe.example/internships", "Highland Road", "PO4 3SE", 12, 0, 45890, "Yes"},
	{"PCC-0004", "Calm Minds Group", "Portsmouth Wellbeing Trust", "Small-group sessions for anxious teenagers.", "SEMH", 11, 18, "health", "calmminds@pwt.example", "", "https://pwt.example/calm-minds", "Elm Grove", "PO5 6NA", 16, 5, 45200, "Yes"},
	{"PCC-0005", "Cosham Holiday Playscheme", "Portsmouth City Council", "Summer playscheme with 1:1 support where needed.", "PMLD; SLD; PD", 5, 17, "short_breaks", "shortbreaks@portsmouth.example", "023 9200 1005", "", "Northern Road", "PO6 4TY", 30, 0, 44990, "No"},
}

// WriteProviders writes the commissioner's provider-list template: a "Read
// me" sheet and a "Providers" sheet with title rows above the header, a
// merged title, dates as Excel serials and a formula with its cached value.
func WriteProviders(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	readme := "Read me"
	f.SetSheetName("Sheet1", readme)
	f.SetCellValue(readme, "A1", "Local Offer provider list: one row per service. The header row must stay as it is; rows above it are ignored.")
	f.SetCellValue(readme, "A3", "Column")
	f.SetCellValue(readme, "B3", "What to enter")
	for i, c := range ProviderColumns {
		cellA, _ := excelize.CoordinatesToCellName(1, 4+i)
		cellB, _ := excelize.CoordinatesToCellName(2, 4+i)
		f.SetCellValue(readme, cellA, c[0])
		f.SetCellValue(readme, cellB, c[1])
	}
	s := "Providers"
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	f.SetCellValue(s, "A1", "Portsmouth City Council: commissioned SEND services")
	f.MergeCell(s, "A1", "F1")
	f.SetCellValue(s, "A2", "Return to the SEND commissioning team by the 1st of each month")
	for i, c := range ProviderColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 4)
		f.SetCellValue(s, cell, c[0])
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	for r, p := range providers {
		row := 5 + r
		vals := []any{p.id, p.name, p.org, p.desc, p.needs, p.minAge, p.maxAge, p.cat, p.email, p.phone, p.web, p.addr, "Portsmouth", p.pc}
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			f.SetCellValue(s, cell, v)
		}
		places, _ := excelize.CoordinatesToCellName(15, row)
		free, _ := excelize.CoordinatesToCellName(16, row)
		reviewed, _ := excelize.CoordinatesToCellName(17, row)
		active, _ := excelize.CoordinatesToCellName(18, row)
		if p.places > 0 {
			f.SetCellValue(s, places, p.places)
			// Places free = places - taken: a formula whose cached value is
			// what readers see (the value is set first; the formula keeps it).
			f.SetCellValue(s, free, p.free)
			f.SetCellFormula(s, free, "="+places+"-"+strconv.Itoa(p.places-p.free))
		}
		f.SetCellValue(s, reviewed, p.reviewed)
		f.SetCellStyle(s, reviewed, reviewed, dateStyle)
		f.SetCellValue(s, active, p.active)
	}
	f.SetActiveSheet(1)
	_, err = f.WriteTo(w)
	return err
}

// SyntheticProviders streams an n-row provider list (the template's 18
// columns, sheet "Providers") as an XLSX workbook, for benchmarks.
func SyntheticProviders(w io.Writer, n int) error {
	header := make([]string, len(ProviderColumns))
	for i, c := range ProviderColumns {
		header[i] = c[0]
	}
	needs := []string{"ASD; SLCN", "SEMH", "MLD; SLD", "PD", "HI; VI"}
	return StreamXLSX(w, "Providers", header, n, func(r int) []string {
		return []string{fmt.Sprintf("P-%06d", r), fmt.Sprintf("Service %d", r), fmt.Sprintf("Provider %d", r%5000),
			"Group sessions for children and young people with SEND.", needs[r%len(needs)], "4", "18", "short_breaks",
			fmt.Sprintf("service%d@provider.example", r), "023 9200 0000", "https://provider.example/s", "Elm Grove", "Portsmouth",
			"PO5 1AA", "20", "3", strconv.Itoa(45930 + r%300), "Yes"}
	})
}
