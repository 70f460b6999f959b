package schema

import (
	"math/big"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Checker validates generic JSON trees against one compiled schema.
//
// jsonschema/v6 is exact but spends a few hundred nanoseconds on every value
// it visits (it tracks scopes and evaluated properties for full 2020-12
// semantics), which is too slow for tens of thousands of full services a
// second. So a Checker also holds a plan derived once from the compiled
// schema, covering only the keywords our schemas use. Valid values (nearly
// all of them) are accepted by the plan alone; anything the plan rejects is
// validated again by jsonschema/v6, whose errors are authoritative. A schema
// using a keyword the plan does not know is always validated by jsonschema/v6.
type Checker struct {
	sch  *jsonschema.Schema
	plan *planNode // nil: no fast path
}

// NewChecker wraps a compiled schema.
func NewChecker(s *jsonschema.Schema) *Checker {
	b := planBuilder{memo: map[*jsonschema.Schema]*planNode{}}
	p := b.build(s)
	if b.unsupported {
		p = nil
	}
	return &Checker{sch: s, plan: p}
}

// Fast reports whether the checker has a fast path (for tests and benchmarks).
func (c *Checker) Fast() bool { return c.plan != nil }

// Problems validates v; none means valid.
func (c *Checker) Problems(v any) []Problem {
	if c.plan != nil && c.plan.ok(v) {
		return nil
	}
	if err := c.sch.Validate(v); err != nil {
		return Problems(err)
	}
	return nil
}

// Schema is the compiled schema.
func (c *Checker) Schema() *jsonschema.Schema { return c.sch }

type typeMask uint8

const (
	tNull typeMask = 1 << iota
	tBool
	tNumber
	tInteger
	tString
	tArray
	tObject
)

type planNode struct {
	types    typeMask // 0: any
	enum     []any
	required []string
	props    map[string]*planNode
	closed   bool // additionalProperties: false
	items    *planNode
	unique   bool
	minLen   int
	maxLen   int // -1: none
	pattern  jsonschema.Regexp
	format   *jsonschema.Format
	min, max *float64
	ref      *planNode
	oneOf    []*planNode
	minItems int
	maxItems int // -1: none

	// Derived for the byte scan.
	fields        map[string]field // props and required: one lookup per member name
	table         fieldTable       // fields without the map, when it could be built
	hasTable      bool
	requiredCount int               // distinct required names (bits of field.req)
	match         func(string) bool // pattern, or its hand-written equivalent
	formatFast    func([]byte) bool // accepts only what format accepts, cheaply (nil: none)
	anyText       bool              // no check reads a string's text: the scan need not decode it
	// onlyRef: the node is {"$ref": …} and nothing else, so once the target
	// accepted the value there is nothing left to check (the scan need not
	// walk the value a second time for the node's own, empty, checks).
	onlyRef bool
}

// field is what an object member's name means to the byte scan.
type field struct {
	node *planNode // with prop: the member's schema (nil: anything)
	prop bool      // named in properties
	req  int       // bit of this name among distinct required names, or -1
}

type planBuilder struct {
	memo        map[*jsonschema.Schema]*planNode
	unsupported bool
}

func (b *planBuilder) build(s *jsonschema.Schema) *planNode {
	if s == nil {
		return nil
	}
	if n, ok := b.memo[s]; ok {
		return n
	}
	n := &planNode{maxLen: -1, maxItems: -1}
	b.memo[s] = n
	if s.Bool != nil || s.RecursiveRef != nil || s.DynamicRef != nil || s.Const != nil || s.Not != nil ||
		len(s.AllOf) > 0 || len(s.AnyOf) > 0 || s.If != nil || s.MaxProperties != nil || s.MinProperties != nil ||
		s.PropertyNames != nil || len(s.PatternProperties) > 0 || len(s.Dependencies) > 0 || len(s.DependentRequired) > 0 ||
		len(s.DependentSchemas) > 0 || s.UnevaluatedProperties != nil || s.Contains != nil || s.Items != nil ||
		s.AdditionalItems != nil || len(s.PrefixItems) > 0 || s.UnevaluatedItems != nil || s.ContentEncoding != nil ||
		s.ContentMediaType != nil || s.ExclusiveMaximum != nil || s.ExclusiveMinimum != nil || s.MultipleOf != nil ||
		len(s.Extensions) > 0 {
		b.unsupported = true
		return n
	}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			switch t {
			case "null":
				n.types |= tNull
			case "boolean":
				n.types |= tBool
			case "number":
				n.types |= tNumber
			case "integer":
				n.types |= tInteger
			case "string":
				n.types |= tString
			case "array":
				n.types |= tArray
			case "object":
				n.types |= tObject
			}
		}
	}
	if s.Enum != nil {
		n.enum = s.Enum.Values
		for _, v := range n.enum {
			if _, ok := v.(string); !ok {
				b.unsupported = true // only string enums are compared here
			}
		}
	}
	n.required = s.Required
	if len(s.Properties) > 0 {
		n.props = make(map[string]*planNode, len(s.Properties))
		for k, ps := range s.Properties {
			n.props[k] = b.build(ps)
		}
	}
	if len(n.props) > 0 || len(n.required) > 0 {
		n.fields = make(map[string]field, len(n.props)+len(n.required))
		for k, pn := range n.props {
			n.fields[k] = field{node: pn, prop: true, req: -1}
		}
		for _, r := range n.required {
			f, ok := n.fields[r]
			if !ok {
				f = field{req: -1}
			}
			if f.req >= 0 {
				continue // named twice in required: one bit
			}
			f.req = n.requiredCount
			n.requiredCount++
			n.fields[r] = f
		}
		n.table, n.hasTable = newFieldTable(n.fields)
	}
	switch ap := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.closed = !ap
	default:
		b.unsupported = true
	}
	n.items = b.build(s.Items2020)
	n.unique = s.UniqueItems
	if s.MinItems != nil {
		n.minItems = *s.MinItems
	}
	if s.MaxItems != nil {
		n.maxItems = *s.MaxItems
	}
	if s.MinLength != nil {
		n.minLen = *s.MinLength
	}
	if s.MaxLength != nil {
		n.maxLen = *s.MaxLength
	}
	n.pattern = s.Pattern
	n.match = patternMatcher(s.Pattern)
	n.format = s.Format
	if s.Format != nil {
		switch s.Format.Name {
		case "date-time":
			n.formatFast = plainDateTime
		case "date":
			n.formatFast = plainDate
		case "email":
			n.formatFast = plainEmail
		}
	}
	n.min = ratFloat(s.Minimum)
	n.max = ratFloat(s.Maximum)
	n.ref = b.build(s.Ref)
	for _, o := range s.OneOf {
		n.oneOf = append(n.oneOf, b.build(o))
	}
	n.anyText = n.enum == nil && n.minLen == 0 && n.maxLen < 0 && n.pattern == nil && n.format == nil
	n.onlyRef = n.ref != nil && n.oneOf == nil && n.anyText && n.types == 0 && len(n.required) == 0 && len(n.props) == 0 &&
		!n.closed && n.items == nil && !n.unique && n.min == nil && n.max == nil && n.minItems == 0 && n.maxItems < 0
	return n
}

