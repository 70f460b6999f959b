package embedded_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/localoffer/localoffer/sinks/embedded"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

func rawFixture(t *testing.T) (*warehouse.Warehouse, *embedded.Conn) {
	t.Helper()
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	if err := w.Exec(ctx, "CREATE TABLE t (a UInt32 COMMENT 'the a', s String) ENGINE = MergeTree ORDER BY a COMMENT 'table t'"); err != nil {
		t.Fatal(err)
	}
	if err := w.Exec(ctx, "INSERT INTO t VALUES (1, 'x'), (2, 'y')"); err != nil {
		t.Fatal(err)
	}
	return w, w.Conn.(*embedded.Conn)
}

func collect(t *testing.T, w *warehouse.Warehouse, q string) [][]string {
	t.Helper()
	var out [][]string
	err := w.Query(context.Background(), q, func(cols []string, row []json.RawMessage) error {
		if out == nil {
			out = append(out, cols)
		}
		var r []string
		for _, v := range row {
			r = append(r, string(v))
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// Statements libchdb cannot stream fall back to a buffered query.
func TestQueryRunsStatementsThatCannotStream(t *testing.T) {
	w, _ := rawFixture(t)
	cases := map[string][][]string{
		"DESCRIBE t": {
			{"name", "type", "default_type", "default_expression", "comment", "codec_expression", "ttl_expression"},
			{`"a"`, `"UInt32"`, `""`, `""`, `"the a"`, `""`, `""`},
			{`"s"`, `"String"`, `""`, `""`, `""`, `""`, `""`},
		},
		"SHOW TABLES": {{"name"}, {`"t"`}},
		"EXISTS t":    {{"result"}, {"1"}},
	}
	for q, want := range cases {
		if got := collect(t, w, q); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %v\n want %v", q, got, want)
		}
	}
	if got := collect(t, w, "EXPLAIN SELECT a FROM t"); len(got) < 2 || got[0][0] != "explain" {
		t.Errorf("EXPLAIN: %v", got)
	}
}

func TestQueryRawFormatClauseWins(t *testing.T) {
	_, c := rawFixture(t)
	ctx := context.Background()
	var b bytes.Buffer
	st, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT a, s FROM t ORDER BY a FORMAT TSV", Format: "JSON"}, &b)
	if err != nil || b.String() != "1\tx\n2\ty\n" || st.Format != "TSV" {
		t.Fatalf("got %q, format %q, err %v", b.String(), st.Format, err)
	}
	b.Reset()
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SHOW TABLES FORMAT JSONEachRow", Format: "TSV"}, &b); err != nil || b.String() != "{\"name\":\"t\"}\n" {
		t.Fatalf("SHOW … FORMAT: %q %v", b.String(), err)
	}
}

// Formats with a header or framing are not concatenated per block: one
// header, one valid file, whatever the number of blocks.
func TestQueryRawManyBlocksStayOneOutput(t *testing.T) {
	_, c := rawFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, f := range []string{"CSVWithNames", "TSVWithNamesAndTypes", "Parquet", "JSONCompact", "Native", "CSV"} {
		var b bytes.Buffer
		if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT number AS n FROM numbers(300000) FORMAT " + f}, &b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		path := filepath.Join(dir, "out."+f)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if f == "CSVWithNames" || f == "TSVWithNamesAndTypes" {
			if n := bytes.Count(b.Bytes(), []byte("n\"\n")) + bytes.Count(b.Bytes(), []byte("UInt64\n")); n != 1 {
				t.Errorf("%s: %d header lines", f, n)
			}
		}
		if f == "CSV" {
			if lines := bytes.Count(b.Bytes(), []byte("\n")); lines != 300000 {
				t.Errorf("CSV: %d lines", lines)
			}
			continue
		}
		var got bytes.Buffer
		q := "SELECT count(), sum(n) FROM file(" + warehouse.Quote(path) + ", " + warehouse.Quote(f) + ")"
		if f == "CSVWithNames" || f == "TSVWithNamesAndTypes" {
			q = "SELECT count(), sum(n) FROM file(" + warehouse.Quote(path) + ", " + warehouse.Quote(f) + ", 'n UInt64')"
		}
		if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: q, Format: "TSV"}, &got); err != nil {
			t.Fatalf("%s: read back: %v", f, err)
		}
		if got.String() != "300000\t44999850000\n" {
			t.Errorf("%s: read back %q", f, got.String())
		}
	}
}

// A CSV header whose name holds a newline and quotes is still one record.
func TestQueryRawCSVHeaderWithNewline(t *testing.T) {
	_, c := rawFixture(t)
	var b bytes.Buffer
	if _, err := c.QueryRaw(context.Background(), warehouse.RawQuery{SQL: "SELECT number AS `a\n\"b` FROM numbers(300000) FORMAT CSVWithNames"}, &b); err != nil {
		t.Fatal(err)
	}
	want := "\"a\n\"\"b\"\n0\n1\n"
	if !bytes.HasPrefix(b.Bytes(), []byte(want)) || bytes.Count(b.Bytes(), []byte("\"\"b")) != 1 || bytes.Count(b.Bytes(), []byte("\n")) != 300002 {
		t.Fatalf("got %q… (%d newlines)", b.Bytes()[:20], bytes.Count(b.Bytes(), []byte("\n")))
	}
}

func TestParametersAreBoundByTheEngine(t *testing.T) {
	w, c := rawFixture(t)
	ctx := context.Background()
	var b bytes.Buffer
	params := map[string]string{"a": "2", "s": `it\'s; DROP TABLE t`}
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT s, {s:String} AS p FROM t WHERE a = {a:UInt32}", Format: "TSVRaw", QueryOptions: warehouse.QueryOptions{Params: params, ReadOnly: true}}, &b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "y\tit's; DROP TABLE t\n" {
		t.Fatalf("got %q", b.String())
	}
	var rows int
	err := c.QueryWith(ctx, "SELECT a FROM t WHERE a >= {a:UInt32}", warehouse.QueryOptions{Params: map[string]string{"a": "1"}, ReadOnly: true}, func([]string, []json.RawMessage) error { rows++; return nil })
	if err != nil || rows != 2 {
		t.Fatalf("rows %d err %v", rows, err)
	}
	if got := collect(t, w, "SELECT count() FROM t"); got[1][0] != "2" {
		t.Fatalf("table changed: %v", got)
	}
}

