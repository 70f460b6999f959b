package feed

import (
	"encoding/json"
	"fmt"

	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/schema/official"
)

// Withheld is a record the export left out because it does not pass the
// official HSDS 3.0 schema (e.g. a service whose source gave no status: the
// warehouse keeps it as unknown, HSDS requires one). index.json lists them.
type Withheld struct {
	Type    string   `json:"type"` // service | organization
	ID      string   `json:"id"`   // the warehouse id
	Name    string   `json:"name,omitempty"`
	Reasons []string `json:"reasons"` // "pointer: message" from the official schema
}

// maxReasons bounds what one withheld record lists.
const maxReasons = 10

// Conformance checks published records against the official HSDS 3.0
// schema: export uses it, and so can anything else that publishes (serve).
// Safe for concurrent use.
type Conformance struct{ k *official.Schemas }

// NewConformance compiles the official schema (embedded).
func NewConformance() (*Conformance, error) {
	k, err := official.Compile()
	if err != nil {
		return nil, fmt.Errorf("compile the official HSDS 3.0 schema: %w", err)
	}
	return &Conformance{k: k}, nil
}

// Check returns why a record as published (typ: service, organization, …)
// fails the official schema; nil: it passes.
func (c *Conformance) Check(typ string, v any) ([]string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	ps := c.k.EntityProblems(typ, b)
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]string, 0, min(len(ps), maxReasons))
	for i, p := range ps {
		if i == maxReasons {
			out = append(out, fmt.Sprintf("… %d more", len(ps)-maxReasons))
			break
		}
		out = append(out, reasonOf(p))
	}
	return out, nil
}

func reasonOf(p schema.Problem) string {
	if p.Pointer == "" {
		return p.Message
	}
	return p.Pointer + ": " + p.Message
}
