package ages

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// The lexer keeps only lexicon words in lower case, so every word a rule
// compares against must be in the lexicon, or capitalised text would miss it.
func TestRuleWordsAreInTheLexicon(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "ages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(nd ast.Node) bool {
		call, ok := nd.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "word" {
			return true
		}
		for _, a := range call.Args[1:] {
			lit, ok := a.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			w, _ := strconv.Unquote(lit.Value)
			n++
			if _, ok := lexicon[w]; !ok {
				t.Errorf("rule word %q is not in the lexicon", w)
			}
		}
		return true
	})
	if n < 50 {
		t.Fatalf("found only %d rule words; is the parse right?", n)
	}
	for _, c := range []struct{ in, want string }{
		{"CHILDREN AGED 5 TO 11", "5-11"},
		{"Young People Up To 25", "0-25"},
		{"Year 7 To Year 11", "11-16"},
	} {
		if r := Parse(c.in, false); Format(r.Min, r.Max) != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, Format(r.Min, r.Max), c.want)
		}
	}
}