func TestReadOnlyRefusesEveryChange(t *testing.T) {
	w, c := rawFixture(t)
	ctx := context.Background()
	refused := []string{
		"INSERT INTO t VALUES (3, 'z')",
		"INSERT INTO t SETTINGS readonly = 0 VALUES (3, 'z')",
		"INSERT INTO t SELECT number, 'n' FROM numbers(3)",
		"CREATE TABLE u (a UInt8) ENGINE = Memory",
		"ALTER TABLE t DELETE WHERE 1",
		"ALTER TABLE t ADD COLUMN b UInt8",
		"DROP TABLE t",
		"TRUNCATE TABLE t",
		"RENAME TABLE t TO t2",
		"SYSTEM DROP MARK CACHE",
		"OPTIMIZE TABLE t FINAL",
		"SET readonly = 0",
		"SET param_x = 1",
		"USE system",
		"DELETE FROM t WHERE a = 1",
		"SELECT 1 INTO OUTFILE " + warehouse.Quote(filepath.Join(t.TempDir(), "x.tsv")),
		"KILL QUERY WHERE 1",
		"GRANT SELECT ON t TO default",
	}
	for _, q := range refused {
		var b bytes.Buffer
		_, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: q, QueryOptions: warehouse.QueryOptions{ReadOnly: true}}, &b)
		if !errors.Is(err, warehouse.ErrNotRead) {
			t.Errorf("%s: err = %v, want a read-only refusal", q, err)
		}
		err = c.QueryWith(ctx, q, warehouse.QueryOptions{ReadOnly: true}, func([]string, []json.RawMessage) error { return nil })
		if !errors.Is(err, warehouse.ErrNotRead) {
			t.Errorf("QueryWith %s: err = %v, want a read-only refusal", q, err)
		}
	}
	// More than one statement is refused by the engine's parser.
	if err := c.QueryWith(ctx, "SELECT 1; DROP TABLE t", warehouse.QueryOptions{ReadOnly: true}, func([]string, []json.RawMessage) error { return nil }); err == nil {
		t.Error("multi-statement accepted")
	}
	if got := collect(t, w, "SELECT count(), sum(a) FROM t"); got[1][0] != "2" || got[1][1] != "3" {
		t.Fatalf("table changed: %v", got)
	}
	// A SELECT's own SETTINGS readonly=0 stays a read.
	var b bytes.Buffer
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT count() FROM t SETTINGS readonly = 0", Format: "TSV", QueryOptions: warehouse.QueryOptions{ReadOnly: true}}, &b); err != nil || b.String() != "2\n" {
		t.Fatalf("%q %v", b.String(), err)
	}
	// Without ReadOnly, changes go through (the CLI's --write).
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "INSERT INTO t VALUES (3, 'z')"}, &b); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, w, "SELECT count() FROM t"); got[1][0] != "3" {
		t.Fatalf("insert did not land: %v", got)
	}
}

func TestSandboxRefusesWhatReachesOutside(t *testing.T) {
	_, c := rawFixture(t)
	ctx := context.Background()
	for _, q := range []string{
		"SELECT * FROM file('/etc/hostname', LineAsString)",
		"SELECT file('/etc/hostname')",
		"SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')",
		"SELECT * FROM t JOIN remote('127.0.0.1', system.one) AS o ON 1",
		"SELECT * FROM (SELECT * FROM executable('x', TSV, 'a String'))",
		"DESCRIBE file('/etc/passwd')",
		"SELECT 1 WHERE 1 IN url('http://127.0.0.1:1/', CSV, 'a UInt8')",
		"SELECT 1 WHERE 1 IN FILE('/etc/passwd', LineAsString)",
		"SELECT catboostEvaluate('/tmp/model.bin', 1)",
	} {
		var b bytes.Buffer
		_, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: q, QueryOptions: warehouse.QueryOptions{ReadOnly: true, Sandbox: true}}, &b)
		if !errors.Is(err, warehouse.ErrNotRead) {
			t.Errorf("%s: err = %v", q, err)
		}
	}
	var b bytes.Buffer
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT sum(number), format('{}-{}', 1, 2) FROM numbers(10)", Format: "TSV", QueryOptions: warehouse.QueryOptions{ReadOnly: true, Sandbox: true}}, &b); err != nil || b.String() != "45\t1-2\n" {
		t.Fatalf("%q %v", b.String(), err)
	}
}

// A USE inside a user's statement must not leave other handles in the wrong database.
func TestUseDoesNotLeak(t *testing.T) {
	w, c := rawFixture(t)
	ctx := context.Background()
	var b bytes.Buffer
	if _, err := c.QueryRaw(ctx, warehouse.RawQuery{SQL: "USE system"}, &b); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, w, "SELECT count() FROM t"); got[1][0] != "2" {
		t.Fatalf("%v", got)
	}
}
