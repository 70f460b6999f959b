// Package official compiles the official HSDS 3.0 schema and the Open
// Referral UK 3.0 profile (embedded copies) into checkers. It is what
// publishing (export, serve) checks records against, and what `localoffer
// validate` (feedcheck) checks third-party feeds against, so both agree.
package official

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/localoffer/localoffer/schema"
)

//go:embed hsds30.schema.json
var hsdsSchema []byte

//go:embed ukprofile30.schema.json
var ukSchema []byte

const (
	hsdsID = "https://localoffer.github.io/schema/hsds30-check.schema.json"
	ukID   = "https://localoffer.github.io/schema/oruk30-check.schema.json"
)

// Entities are the HSDS 3.0 entity types, in the order feed detection prefers them on a tie.
var Entities = []string{"service", "organization", "service_at_location", "location", "taxonomy_term", "taxonomy",
	"program", "address", "phone", "schedule", "service_area", "language", "funding", "cost_option",
	"required_document", "contact", "accessibility", "organization_identifier", "attribute", "metadata",
	"meta_table_description"}

// Schemas are the compiled checkers. Safe for concurrent use.
type Schemas struct {
	Entity   map[string]*schema.Checker // per entity type
	Props    map[string]map[string]bool // entity type → its HSDS properties
	Required map[string][]string        // entity type → its required properties
	Page     *schema.Checker            // a paginated API response
	API      *schema.Checker            // HSDS 3.0 api_details (GET /)
	UKAPI    *schema.Checker            // Open Referral UK 3.0 api_details
}

// Compile compiles the embedded schemas.
func Compile() (*Schemas, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for id, b := range map[string][]byte{hsdsID: hsdsSchema, ukID: ukSchema} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("parse embedded schema %s: %w", id, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, err
		}
	}
	compile := func(id, def string) (*schema.Checker, error) {
		s, err := c.Compile(id + "#/$defs/" + def)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", def, err)
		}
		return schema.NewChecker(s), nil
	}
	o := &Schemas{Entity: map[string]*schema.Checker{}, Props: map[string]map[string]bool{}, Required: map[string][]string{}}
	var err error
	for _, e := range Entities {
		if o.Entity[e], err = compile(hsdsID, e); err != nil {
			return nil, err
		}
		s := o.Entity[e].Schema()
		o.Props[e] = map[string]bool{}
		for p := range s.Properties {
			o.Props[e][p] = true
		}
		o.Required[e] = s.Required
	}
	if o.Page, err = compile(hsdsID, "page"); err != nil {
		return nil, err
	}
	if o.API, err = compile(hsdsID, "api_details"); err != nil {
		return nil, err
	}
	if o.UKAPI, err = compile(ukID, "api_details"); err != nil {
		return nil, err
	}
	return o, nil
}

// EntityProblems validates one record of an HSDS 3.0 entity type, given as
// JSON, against the official schema. An unknown type is one problem.
func (o *Schemas) EntityProblems(typ string, record []byte) []schema.Problem {
	c := o.Entity[typ]
	if c == nil {
		return []schema.Problem{{Message: fmt.Sprintf("unknown HSDS entity type %q", typ)}}
	}
	return c.ProblemsJSON(record)
}