func ratFloat(r *big.Rat) *float64 {
	if r == nil {
		return nil
	}
	f, _ := r.Float64()
	return &f
}

// ok reports whether v satisfies the node. It may say false for a valid
// value only where that is cheaper (then jsonschema/v6 decides); it never
// says true for an invalid one.
func (n *planNode) ok(v any) bool {
	if n == nil {
		return true
	}
	if n.ref != nil && !n.ref.ok(v) {
		return false
	}
	if n.types != 0 && !n.typeOK(v) {
		return false
	}
	if n.enum != nil {
		s, isStr := v.(string)
		if !isStr {
			return false
		}
		found := false
		for _, e := range n.enum {
			if e.(string) == s {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.oneOf != nil {
		c := 0
		for _, o := range n.oneOf {
			if o.ok(v) {
				c++
			}
		}
		if c != 1 {
			return false
		}
	}
	switch x := v.(type) {
	case string:
		if n.minLen > 0 || n.maxLen >= 0 {
			l := len(x)
			if l < n.minLen || (n.maxLen >= 0 && l > n.maxLen*4) {
				return false
			}
			// Byte length bounds rune count from above; count runes only when close.
			if (n.minLen > 0 && l < n.minLen*4) || (n.maxLen >= 0 && l > n.maxLen) {
				rc := 0
				for range x {
					rc++
				}
				if rc < n.minLen || (n.maxLen >= 0 && rc > n.maxLen) {
					return false
				}
			}
		}
		if n.match != nil && !n.match(x) {
			return false
		}
		if n.format != nil && n.format.Validate(x) != nil {
			return false
		}
	case float64:
		if n.min != nil && x < *n.min {
			return false
		}
		if n.max != nil && x > *n.max {
			return false
		}
		if n.format != nil && n.format.Validate(x) != nil {
			return false
		}
	case map[string]any:
		for _, r := range n.required {
			if _, ok := x[r]; !ok {
				return false
			}
		}
		for k, pv := range x {
			pn, ok := n.props[k]
			if !ok {
				if n.closed {
					return false
				}
				continue
			}
			if !pn.ok(pv) {
				return false
			}
		}
	case []any:
		if len(x) < n.minItems || (n.maxItems >= 0 && len(x) > n.maxItems) {
			return false
		}
		for _, it := range x {
			if !n.items.ok(it) {
				return false
			}
		}
		if n.unique && len(x) > 1 {
			for i := range x {
				s, isStr := x[i].(string)
				if !isStr {
					return false // let jsonschema/v6 compare non-strings
				}
				for j := 0; j < i; j++ {
					if t, _ := x[j].(string); t == s {
						return false
					}
				}
			}
		}
	case nil, bool:
	default:
		return false // json.Number and other types: let jsonschema/v6 decide
	}
	return true
}

func (n *planNode) typeOK(v any) bool {
	switch x := v.(type) {
	case nil:
		return n.types&tNull != 0
	case bool:
		return n.types&tBool != 0
	case float64:
		if n.types&tNumber != 0 {
			return true
		}
		return n.types&tInteger != 0 && x == float64(int64(x))
	case string:
		return n.types&tString != 0
	case []any:
		return n.types&tArray != 0
	case map[string]any:
		return n.types&tObject != 0
	}
	return false
}
