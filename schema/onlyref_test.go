package schema

import (
	"encoding/json"
	"strings"
	"testing"
)

// A node that is only {"$ref": …} adds no check of its own, so the scan
// takes the target's verdict without walking the value again. It must say
// exactly what the full rescan says, for every kind, on valid documents, on
// every field set to odd values, and on documents cut or corrupted at every
// byte.
func TestOnlyRefShortcutAgreesWithRescan(t *testing.T) {
	v := validator(t)
	refs := 0
	for _, c := range v.kinds {
		walkPlan(c.plan, map[*planNode]bool{}, func(n *planNode) {
			if n.onlyRef {
				refs++
			}
		})
	}
	if refs == 0 {
		t.Fatal("no node takes the shortcut: the test checks nothing")
	}
	svc := fullService(4)
	svc.Attributes = []Attribute{{ID: "a1", TaxonomyTermID: "t1", Value: "x", TaxonomyTerm: &TaxonomyTerm{ID: "t1", Name: "Term", Description: "d"}}}
	svcJSON, _ := json.Marshal(svc)
	orgJSON, _ := json.Marshal(svc.Organization)
	locJSON, _ := json.Marshal(svc.ServiceAtLocations[0].Location)
	docs := map[Kind][][]byte{KindService: {svcJSON}, KindOrganization: {orgJSON}, KindLocation: {locJSON}}
	values := []string{`null`, `true`, `1.5`, `-1`, `7`, `""`, `"x"`, `"ASD"`, `"2026-01-01"`, `[]`, `["a","a"]`, `{}`, `{"id":"x"}`, `[{}]`, `[{"id":1}]`}
	checked := 0
	for kind, base := range docs {
		c := v.kinds[kind]
		var tree any
		if err := json.Unmarshal(base[0], &tree); err != nil {
			t.Fatal(err)
		}
		var variants [][]byte
		variants = append(variants, base[0])
		eachPath(tree, nil, func(path []string) {
			for _, val := range values {
				var doc any
				json.Unmarshal(base[0], &doc)
				var x any
				json.Unmarshal([]byte(val), &x)
				set(doc, path, x)
				b, _ := json.Marshal(doc)
				variants = append(variants, b)
			}
		})
		for i := range base[0] {
			variants = append(variants, base[0][:i])
			for _, ch := range []byte{'}', ']', '"', ',', 'x', '1', '{', '['} {
				b := append([]byte(nil), base[0]...)
				b[i] = ch
				variants = append(variants, b)
			}
		}
		for _, b := range variants {
			short := scanner{b: b}
			full := scanner{b: b, rescanRefs: true}
			got, want := c.plan.scan(&short, 0), c.plan.scan(&full, 0)
			if got != want || (got && short.i != full.i) {
				t.Fatalf("%s: shortcut %v at %d, rescan %v at %d, on %s", kind, got, short.i, want, full.i, strings.ToValidUTF8(string(b), "?"))
			}
			checked++
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d documents checked", checked)
	}
}

func walkPlan(n *planNode, seen map[*planNode]bool, f func(*planNode)) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	f(n)
	for _, p := range n.props {
		walkPlan(p, seen, f)
	}
	walkPlan(n.items, seen, f)
	walkPlan(n.ref, seen, f)
	for _, o := range n.oneOf {
		walkPlan(o, seen, f)
	}
}

func eachPath(v any, path []string, f func([]string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			eachPath(e, append(append([]string(nil), path...), k), f)
		}
	case []any:
		for i, e := range x {
			eachPath(e, append(append([]string(nil), path...), "#"+string(rune('0'+i))), f)
		}
	}
	if len(path) > 0 {
		f(path)
	}
}
