package spreadsheet

import (
	"fmt"
	"github.com/localoffer/localoffer/collectors/collect"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Options configure the spreadsheet collector (CSV or XLSX).
type Options struct {
	// Preset names a mapping shipped in the binary: gias, dfe_ehcp_needs, dfe_ehcp_caseload.
	Preset string `yaml:"preset"`
	// Entity is what each row becomes: services (default), organizations, locations, demand, capacity, feedback.
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
	// Measure names what demand counts measure (dfe_ehcp_needs: all_plans or
	// new_plans; by default inferred from the file name).
	Measure string `yaml:"measure"`
	// Source labels demand rows with the publication they come from.
	SourceLabel string `yaml:"source"`
	// MaxBytes caps the file size (default 1 GiB).
	MaxBytes int64 `yaml:"max_bytes"`
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
	Default    string            `yaml:"default"`     // used when the cell is empty
}

var mappingRuleKeys = []string{"column", "columns", "join", "const", "split", "values", "date_format", "default"}

// UnmarshalYAML accepts a plain column name or a mapping of the rule keys,
// rejecting unknown keys with their line.
func (m *MappingRule) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
			return fmt.Errorf("line %d: mapping rule: empty column name", n.Line)
		}
		m.Column = n.Value
		return nil
	case yaml.MappingNode:
	default:
		return fmt.Errorf("line %d: mapping rule: want a column name or a mapping of %s", n.Line, strings.Join(mappingRuleKeys, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		known := false
		for _, want := range mappingRuleKeys {
			known = known || k == want
		}
		if !known {
			return fmt.Errorf("line %d: mapping rule: unknown key %q (want %s)", n.Content[i].Line, k, strings.Join(mappingRuleKeys, ", "))
		}
	}
	type plain MappingRule // no UnmarshalYAML: decodes the fields
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*m = MappingRule(p)
	set := 0
	for _, b := range []bool{m.Column != "", len(m.Columns) > 0, n.Content != nil && hasKey(n, "const")} {
		if b {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("line %d: mapping rule: give exactly one of column, columns, const", n.Line)
	}
	switch m.DateFormat {
	case "", "dd/mm/yyyy", "dd-mm-yyyy", "yyyy-mm-dd", "mm/dd/yyyy", "excel":
	default:
		return fmt.Errorf("line %d: mapping rule: unknown date_format %q (dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, mm/dd/yyyy, excel)", n.Line, m.DateFormat)
	}
	return nil
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// MappingTargets are the fields a mapping may fill, by entity.
var MappingTargets = map[string][]string{
	"services": {"id", "name", "alternate_name", "description", "url", "email", "phone", "status", "organization", "organization_id",
		"minimum_age", "maximum_age", "age_text", "need_codes", "categories", "eligibility_description", "fees_description",
		"application_process", "assured_date", "last_modified", "la_code", "address", "city", "postcode", "latitude", "longitude",
		"capacity_available", "capacity_maximum"},
	"organizations": {"id", "name", "alternate_name", "description", "email", "website", "phone", "organization_type", "la_code",
		"urn", "ukprn", "charity_number", "company_number"},
	"locations": {"id", "name", "organization_id", "description", "address", "city", "postcode", "latitude", "longitude",
		"la_code", "la_code_old", "ward_code", "lsoa_code", "easting", "northing"},
	"demand": {"id", "period", "geographic_level", "la_code", "la_code_old", "la_name", "region_code", "need_code",
		"age_min", "age_max", "measure", "placement", "count", "source"},
	"capacity": {"id", "organization_id", "urn", "name", "la_code", "provision_type", "need_codes", "age_min", "age_max",
		"places", "number_on_roll", "as_of"},
	"feedback": {"id", "received_date", "comment", "respondent", "about", "response", "response_date", "status", "la_code"},
}

// SetDefaults fills the options left unset.
func (o *Options) SetDefaults() {
	if o.Entity == "" && o.Preset == "" {
		o.Entity = "services"
	}
}

// Validate reports every option out of range (after SetDefaults).
func (o *Options) Validate() []collect.OptionError {
	var errs []collect.OptionError
	switch o.Preset {
	case "", "gias", "dfe_ehcp_needs", "dfe_ehcp_caseload":
	default:
		errs = append(errs, collect.OptionError{Key: "preset", Msg: "unknown preset " + quote(o.Preset) + " (gias, dfe_ehcp_needs, dfe_ehcp_caseload)"})
	}
	if o.Preset == "" && len(o.Mapping) == 0 {
		errs = append(errs, collect.OptionError{Key: "mapping", Msg: "give a preset: or a mapping:"})
	}
	switch o.Entity {
	case "", "services", "organizations", "locations", "demand", "capacity", "feedback":
	default:
		errs = append(errs, collect.OptionError{Key: "entity", Msg: "unknown entity " + quote(o.Entity) + " (services, organizations, locations, demand, capacity, feedback)"})
	}
	if o.Preset == "" {
		entity := o.Entity
		if entity == "" {
			entity = "services"
		}
		if targets, ok := MappingTargets[entity]; ok {
			var unknown []string
			for field := range o.Mapping {
				found := false
				for _, t := range targets {
					found = found || t == field
				}
				if !found {
					unknown = append(unknown, field)
				}
			}
			sort.Strings(unknown)
			for _, f := range unknown {
				errs = append(errs, collect.OptionError{Key: "mapping", Msg: "unknown field " + quote(f) + " for entity " + entity + " (fields: " + strings.Join(targets, ", ") + ")"})
			}
		}
	}
	if o.Preset != "" && len(o.Mapping) > 0 {
		errs = append(errs, collect.OptionError{Key: "mapping", Msg: "give a preset: or a mapping:, not both"})
	}
	if o.Measure != "" && o.Preset != "dfe_ehcp_needs" && o.Preset != "dfe_ehcp_caseload" && o.Entity != "demand" {
		errs = append(errs, collect.OptionError{Key: "measure", Msg: "only demand pipelines have a measure"})
	}
	if o.MaxBytes < 0 {
		errs = append(errs, collect.OptionError{Key: "max_bytes", Msg: "must be positive"})
	}
	switch o.Encoding {
	case "", "utf-8", "latin-1", "cp1252":
	default:
		errs = append(errs, collect.OptionError{Key: "encoding", Msg: "unknown encoding " + quote(o.Encoding) + " (utf-8, latin-1, cp1252)"})
	}
	return errs
}

func quote(s string) string { return "\"" + s + "\"" }
