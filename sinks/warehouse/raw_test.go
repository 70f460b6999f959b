package warehouse

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Trees as libchdb 26.5 prints them for EXPLAIN AST.
func TestParseAST(t *testing.T) {
	cases := []struct {
		name, tree string
		want       Statement
		read       bool
	}{
		{"select with format", `SelectWithUnionQuery (children 2)
 ExpressionList (children 1)
  SelectQuery (children 1)
   ExpressionList (children 1)
    Literal UInt64_1
 Identifier CSV`, Statement{Kind: "SelectWithUnionQuery", Format: "CSV"}, true},
		{"into outfile", `SelectWithUnionQuery (children 3)
 ExpressionList (children 1)
  SelectQuery (children 1)
   ExpressionList (children 1)
    Literal UInt64_1
 Literal 'x'
 Identifier CSV`, Statement{Kind: "SelectWithUnionQuery", Format: "CSV", IntoOutfile: true}, true},
		{"table function and scalar function", `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 2)
   ExpressionList (children 1)
    Function file (alias f) (children 1)
     ExpressionList (children 1)
      Literal '/etc/hostname'
   TablesInSelectQuery (children 1)
    TablesInSelectQueryElement (children 1)
     TableExpression (children 1)
      Function url (children 1)
       ExpressionList (children 1)
        Literal 'http://x/'`, Statement{Kind: "SelectWithUnionQuery", TableFunctions: []string{"url"}, Functions: []string{"file"}}, true},
		{"show create", "ShowCreateTableQuery  t (children 1)\n Identifier t", Statement{Kind: "ShowCreateTableQuery"}, true},
		{"system", "SYSTEM query", Statement{Kind: "SYSTEM query"}, false},
		{"insert", "InsertQuery   (children 1)\n Identifier t", Statement{Kind: "InsertQuery"}, false},
		{"set", "Set", Statement{Kind: "Set"}, false},
		{"explain", "Explain EXPLAIN (children 1)\n SelectWithUnionQuery (children 1)", Statement{Kind: "Explain"}, true},
	}
	for _, c := range cases {
		got, err := parseAST(strings.Split(c.tree, "\n"))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got  %+v\n want %+v", c.name, got, c.want)
		}
		if err := got.Check(QueryOptions{ReadOnly: true}); (err == nil) != (c.read && !got.IntoOutfile) {
			t.Errorf("%s: read-only check = %v", c.name, err)
		} else if err != nil && !errors.Is(err, ErrNotRead) {
			t.Errorf("%s: %v is not ErrNotRead", c.name, err)
		}
	}
	if _, err := parseAST(nil); err == nil {
		t.Error("empty tree accepted")
	}
	st, err := parseAST([]string{"SelectWithUnionQuery", " ExpressionList", "  Identifier number (alias a", `"b)`, "   Literal 1"})
	if err != nil || !st.Irregular || st.Check(QueryOptions{ReadOnly: true}) != nil || st.Check(QueryOptions{ReadOnly: true, Sandbox: true}) == nil {
		t.Errorf("a name with a line break: %+v %v", st, err)
	}
}

func TestIsBinaryFormat(t *testing.T) {
	for f, want := range map[string]bool{"Parquet": true, "RowBinaryWithNamesAndTypes": true, "Native": true, "ArrowStream": true,
		"CSV": false, "TSV": false, "JSON": false, "Pretty": false, "ORC": true, "MsgPack": true} {
		if IsBinaryFormat(f) != want {
			t.Errorf("%s: %v", f, !want)
		}
	}
}
