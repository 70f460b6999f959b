package clickhouse_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/localoffer/localoffer/sinks/embedded"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	chserve "github.com/localoffer/localoffer/serve/clickhouse"
)

// clickhouse-go/v2 over HTTP (Native format, its own hello query) reads typed
// rows from the endpoint, and its INSERT is refused.
func TestClickHouseGoOverHTTP(t *testing.T) {
	for _, c := range []struct {
		name string
		comp *ch.Compression
	}{{"plain", nil}, {"lz4", &ch.Compression{Method: ch.CompressionLZ4}}, {"zstd", &ch.Compression{Method: ch.CompressionZSTD}}, {"gzip", &ch.Compression{Method: ch.CompressionGZIP}}} {
		t.Run(c.name, func(t *testing.T) { clickhouseGo(t, c.comp) })
	}
}

func clickhouseGo(t *testing.T, comp *ch.Compression) {
	f := newFixture(t, chserve.Options{Password: password})
	u, _ := url.Parse(f.srv.URL)
	conn, err := ch.Open(&ch.Options{
		Compression: comp,
		Protocol:    ch.HTTP,
		Addr:        []string{u.Host},
		HttpUrlPath: "/clickhouse/",
		Auth:        ch.Auth{Username: "analyst", Password: password, Database: f.db},
		DialTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	rows, err := conn.Query(ctx, "SELECT id, name, la_code, min_age, need_codes, updated FROM provision WHERE la_code = {la:String} ORDER BY id",
		ch.Named("la", "E06000001"))
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	type rec struct {
		id      uint64
		name    string
		la      string
		minAge  *float64
		needs   []string
		updated time.Time
	}
	var got []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &r.name, &r.la, &r.minAge, &r.needs, &r.updated); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(got) != 2 || got[0].id != 1 || got[0].name != "Speech and language group" || got[0].minAge == nil || *got[0].minAge != 4 ||
		strings.Join(got[0].needs, ",") != "SLCN,ASD" || !got[0].updated.Equal(time.Date(2025, 9, 1, 8, 30, 0, 0, time.UTC)) ||
		got[1].name != "O'Brien Youth Club" || len(got[1].needs) != 0 || got[1].updated.Nanosecond() != 250e6 {
		t.Fatalf("typed rows: %+v", got)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM provision WHERE min_age IS NULL").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count: %d %v", n, err)
	}
	err = conn.Exec(ctx, "INSERT INTO provision (id, name) VALUES (9, 'x')")
	if err == nil || !strings.Contains(err.Error(), "164") {
		t.Fatalf("INSERT: %v", err)
	}
	if batch, err := conn.PrepareBatch(ctx, "INSERT INTO provision (id, name)"); err == nil {
		batch.Append(uint64(10), "y")
		if err := batch.Send(); err == nil {
			t.Fatal("batch INSERT accepted")
		}
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM provision").Scan(&n); err != nil || n != 3 {
		t.Fatalf("the table changed: %d %v", n, err)
	}
}

// The official ClickHouse JavaScript client, installed from the npm registry
// by `make test` (scripts/setup.sh --test) into the cache outside the
// repository, reads typed results and has its INSERTs refused.
func TestClickHouseJSClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed (scripts/setup.sh --test installs the JavaScript client when npm is available)")
	}
	modules := os.Getenv("LOCALOFFER_CLICKHOUSE_JS")
	if modules == "" {
		modules = filepath.Join(embedded.CacheDir(), "clickhouse-js", "node_modules")
	}
	if _, err := os.Stat(filepath.Join(modules, "@clickhouse", "client", "package.json")); err != nil {
		t.Skipf("skipping: @clickhouse/client is not installed in %s (run scripts/setup.sh --test, which needs npm)", modules)
	}
	f := newFixture(t, chserve.Options{Password: password})
	script, _ := filepath.Abs("testdata/jsclient.cjs")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, f.srv.URL, "/clickhouse", password, f.db)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var report struct {
		Ping bool
		Rows []struct {
			ID        json.Number `json:"id"`
			Name      string      `json:"name"`
			MinAge    *float64    `json:"min_age"`
			NeedCodes []string    `json:"need_codes"`
		}
		Meta       []struct{ Name, Type string }
		Count      json.Number
		Latest     string
		Insert     json.RawMessage
		Insert2    json.RawMessage
		CountAfter json.Number
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("report %s: %v", out, err)
	}
	if !report.Ping || len(report.Rows) != 2 || report.Rows[0].ID.String() != "1" || report.Rows[0].MinAge == nil || *report.Rows[0].MinAge != 4 ||
		strings.Join(report.Rows[0].NeedCodes, ",") != "SLCN,ASD" || report.Rows[1].Name != "O'Brien Youth Club" {
		t.Errorf("rows: %s", out)
	}
	if len(report.Meta) != 2 || report.Meta[0].Type != "UInt64" || report.Meta[1].Type != "DateTime64(3, 'UTC')" ||
		report.Count.String() != "3" || report.Latest != "2025-11-03 12:15:00.250" {
		t.Errorf("JSON format: %s", out)
	}
	for _, ins := range []json.RawMessage{report.Insert, report.Insert2} {
		if !strings.Contains(string(ins), `"code":"164"`) {
			t.Errorf("INSERT not refused as readonly: %s", ins)
		}
	}
	if report.CountAfter.String() != "3" {
		t.Errorf("the table changed: %s", out)
	}
}
