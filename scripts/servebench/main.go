// Command servebench is the second process of `make bench`'s serve benchmark
// (scripts/bench-serve.sh):
//
//	servebench feed -addr 127.0.0.1:0 -n 100000   serve an ORUK 3.0 feed of n realistic nested services (to load)
//	servebench load -base URL -pid PID            drive `localoffer serve` at URL and report throughput,
//	                                              latency and the server's memory (PID's RSS)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: servebench feed|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "feed":
		err = feed(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}

// ---- the feed: generated services, the same for the same n ----

var (
	towns   = []string{"Portsmouth", "Southampton", "Leeds", "Bristol", "Norwich", "Derby", "Luton", "Sunderland", "Plymouth", "Reading", "Exeter", "Wigan"}
	kinds   = []string{"Speech and language therapy", "Autism outreach", "Short breaks club", "Parent carer forum", "SEND information and advice", "Occupational therapy", "Sensory play group", "Youth club", "Educational psychology", "Post-16 supported internship", "Wheelchair service", "Hearing support team"}
	needs   = []string{"ASD", "SLCN", "SEMH", "MLD", "SLD", "PMLD", "SPLD", "HI", "VI", "MSI", "PD"}
	needTxt = map[string]string{"ASD": "autism", "SLCN": "speech, language and communication needs", "SEMH": "social, emotional and mental health needs",
		"MLD": "moderate learning difficulties", "SLD": "severe learning difficulties", "PMLD": "profound and multiple learning difficulties",
		"SPLD": "dyslexia", "HI": "hearing impairment", "VI": "visual impairment", "MSI": "multi-sensory impairment", "PD": "physical disabilities"}
	streets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "London Road", "Mill Lane", "Queens Road"}
)

var ns = uuid.MustParse("9c1d8a54-3f1e-4a0b-8d53-2a1f1b7f0c11")

func id(kind string, i int) string { return uuid.NewSHA1(ns, []byte(kind+strconv.Itoa(i))).String() }

// service is one realistic nested ORUK 3.0 service (about 3 KB of JSON).
func service(i int, now time.Time) map[string]any {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	town := towns[i%len(towns)]
	kind := kinds[r.IntN(len(kinds))]
	n1, n2 := needs[r.IntN(len(needs))], needs[r.IntN(len(needs))]
	min := r.IntN(12)
	max := min + 5 + r.IntN(14)
	org := i % 5000
	sid := id("svc", i)
	lat, lon := 50.6+r.Float64()*4.5, -3.5+r.Float64()*5
	loc := map[string]any{"id": id("loc", i), "location_type": "physical", "name": kind + " centre, " + town,
		"latitude": lat, "longitude": lon,
		"addresses": []any{map[string]any{"id": id("addr", i), "location_id": id("loc", i), "address_1": strconv.Itoa(1+r.IntN(200)) + " " + streets[r.IntN(len(streets))],
			"city": town, "state_province": town, "postal_code": fmt.Sprintf("PO%d %dAB", 1+r.IntN(9), 1+r.IntN(9)), "country": "GB", "address_type": "physical"}}}
	return map[string]any{
		"id": sid, "organization_id": id("org", org), "name": fmt.Sprintf("%s – %s %d", kind, town, i),
		"description": fmt.Sprintf("%s for children and young people aged %d to %d in %s with %s or %s. Sessions are run by qualified staff in term time and school holidays; parents and carers are welcome and no referral is needed. Ask about transport, personal care and quiet spaces.",
			kind, min, max, town, needTxt[n1], needTxt[n2]),
		"url": "https://www.example-council.gov.uk/local-offer/services/" + strconv.Itoa(i), "email": "send.team" + strconv.Itoa(org) + "@example-council.gov.uk",
		"status": "active", "minimum_age": min, "maximum_age": max,
		"assured_date":  now.AddDate(0, 0, -r.IntN(60)).Format("2006-01-02"),
		"last_modified": now.Add(-time.Duration(r.IntN(90*24)) * time.Hour).Format(time.RFC3339),
		"organization": map[string]any{"id": id("org", org), "name": "Provider " + strconv.Itoa(org) + " of " + town,
			"description": "A registered provider of SEND services in " + town + ".", "website": "https://provider" + strconv.Itoa(org) + ".example.org.uk"},
		"contacts": []any{map[string]any{"id": id("contact", i), "service_id": sid, "name": "Duty officer", "email": "duty" + strconv.Itoa(i%97) + "@example-council.gov.uk",
			"phones": []any{map[string]any{"id": id("cphone", i), "number": fmt.Sprintf("023 92%02d %04d", r.IntN(100), r.IntN(10000))}}}},
		"phones":               []any{map[string]any{"id": id("phone", i), "service_id": sid, "number": fmt.Sprintf("0300 %03d %04d", r.IntN(1000), r.IntN(10000))}},
		"schedules":            []any{map[string]any{"id": id("sched", i), "service_id": sid, "freq": "WEEKLY", "byday": "MO,WE,FR", "opens_at": "09:30", "closes_at": "15:00", "description": "Term time"}},
		"languages":            []any{map[string]any{"id": id("lang", i), "service_id": sid, "name": "English", "code": "en"}},
		"service_at_locations": []any{map[string]any{"id": id("sal", i), "service_id": sid, "location_id": id("loc", i), "location": loc}},
		"attributes": []any{map[string]any{"id": id("attr", i), "link_id": sid, "link_type": "need", "link_entity": "service", "taxonomy_term_id": id("term", i%40),
			"taxonomy_term": map[string]any{"id": id("term", i%40), "code": n1, "name": needTxt[n1], "description": "Need: " + needTxt[n1], "taxonomy": "Local needs"}}},
	}
}

