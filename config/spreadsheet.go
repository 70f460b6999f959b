package config

// SpreadsheetOptions configure the spreadsheet collector (CSV or XLSX).
type SpreadsheetOptions struct {
	// Preset names a mapping shipped in the binary: gias, dfe_ehcp_needs, dfe_ehcp_caseload.
	Preset string `yaml:"preset"`
	// Entity is what each row becomes: services (default), organizations, locations, demand, capacity.
	Entity string `yaml:"entity"`
	// Sheet selects an XLSX sheet by name or 1-based index (default: the first).
	Sheet string `yaml:"sheet"`
	// HeaderRow is the 1-based header row; 0 detects it.
	HeaderRow int `yaml:"header_row"`
	// Delimiter overrides CSV delimiter sniffing.
	Delimiter string `yaml:"delimiter"`
	// Encoding overrides charset detection: utf-8, latin-1, cp1252.
	Encoding string `yaml:"encoding"`
	// Mapping maps schema fields to source columns (see the README).
	Mapping map[string]MappingRule `yaml:"mapping"`
}

// MappingRule says how one target field is filled from a row. Written either
// as a plain column name or as a mapping with the keys below.
type MappingRule struct {
	Column     string            `yaml:"column"`
	Columns    []string          `yaml:"columns"`     // concatenated with Join
	Join       string            `yaml:"join"`        // default " "
	Const      string            `yaml:"const"`       // a constant value
	Split      string            `yaml:"split"`       // list separator, e.g. ";"
	Values     map[string]string `yaml:"values"`      // value map, e.g. {"Y": "true"}
	DateFormat string            `yaml:"date_format"` // dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, excel
}

var spreadsheetOptionKeys = map[string]bool{
	"preset": true, "entity": true, "sheet": true, "header_row": true,
	"delimiter": true, "encoding": true, "mapping": true,
}

func (o *SpreadsheetOptions) applyDefaults(typ string) {
	if typ != "spreadsheet" {
		return
	}
	if o.Entity == "" && o.Preset == "" {
		o.Entity = "services"
	}
}

func (o *SpreadsheetOptions) validate() []optionError {
	var errs []optionError
	switch o.Preset {
	case "", "gias", "dfe_ehcp_needs", "dfe_ehcp_caseload":
	default:
		errs = append(errs, optionError{"preset", "unknown preset " + quote(o.Preset) + " (gias, dfe_ehcp_needs, dfe_ehcp_caseload)"})
	}
	if o.Preset == "" && len(o.Mapping) == 0 {
		errs = append(errs, optionError{"mapping", "give a preset: or a mapping:"})
	}
	switch o.Entity {
	case "", "services", "organizations", "locations", "demand", "capacity":
	default:
		errs = append(errs, optionError{"entity", "unknown entity " + quote(o.Entity) + " (services, organizations, locations, demand, capacity)"})
	}
	switch o.Encoding {
	case "", "utf-8", "latin-1", "cp1252":
	default:
		errs = append(errs, optionError{"encoding", "unknown encoding " + quote(o.Encoding) + " (utf-8, latin-1, cp1252)"})
	}
	return errs
}

func quote(s string) string { return "\"" + s + "\"" }
