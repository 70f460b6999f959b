package warehouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

// Statements as the engine itself parses them (EXPLAIN AST), checked for a
// read-only query and for one from the network (sandbox).
func TestParseStatementOnTheEngine(t *testing.T) {
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	readOnly := warehouse.QueryOptions{ReadOnly: true}
	sandbox := warehouse.QueryOptions{ReadOnly: true, Sandbox: true}
	cases := []struct {
		q       string
		params  map[string]string
		kind    string // prefix of Statement.Kind
		format  string
		readErr string // "" when a read-only query may run it
		sandErr string // "" when a sandboxed query may run it
	}{
		{q: "SELECT 1", kind: "SelectWithUnionQuery"},
		{q: "SELECT number FROM numbers(3) FORMAT JSONEachRow", kind: "SelectWithUnionQuery", format: "JSONEachRow"},
		{q: "SELECT {n:UInt8} + 1", params: map[string]string{"n": "2"}, kind: "SelectWithUnionQuery"},
		{q: "SELECT * FROM file('/etc/passwd', 'CSV')", kind: "SelectWithUnionQuery",
			sandErr: "the table function file() reaches outside the warehouse"},
		{q: "SELECT 1 WHERE 1 IN url('http://127.0.0.1:1/x.csv', 'CSV', 'a UInt8')", kind: "SelectWithUnionQuery",
			sandErr: "the table function url() reaches outside the warehouse"},
		// file is a table function too, so it is refused as one wherever it is called.
		{q: "SELECT file('/etc/hostname')", kind: "SelectWithUnionQuery", sandErr: "file() reaches outside the warehouse"},
		{q: "SELECT catboostEvaluate('/models/m.bin', 1)", kind: "SelectWithUnionQuery", sandErr: "the function catboostEvaluate() reads the server's files"},
		{q: "SELECT lower('A'), length('abc')", kind: "SelectWithUnionQuery"},
		{q: "SELECT 1 INTO OUTFILE 'out.csv'", kind: "SelectWithUnionQuery", readErr: "INTO OUTFILE writes a file", sandErr: "INTO OUTFILE"},
		{q: "SHOW TABLES FORMAT JSON", kind: "Show", format: "JSON"},
		{q: "DESCRIBE TABLE system.one", kind: "Describe"},
		{q: "INSERT INTO t VALUES (1)", kind: "Insert", readErr: "this statement is an INSERT statement", sandErr: "INSERT"},
		{q: "SET readonly = 0", kind: "Set", readErr: "this statement is SET (settings may not be changed)", sandErr: "SET"},
		{q: "DROP TABLE runs", kind: "Drop", readErr: "this statement is a DROP statement", sandErr: "DROP"},
		{q: "SYSTEM FLUSH LOGS", kind: "SYSTEM", readErr: "only reads (SELECT, SHOW, DESCRIBE, EXPLAIN, EXISTS) are allowed", sandErr: "only reads"},
	}
	for _, c := range cases {
		st, err := warehouse.ParseStatement(ctx, w, c.q, c.params)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if !strings.HasPrefix(st.Kind, c.kind) || st.Format != c.format {
			t.Errorf("%s: kind %q format %q, want %s… %q", c.q, st.Kind, st.Format, c.kind, c.format)
		}
		if st.IsSelect() != strings.HasPrefix(c.kind, "Select") {
			t.Errorf("%s: IsSelect = %v", c.q, st.IsSelect())
		}
		for _, check := range []struct {
			o    warehouse.QueryOptions
			want string
		}{{readOnly, c.readErr}, {sandbox, c.sandErr}} {
			err := st.Check(check.o)
			switch {
			case check.want == "" && err != nil:
				t.Errorf("%s (sandbox %v): refused: %v", c.q, check.o.Sandbox, err)
			case check.want != "" && (err == nil || !strings.Contains(err.Error(), check.want) || !errors.Is(err, warehouse.ErrNotRead)):
				t.Errorf("%s (sandbox %v): %v, want a refusal saying %q", c.q, check.o.Sandbox, err, check.want)
			}
		}
		// Nothing is refused when neither is asked for.
		if err := st.Check(warehouse.QueryOptions{}); err != nil {
			t.Errorf("%s: refused without options: %v", c.q, err)
		}
	}
	// The engine parses one statement: what is checked is what runs.
	if _, err := warehouse.ParseStatement(ctx, w, "SELECT 1; DROP TABLE runs", nil); err == nil {
		t.Error("two statements parsed as one")
	}
	if _, err := warehouse.ParseStatement(ctx, w, "SELEC 1", nil); err == nil {
		t.Error("a syntax error parsed")
	}
}
