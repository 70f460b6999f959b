package clickhouse_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	chserve "github.com/localoffer/localoffer/serve/clickhouse"
)

// A small parameterised query through the endpoint over loopback, as a BI
// tool's dashboard tile sends it.
func BenchmarkEndpointSmallQuery(b *testing.B) {
	f := newFixtureTB(b, chserve.Options{Password: password})
	q := url.Values{"query": {"SELECT la_code, count() AS n FROM provision WHERE id > {after:UInt64} GROUP BY la_code ORDER BY la_code"},
		"param_after": {"0"}, "default_format": {"JSONEachRow"}}
	u := f.srv.URL + "/clickhouse/?" + q.Encode()
	client := f.srv.Client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", u, nil)
		req.SetBasicAuth("analyst", password)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
