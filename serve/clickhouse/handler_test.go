package clickhouse_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	chserve "github.com/localoffer/localoffer/serve/clickhouse"
	"github.com/localoffer/localoffer/sinks/warehouse"
	"github.com/localoffer/localoffer/sinks/warehouse/whtest"
)

const password = "s3cret analyst"

// fixture is a warehouse with a small typed table, served at /clickhouse/ as
// the serve verb mounts it.
type fixture struct {
	srv *httptest.Server
	w   *warehouse.Warehouse
	db  string
}

func newFixture(t *testing.T, o chserve.Options) *fixture { return newFixtureTB(t, o) }

func newFixtureTB(t testing.TB, o chserve.Options) *fixture {
	t.Helper()
	w := whtest.NewUnmigrated(t)
	ctx := context.Background()
	if err := w.Exec(ctx, `CREATE TABLE provision (
		id UInt64, name String, la_code LowCardinality(String), min_age Nullable(Float64),
		need_codes Array(String), updated DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if err := w.Exec(ctx, `INSERT INTO provision VALUES
		(1, 'Speech and language group', 'E06000001', 4, ['SLCN','ASD'], '2025-09-01 08:30:00'),
		(2, 'Sensory support', 'E06000002', NULL, ['HI','VI'], '2025-10-02 10:00:00'),
		(3, 'O''Brien Youth Club', 'E06000001', 11, [], '2025-11-03 12:15:00.250')`); err != nil {
		t.Fatal(err)
	}
	o.Database = w.Layout.Database
	mux := http.NewServeMux()
	h := chserve.New(w.Conn.(warehouse.RawQuerier), o)
	mux.Handle("/clickhouse", h)
	mux.Handle("/clickhouse/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, w: w, db: w.Layout.Database}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) get(t *testing.T, params url.Values, auth bool, hdr map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+"/clickhouse/?"+params.Encode(), nil)
	if auth {
		req.SetBasicAuth("anyone", password)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	req.Header.Set("Accept-Encoding", req.Header.Get("Accept-Encoding")) // no transparent gzip unless asked
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return answer{res.StatusCode, res.Header, string(b)}
}

func TestEndpointIsOffWithoutAPassword(t *testing.T) {
	f := newFixture(t, chserve.Options{})
	if a := f.get(t, url.Values{"query": {"SELECT 1"}}, true, nil); a.status != 404 {
		t.Fatalf("status %d", a.status)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t, chserve.Options{Password: password, FailureDelay: 50 * time.Millisecond})
	q := url.Values{"query": {"SELECT 1"}}
	if a := f.get(t, q, false, nil); a.status != 401 || a.header.Get("WWW-Authenticate") == "" || a.header.Get("X-ClickHouse-Exception-Code") != "194" {
		t.Errorf("no credentials: %d %v", a.status, a.header)
	}
	// Wrong passwords wait their turn: three at once take three delays.
	start := time.Now()
	done := make(chan answer, 3)
	for i := 0; i < 3; i++ {
		go func() {
			req, _ := http.NewRequest("GET", f.srv.URL+"/clickhouse/?"+q.Encode(), nil)
			req.Header.Set("X-ClickHouse-User", "x")
			req.Header.Set("X-ClickHouse-Key", "wrong")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- answer{}
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			done <- answer{status: res.StatusCode, body: string(b)}
		}()
	}
	for i := 0; i < 3; i++ {
		if a := <-done; a.status != 403 || !strings.HasPrefix(a.body, "Code: 516.") {
			t.Errorf("wrong password: %d %q", a.status, a.body)
		}
	}
	if d := time.Since(start); d < 3*50*time.Millisecond {
		t.Errorf("three wrong passwords answered in %s", d)
	}
	if a := f.get(t, q, false, map[string]string{"X-ClickHouse-User": "x", "X-ClickHouse-Key": password}); a.status != 200 || a.body != "1\n" {
		t.Errorf("header auth: %d %q", a.status, a.body)
	}
	q2 := url.Values{"query": {"SELECT 2"}, "user": {"bob"}, "password": {password}}
	if a := f.get(t, q2, false, nil); a.status != 200 || a.body != "2\n" {
		t.Errorf("URL auth: %d %q", a.status, a.body)
	}
	if a := f.get(t, nil, false, nil); a.status != 401 {
		t.Errorf("bare GET without credentials: %d", a.status)
	}
}

func TestQueriesFormatsAndParameters(t *testing.T) {
	f := newFixture(t, chserve.Options{Password: password})
	cases := []struct {
		name   string
		params url.Values
		hdr    map[string]string
		body   string
		format string
	}{
		{"default TSV", url.Values{"query": {"SELECT id, name FROM provision ORDER BY id"}}, nil, "1\tSpeech and language group\n2\tSensory support\n3\tO\\'Brien Youth Club\n", "TabSeparated"},
		{"default_format", url.Values{"query": {"SELECT id FROM provision WHERE min_age IS NULL"}, "default_format": {"JSONEachRow"}}, nil, "{\"id\":2}\n", "JSONEachRow"},
		{"format header", url.Values{"query": {"SELECT id FROM provision WHERE min_age IS NULL"}}, map[string]string{"X-ClickHouse-Format": "CSV"}, "2\n", "CSV"},
		{"FORMAT in the SQL wins", url.Values{"query": {"SELECT id FROM provision WHERE id = 3 FORMAT JSONCompactEachRow"}, "default_format": {"CSV"}}, nil, "[3]\n", "JSONCompactEachRow"},
		{"parameters", url.Values{"query": {"SELECT name FROM provision WHERE la_code = {la:String} AND id > {after:UInt64} ORDER BY id"}, "param_la": {"E06000001"}, "param_after": {"1"}}, map[string]string{"X-ClickHouse-Format": "TSVRaw"}, "O'Brien Youth Club\n", "TSVRaw"},
		{"database=default is the warehouse", url.Values{"query": {"SELECT count() FROM provision"}, "database": {"default"}}, nil, "3\n", "TabSeparated"},
		{"DESCRIBE", url.Values{"query": {"DESCRIBE provision"}, "default_format": {"TSV"}}, nil, "", "TSV"},
		{"SHOW TABLES", url.Values{"query": {"SHOW TABLES"}}, nil, "provision\n", "TabSeparated"},
	}
	for _, c := range cases {
		a := f.get(t, c.params, true, c.hdr)
		if a.status != 200 || (c.body != "" && a.body != c.body) || a.header.Get("X-ClickHouse-Format") != c.format {
			t.Errorf("%s: %d format %q body %q", c.name, a.status, a.header.Get("X-ClickHouse-Format"), a.body)
		}
		var summary map[string]string
		if err := json.Unmarshal([]byte(a.header.Get("X-ClickHouse-Summary")), &summary); err != nil || summary["read_rows"] == "" {
			t.Errorf("%s: summary %q", c.name, a.header.Get("X-ClickHouse-Summary"))
		}
		if a.header.Get("X-ClickHouse-Query-Id") == "" {
			t.Errorf("%s: no query id", c.name)
		}
	}
	// The query in the body, with a URL prefix; gzip when asked for.
	req, _ := http.NewRequest("POST", f.srv.URL+"/clickhouse/?enable_http_compression=1&query_id=q-1", strings.NewReader("SELECT groupArray(name) FROM (SELECT name FROM provision ORDER BY id) FORMAT JSON"))
	req.SetBasicAuth("default", password)
	req.Header.Set("Accept-Encoding", "gzip")
	a := do(t, req)
	if a.status != 200 || a.header.Get("Content-Encoding") != "gzip" || a.header.Get("X-ClickHouse-Query-Id") != "q-1" || a.header.Get("X-ClickHouse-Timezone") == "" {
		t.Fatalf("POST gzip: %d %v", a.status, a.header)
	}
	var doc struct {
		Meta []struct{ Name, Type string }
		Data []map[string][]string
		Rows int
	}
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil || doc.Rows != 1 || len(doc.Data[0]["groupArray(name)"]) != 3 || doc.Meta[0].Type != "Array(String)" {
		t.Fatalf("JSON: %v %+v", err, doc)
	}
	if a := f.get(t, url.Values{"query": {"SELECT 1"}}, true, map[string]string{"Accept-Encoding": "gzip"}); a.header.Get("Content-Encoding") != "" {
		t.Errorf("gzip without enable_http_compression")
	}
	// ping, as the clients check it.
	for _, p := range []string{"/clickhouse/ping"} {
		req, _ := http.NewRequest("GET", f.srv.URL+p, nil)
		if a := do(t, req); a.status != 200 || a.body != "Ok.\n" {
			t.Errorf("%s: %d %q", p, a.status, a.body)
		}
	}
}

func TestReadOnlyAndLimits(t *testing.T) {
	f := newFixture(t, chserve.Options{Password: password, MaxResultBytes: 1 << 20})
	refused := []struct {
		query  string
		extra  url.Values
		status int
		code   string
	}{
		{"INSERT INTO provision (id, name) VALUES (9, 'x')", nil, 403, "164"},
		{"INSERT INTO provision (id, name) SETTINGS readonly = 0 VALUES (9, 'x')", nil, 403, "164"},
		{"CREATE TABLE evil (a UInt8) ENGINE = Memory", nil, 403, "164"},
		{"ALTER TABLE provision DELETE WHERE 1", nil, 403, "164"},
		{"DROP TABLE provision", nil, 403, "164"},
		{"SYSTEM DROP MARK CACHE", nil, 403, "164"},
		{"SET readonly = 0", nil, 403, "164"},
		{"SELECT 1", url.Values{"readonly": {"0"}}, 403, "164"},
		{"SELECT * FROM file('/etc/passwd', LineAsString)", nil, 403, "164"},
		{"SELECT file('/etc/hostname')", nil, 403, "164"},
		{"SELECT * FROM url('http://127.0.0.1:1/x', CSV, 'a String')", nil, 403, "164"},
		{"SELECT 1 WHERE 'a' IN url('http://127.0.0.1:1/x', CSV, 'a String')", nil, 403, "164"},
		{"SELECT 1 INTO OUTFILE '/tmp/localoffer-endpoint-test'", nil, 403, "164"},
		{"SELECT 1; DROP TABLE provision", nil, 400, "62"},
		{"SELECT * FROM no_such_table", nil, 404, "60"},
		{"SELECT 1", url.Values{"max_threads": {"1"}}, 400, "115"},
		{"SELECT 1", url.Values{"database": {"system"}}, 404, "81"},
		{"SELECT repeat('x', 1000) FROM numbers(5000)", nil, 500, "307"},
		{"SELECT repeat('x', 1000) FROM numbers(5000) FORMAT JSON", nil, 500, "307"},
		{"SELECT number, sleepEachRow(0.05) FROM numbers(200) SETTINGS max_block_size = 1", url.Values{"max_execution_time": {"0.3"}}, 500, "159"},
	}
	for _, c := range refused {
		q := url.Values{"query": {c.query}}
		for k, v := range c.extra {
			q[k] = v
		}
		start := time.Now()
		a := f.get(t, q, true, nil)
		if a.status != c.status || a.header.Get("X-ClickHouse-Exception-Code") != c.code || !strings.HasPrefix(a.body, "Code: "+c.code+". DB::Exception: ") {
			t.Errorf("%s %v: %d code %q %q", c.query, c.extra, a.status, a.header.Get("X-ClickHouse-Exception-Code"), a.body)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s: took %s", c.query, time.Since(start))
		}
	}
	if a := f.get(t, url.Values{"query": {"SELECT count() FROM provision"}}, true, nil); a.body != "3\n" {
		t.Fatalf("the table changed: %q", a.body)
	}
}

// Results are held until read, so the queries held at once are capped.
func TestConcurrentQueriesAreCapped(t *testing.T) {
	f := newFixture(t, chserve.Options{Password: password, MaxConcurrent: 1})
	first := make(chan answer, 1)
	go func() {
		q := url.Values{"query": {"SELECT sleepEachRow(0.1) FROM numbers(10) SETTINGS max_block_size = 1"}}
		req, _ := http.NewRequest("GET", f.srv.URL+"/clickhouse/?"+q.Encode(), nil)
		req.SetBasicAuth("a", password)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- answer{}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		first <- answer{status: res.StatusCode, body: string(b)}
	}()
	time.Sleep(200 * time.Millisecond)
	a := f.get(t, url.Values{"query": {"SELECT 1"}, "max_execution_time": {"0.2"}}, true, nil)
	if a.status != 503 || a.header.Get("X-ClickHouse-Exception-Code") != "159" {
		t.Errorf("second query: %d %q", a.status, a.body)
	}
	if got := <-first; got.status != 200 || strings.Count(got.body, "0\n") != 10 {
		t.Errorf("first query: %d %q", got.status, got.body)
	}
	if a := f.get(t, url.Values{"query": {"SELECT 1"}}, true, nil); a.status != 200 {
		t.Errorf("after: %d", a.status)
	}
}
