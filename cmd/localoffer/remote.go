package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/localoffer/localoffer/gaps"
	"github.com/localoffer/localoffer/health"
)

// While `localoffer serve` holds the embedded warehouse, other verbs ask it
// over HTTP instead (--server URL): reports come from its /reports/ pages and
// SQL goes to its ClickHouse-compatible endpoint.

// remoteClient is the HTTP client for --server: loopback or a LAN host, so
// short timeouts; the body of a report is bounded by the server.
var remoteClient = &http.Client{Timeout: 5 * time.Minute}

// serverURL checks a --server value.
func serverURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want the http:// address `localoffer serve` printed", s)
	}
	return u, nil
}

// remoteError turns a non-200 answer into an error with the server's message.
func remoteError(u string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct{ Error, Message string }
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		msg = e.Message
	}
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return fmt.Errorf("%s: HTTP %d: %s", u, resp.StatusCode, msg)
}

// remoteGet fetches path (with query q) from a running serve. The caller closes the body.
func remoteGet(ctx context.Context, server, path string, q url.Values) (io.ReadCloser, error) {
	base, err := serverURL(server)
	if err != nil {
		return nil, err
	}
	u := base.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := remoteClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the server: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, remoteError(u.String(), resp)
	}
	return resp.Body, nil
}

// remoteQuery runs SQL through serve's ClickHouse-compatible endpoint
// (/clickhouse/, ClickHouse's HTTP interface) and streams the rows to fn. The
// endpoint is read-only and needs the analyst password (ANALYST_PASSWORD).
func remoteQuery(ctx context.Context, server, password, sql string, params map[string]string, fn func(cols []string, row []json.RawMessage) error) error {
	base, err := serverURL(server)
	if err != nil {
		return err
	}
	u := base.JoinPath("/clickhouse/")
	q := url.Values{"default_format": {"JSONCompactEachRowWithNames"}}
	for k, v := range params {
		q.Set("param_"+k, v)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(sql))
	if err != nil {
		return err
	}
	req.SetBasicAuth("localoffer", password)
	resp, err := remoteClient.Do(req)
	if err != nil {
		return fmt.Errorf("ask the server: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return fmt.Errorf("%s offers no SQL endpoint: set serve.analyst_password in its pipelines.yaml", server)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%s refused the analyst password: set ANALYST_PASSWORD to the server's serve.analyst_password (%w)", server, remoteError(u.String(), resp))
	default:
		return remoteError(u.String(), resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 64<<20)
	var cols []string
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		if cols == nil {
			if err := json.Unmarshal(line, &cols); err != nil {
				return fmt.Errorf("%s: read column names: %w", u, err)
			}
			continue
		}
		var row []json.RawMessage
		if err := json.Unmarshal(line, &row); err != nil {
			return fmt.Errorf("%s: read a row: %w", u, err)
		}
		if len(row) != len(cols) {
			return fmt.Errorf("%s: a row has %d values for %d columns", u, len(row), len(cols))
		}
		if err := fn(cols, row); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	return nil
}

// gapsRemote writes the gap analysis of a running serve: the HTML report as
// served, the rows (from /reports/gaps.json) in the other formats.
func gapsRemote(ctx context.Context, env *Env, server string, rf *reportFlags, limit int) int {
	format := *rf.format
	q := url.Values{}
	if *rf.la != "" {
		q.Set("la", *rf.la)
	}
	path := "/reports/gaps"
	if format != "html" {
		path = "/reports/gaps.json"
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
	}
	body, err := remoteGet(ctx, server, path, q)
	if err != nil {
		rf.fail(env, err)
		return exitFailed
	}
	defer body.Close()
	write := func(w io.Writer) error {
		if format == "html" {
			_, err := io.Copy(w, body)
			return err
		}
		var rows []gaps.Row
		if err := json.NewDecoder(body).Decode(&rows); err != nil {
			return fmt.Errorf("read the gap rows from %s: %w", server, err)
		}
		switch format {
		case "csv":
			return gaps.WriteCSV(w, rows)
		case "json":
			return gaps.WriteJSON(w, rows)
		}
		return gaps.WriteTable(w, rows)
	}
	return rf.write(env, write)
}

// healthRemote writes the feed health report of a running serve: the page,
// the fix list and the JSON as served; the table from the JSON.
func healthRemote(ctx context.Context, env *Env, server string, pipelines []string, runs int, rf *reportFlags) int {
	format := *rf.format
	q := url.Values{}
	for _, p := range pipelines {
		q.Add("pipeline", p)
	}
	if *rf.la != "" {
		q.Set("la", *rf.la)
	}
	q.Set("runs", strconv.Itoa(runs))
	path := map[string]string{"html": "/reports/health", "csv": "/reports/health.csv", "json": "/reports/health.json", "table": "/reports/health.json"}[format]
	body, err := remoteGet(ctx, server, path, q)
	if err != nil {
		rf.fail(env, err)
		return exitFailed
	}
	defer body.Close()
	write := func(w io.Writer) error {
		if format != "table" {
			_, err := io.Copy(w, body)
			return err
		}
		var r health.Report
		if err := json.NewDecoder(body).Decode(&r); err != nil {
			return fmt.Errorf("read the health report from %s: %w", server, err)
		}
		return health.WriteTable(w, &r)
	}
	return rf.write(env, write)
}
