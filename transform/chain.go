// Package transform is the per-record transform chain every pipeline runs
// (areas → ages → needs → categories → staleness flags) and the work done
// over the warehouse after a run (cross-source matching and the flags that
// need other runs or other sources). Each step is a pure function over a
// record in its own package; this package wires them.
package transform

import (
	"errors"
	"fmt"
	"time"

	"github.com/localoffer/localoffer/config"
	"github.com/localoffer/localoffer/schema"
	"github.com/localoffer/localoffer/transform/ages"
	"github.com/localoffer/localoffer/transform/areas"
	"github.com/localoffer/localoffer/transform/categories"
	"github.com/localoffer/localoffer/transform/feedback"
	"github.com/localoffer/localoffer/transform/needs"
	"github.com/localoffer/localoffer/transform/staleness"
)

// Shared is what every pipeline's chain reads and nothing writes: loaded once
// per process (the postcode lookup can be the whole ONSPD).
type Shared struct {
	Needs      *needs.Vocab
	Categories *categories.Rules
	Postcodes  *areas.Lookup // nil when transform.postcodes is not set
}

// LoadShared loads the needs vocabulary (transform.needs, or the built-in
// one), the category rules and the postcode lookup (transform.postcodes).
func LoadShared(cfg *config.Config) (*Shared, error) {
	v, err := needs.Load(cfg.Resolve(cfg.Transform.Needs))
	if err != nil {
		return nil, fmt.Errorf("transform.needs: %w", err)
	}
	cats, err := categories.Builtin()
	if err != nil {
		return nil, err
	}
	sh := &Shared{Needs: v, Categories: cats}
	if p := cfg.Transform.Postcodes; p != "" {
		if sh.Postcodes, err = areas.LoadFile(cfg.Resolve(p)); err != nil {
			return nil, fmt.Errorf("transform.postcodes: %w", err)
		}
	}
	return sh, nil
}

// Chain is one pipeline's transform; it satisfies runner.Transformer.
type Chain struct {
	shared    *Shared
	areas     areas.Coder
	staleness staleness.Rules
}

// NewChain builds the chain for one pipeline. Now is the clock for the
// staleness rules; nil means time.Now.
func NewChain(sh *Shared, p config.Pipeline, st config.Staleness, now func() time.Time) (*Chain, error) {
	if sh == nil || sh.Needs == nil || sh.Categories == nil {
		return nil, errors.New("transform: shared vocabularies not loaded (call LoadShared)")
	}
	if now == nil {
		now = time.Now
	}
	return &Chain{
		shared:    sh,
		areas:     areas.Coder{Lookup: sh.Postcodes, Default: p.Area},
		staleness: staleness.Rules{ReviewAfterDays: st.ReviewAfterDays, AssuranceAfterDays: st.AssuranceAfterDays, Now: now},
	}, nil
}

// annotationRoom is how many annotations a service usually gains in the chain.
const annotationRoom = 8

// Apply normalises one record in place. It never fails: what cannot be
// derived is left unknown and annotated. The type switch stays because each
// kind has its own derivations (ages only for services, and so on).
func (c *Chain) Apply(rec *schema.Record) {
	if rec.Entity() == nil {
		return // no entity for its kind: the validator quarantines it
	}
	// The steps add several annotations to a service (area, ages, needs,
	// categories): room for them at once, not a new array at each step. A
	// service given none keeps none (nil, as before).
	svc, hadNone := rec.Service, false
	if rec.Kind == schema.KindService {
		had := svc.Annotations
		hadNone = had == nil
		svc.Annotations = make([]schema.Annotation, len(had), len(had)+annotationRoom)
		copy(svc.Annotations, had)
	}
	c.areas.Apply(rec)
	switch e := rec.Entity().(type) {
	case *schema.Service:
		ages.Apply(e)
		c.shared.Needs.Apply(e)
		c.shared.Categories.Apply(e)
	case *schema.Capacity:
		e.NeedCodes = c.shared.Needs.ApplyCodes(e.NeedCodes)
	case *schema.SENReport:
		e.NeedCodes = c.shared.Needs.ApplyCodes(e.NeedCodes)
	case *schema.Feedback:
		feedback.Apply(e, c.shared.Needs, c.shared.Categories)
	}
	c.staleness.Apply(rec)
	if hadNone && len(svc.Annotations) == 0 {
		svc.Annotations = nil
	}
}
