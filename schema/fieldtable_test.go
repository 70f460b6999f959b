package schema

import "testing"

// allPlanNodes walks every node of every kind's plan once.
func allPlanNodes(t testing.TB) []*planNode {
	v := validator(t)
	seen := map[*planNode]bool{}
	var out []*planNode
	var walk func(n *planNode)
	walk = func(n *planNode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, n)
		for _, p := range n.props {
			walk(p)
		}
		walk(n.items)
		walk(n.ref)
		for _, o := range n.oneOf {
			walk(o)
		}
	}
	for _, k := range Kinds {
		walk(v.kinds[k].plan)
	}
	return out
}

// Every object node of our schema gets a table, and it answers as the map does.
func TestFieldTableMatchesMap(t *testing.T) {
	nodes := allPlanNodes(t)
	objects := 0
	for _, n := range nodes {
		if n.fields == nil {
			continue
		}
		objects++
		if !n.hasTable {
			t.Errorf("node with %d fields has no table", len(n.fields))
			continue
		}
		for name, want := range n.fields {
			got, ok := n.table.lookup(name)
			if !ok || got != want {
				t.Errorf("%q: table %+v %v, map %+v", name, got, ok, want)
			}
			for _, other := range []string{"", name + "x", name[:len(name)-1], "x" + name, "unexpected_key"} {
				got, ok := n.table.lookup(other)
				want, wantOK := n.fields[other]
				if ok != wantOK || got != want {
					t.Errorf("%q: table %+v %v, map %+v %v", other, got, ok, want, wantOK)
				}
			}
		}
	}
	if objects < 10 {
		t.Fatalf("only %d object nodes", objects)
	}
}

func FuzzFieldTable(f *testing.F) {
	nodes := allPlanNodes(f)
	f.Add("id")
	f.Add("organization_id")
	f.Add("")
	f.Fuzz(func(t *testing.T, k string) {
		for _, n := range nodes {
			if !n.hasTable {
				continue
			}
			got, ok := n.table.lookup(k)
			want, wantOK := n.fields[k]
			if ok != wantOK || got != want {
				t.Fatalf("%q: table %+v %v, map %+v %v", k, got, ok, want, wantOK)
			}
		}
	})
}