func feed(args []string) error {
	fs := flag.NewFlagSet("feed", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	n := fs.Int("n", 100000, "services")
	fs.Parse(args)
	now := time.Now().UTC()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	srv := &http.Server{Handler: feedHandler(*n, now)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// feedHandler serves n generated services as an ORUK 3.0 API: the root, and
// /services and /taxonomy_terms paged (page, per_page up to 1000).
func feedHandler(n int, now time.Time) http.Handler {
	page := func(w http.ResponseWriter, r *http.Request, total int, item func(int) any) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		p, per = max(p, 1), min(max(per, 1), 1000)
		from, to := min((p-1)*per, total), min(p*per, total)
		pages := (total + per - 1) / per
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 1<<16)
		fmt.Fprintf(bw, `{"total_items":%d,"total_pages":%d,"page_number":%d,"size":%d,"first_page":%t,"last_page":%t,"empty":%t,"contents":[`,
			total, pages, p, to-from, p == 1, p >= pages, to == from)
		enc := json.NewEncoder(bw)
		for i := from; i < to; i++ {
			if i > from {
				bw.WriteByte(',')
			}
			enc.Encode(item(i))
		}
		bw.WriteString("]}")
		bw.Flush()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"version":"HSDS-UK-3.0","profile":"https://github.com/OpenReferralUK/uk-profile","openapi_url":"https://openreferraluk.org/specifications/3.0/openapi.json"}`)
	})
	mux.HandleFunc("GET /services", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, n, func(i int) any { return service(i, now) })
	})
	mux.HandleFunc("GET /taxonomy_terms", func(w http.ResponseWriter, r *http.Request) {
		page(w, r, 0, nil)
	})
	return mux
}

// ---- the load generator ----

type result struct {
	name     string
	requests int
	errors   int
	took     time.Duration
	lat      []time.Duration
	items    int
	rssKB    [3]int // before, peak during, after
}

func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
}

func rss(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// watchRSS samples the server's RSS until stop, returning the peak.
func watchRSS(pid int, stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		peak := 0
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, rss(pid))
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// drive runs workers against next() URLs for d and measures each request.
func drive(client *http.Client, name string, workers int, d time.Duration, pid int, next func(r *rand.Rand) string) *result {
	res := &result{name: name}
	res.rssKB[0] = rss(pid)
	stop := make(chan struct{})
	peak := watchRSS(pid, stop)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			var lat []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := client.Get(next(r))
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs.Add(1)
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			mu.Unlock()
		}(uint64(w))
	}
	wg.Wait()
	res.took = time.Since(start)
	close(stop)
	res.rssKB[1] = <-peak
	res.rssKB[2] = rss(pid)
	res.requests = len(res.lat)
	res.errors = int(errs.Load())
	return res
}

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	base := fs.String("base", "", "URL of localoffer serve")
	pid := fs.Int("pid", 0, "pid of localoffer serve (for its memory)")
	d := fs.Duration("d", 20*time.Second, "duration of each fixed-time phase")
	workers := fs.Int("c", 8, "concurrent connections")
	fs.Parse(args)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: 2 * time.Minute}
	// The ids, from the minimal listing.
	var ids []string
	for p := 1; ; p++ {
		resp, err := client.Get(fmt.Sprintf("%s/services?minimal=true&per_page=1000&page=%d", *base, p))
		if err != nil {
			return err
		}
		var pg struct {
			TotalPages int `json:"total_pages"`
			Contents   []struct {
				ID string `json:"id"`
			} `json:"contents"`
		}
		err = json.NewDecoder(resp.Body).Decode(&pg)
		resp.Body.Close()
		if err != nil {
			return err
		}
		for _, c := range pg.Contents {
			ids = append(ids, c.ID)
		}
		if p >= pg.TotalPages {
			break
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("%s serves no services", *base)
	}
	fmt.Printf("serve at %s: %d services; load average %s; server RSS %d MB\n", *base, len(ids), loadavg(), rss(*pid)/1024)
	pages := (len(ids) + 99) / 100
	results := []*result{
		drive(client, "/services/{id}", *workers, *d, *pid, func(r *rand.Rand) string { return *base + "/services/" + ids[r.IntN(len(ids))] }),
		drive(client, "/services?per_page=100", *workers, *d, *pid, func(r *rand.Rand) string {
			return fmt.Sprintf("%s/services?per_page=100&page=%d", *base, 1+r.IntN(pages))
		}),
		// Informational (no target): a filtered page makes one pass over the index.
		drive(client, "/services?search=&age=", *workers, *d/2, *pid, func(r *rand.Rand) string {
			return fmt.Sprintf("%s/services?search=therapy&age=%d&per_page=100&page=%d", *base, 3+r.IntN(12), 1+r.IntN(5))
		}),
	}
	// NDJSON of everything, three times one after another.
	nd := &result{name: "format=ndjson (all)"}
	nd.rssKB[0] = rss(*pid)
	stop := make(chan struct{})
	peak := watchRSS(*pid, stop)
	start := time.Now()
	for k := 0; k < 3; k++ {
		t0 := time.Now()
		resp, err := client.Get(*base + "/services?format=ndjson")
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			nd.items++
		}
		resp.Body.Close()
		nd.lat = append(nd.lat, time.Since(t0))
		nd.requests++
	}
	nd.took = time.Since(start)
	close(stop)
	nd.rssKB[1] = <-peak
	nd.rssKB[2] = rss(*pid)
	results = append(results, nd)

	fmt.Printf("\n%-24s %9s %10s %9s %9s %7s %22s\n", "endpoint", "requests", "req/s", "p50", "p99", "errors", "server RSS MB before/peak/after")
	ok := true
	for _, r := range results {
		rate := float64(r.requests) / r.took.Seconds()
		fmt.Printf("%-24s %9d %10.1f %9s %9s %7d %10d/%d/%d\n", r.name, r.requests, rate, r.pct(0.50).Round(time.Microsecond*10),
			r.pct(0.99).Round(time.Microsecond*10), r.errors, r.rssKB[0]/1024, r.rssKB[1]/1024, r.rssKB[2]/1024)
	}
	svcRate := float64(nd.items) / nd.took.Seconds()
	fmt.Printf("\nformat=ndjson: %d services in %s = %.0f services/s\n", nd.items, nd.took.Round(time.Millisecond), svcRate)
	check := func(what string, pass bool) {
		mark := "PASS"
		if !pass {
			mark, ok = "MISS", false
		}
		fmt.Printf("%s  %s\n", mark, what)
	}
	byID, list := results[0], results[1]
	fmt.Println()
	check(fmt.Sprintf("/services/{id} ≥ 500 req/s (%.0f) with p99 < 100 ms (%s)", float64(byID.requests)/byID.took.Seconds(), byID.pct(0.99).Round(time.Millisecond)),
		float64(byID.requests)/byID.took.Seconds() >= 500 && byID.pct(0.99) < 100*time.Millisecond && byID.errors == 0)
	check(fmt.Sprintf("/services?per_page=100 ≥ 100 req/s (%.0f) with p99 < 500 ms (%s)", float64(list.requests)/list.took.Seconds(), list.pct(0.99).Round(time.Millisecond)),
		float64(list.requests)/list.took.Seconds() >= 100 && list.pct(0.99) < 500*time.Millisecond && list.errors == 0)
	check(fmt.Sprintf("format=ndjson ≥ 20,000 services/s (%.0f), all %d each time", svcRate, len(ids)), svcRate >= 20000 && nd.items == 3*len(ids))
	// Flat: serving more does not keep more. The first phase warms the
	// server up; after every later phase its RSS stays within 10% of that.
	warm := results[0].rssKB[2]
	flat := true
	for _, r := range results[1:] {
		if float64(r.rssKB[2]) > 1.1*float64(warm) {
			flat = false
		}
	}
	check(fmt.Sprintf("memory flat: server RSS %d MB before, %d MB after the first phase, %d MB after the last (peak %d MB)",
		results[0].rssKB[0]/1024, warm/1024, nd.rssKB[2]/1024, max(results[0].rssKB[1], results[1].rssKB[1], nd.rssKB[1])/1024), flat)
	fmt.Printf("load average after: %s\n", loadavg())
	if !ok {
		return fmt.Errorf("some targets were missed (see above)")
	}
	return nil
}
