// Package clickhouse serves the subset of ClickHouse's HTTP interface that the
// official clients and BI plugins use, over the warehouse, read-only: the query
// in the URL or the body (plain or multipart), default_format and FORMAT,
// database, param_* query parameters, user and password (Basic auth,
// X-ClickHouse-User/Key headers or URL parameters), gzip responses, and the
// X-ClickHouse-Format / -Query-Id / -Summary / -Exception-Code headers, and
// ClickHouse's own block compression (compress=1, LZ4 or ZSTD) that the JDBC
// driver and clickhouse-go with compression ask for.
//
// Every statement is parsed by the engine and anything but a read is refused;
// table functions that reach files, URLs or other servers are refused too.
// Results are capped in size and queries in time; a result is held (up to the
// cap) until it is complete so the status code and the summary header are true.
package clickhouse

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/ch-go/compress"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Options configure the handler.
type Options struct {
	// Password is the analysts' password (serve.analyst_password); any user
	// name is accepted with it. Empty turns the endpoint off: every request gets 404.
	Password string
	// Database is the warehouse's database; "default" and an absent database mean it.
	Database string
	// MaxResultBytes caps a result (default 64 MiB).
	MaxResultBytes int64
	// MaxQueryBytes caps the request body (default 1 MiB).
	MaxQueryBytes int64
	// Timeout caps a query's run time (default 60 s; a client's max_execution_time may lower it).
	Timeout time.Duration
	// MaxConcurrent caps the queries held at once (default 4): each may hold
	// up to MaxResultBytes until its client has read it. The engine runs one
	// query at a time anyway.
	MaxConcurrent int
	// FailureDelay is how long a wrong password waits before its answer,
	// one at a time across the handler (default 500 ms): at most a couple of
	// guesses a second, whatever the number of connections.
	FailureDelay time.Duration
	// Log receives one line per refused or failed request (never the password).
	Log *slog.Logger
}

// Handler is the ClickHouse-compatible endpoint.
type Handler struct {
	q        warehouse.RawQuerier
	o        Options
	slots    chan struct{}
	failures sync.Mutex // serialises the delay after a wrong password

	tzMu sync.Mutex
	tz   string // the engine's time zone, read once
}

// timezone is the engine's time zone (DateTime values without their own zone
// are in it), read once; "" while the engine cannot say.
func (h *Handler) timezone(ctx context.Context) string {
	h.tzMu.Lock()
	defer h.tzMu.Unlock()
	if h.tz == "" {
		var b bytes.Buffer
		if _, err := h.q.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT timezone()", Format: "TSVRaw",
			QueryOptions: warehouse.QueryOptions{ReadOnly: true, Sandbox: true}}, &b); err == nil {
			h.tz = strings.TrimSpace(b.String())
		}
	}
	return h.tz
}

// New returns the handler over a driver that can pass results through.
func New(q warehouse.RawQuerier, o Options) *Handler {
	if o.MaxResultBytes <= 0 {
		o.MaxResultBytes = 64 << 20
	}
	if o.MaxQueryBytes <= 0 {
		o.MaxQueryBytes = 1 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.FailureDelay <= 0 {
		o.FailureDelay = 500 * time.Millisecond
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Handler{q: q, o: o, slots: make(chan struct{}, o.MaxConcurrent)}
}

// ClickHouse error codes used in answers (src/Common/ErrorCodes.cpp).
const (
	codeUnknownSetting       = 115
	codeUnknownDatabase      = 81
	codeSyntaxError          = 62
	codeReadonly             = 164
	codeTimeout              = 159
	codeTooManyBytes         = 307
	codeAuthenticationFailed = 516
	codeRequiredPassword     = 194
	codeBadArguments         = 36
	codeTooLargeQuery        = 202
	codeSupportIsDisabled    = 344
)

// chError is an answer in ClickHouse's error shape.
type chError struct {
	status int
	code   int
	msg    string
}

func (e *chError) Error() string { return e.msg }

// Transport and client parameters: handled here or harmless to ignore.
var protocolParams = map[string]bool{
	"query": true, "database": true, "default_format": true, "user": true, "password": true,
	"query_id": true, "session_id": true, "session_timeout": true, "session_check": true,
	"enable_http_compression": true, "http_zlib_compression_level": true, "client_protocol_version": true,
	"max_execution_time": true, "max_result_bytes": true, "readonly": true, "wait_end_of_query": true,
	"send_progress_in_http_headers": true, "http_headers_progress_interval_ms": true, "buffer_size": true,
	"http_wait_end_of_query": true, "cancel_http_readonly_queries_on_client_close": true, "role": true,
	"quota_key": true, "add_http_cors_header": true, "output_format_json_quote_64bit_integers": true,
	"date_time_input_format": true, "compress": true, "network_compression_method": true,
	"network_zstd_compression_level": true, "decompress": true,
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.o.Password == "" {
		http.NotFound(w, r)
		return
	}
	switch path.Base(r.URL.Path) {
	case "ping", "replicas_status":
		io.WriteString(w, "Ok.\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	queryID := r.URL.Query().Get("query_id")
	if queryID == "" {
		queryID = newQueryID()
	}
	w.Header().Set("X-ClickHouse-Query-Id", queryID)
	w.Header().Set("X-ClickHouse-Server-Display-Name", "localoffer")
	if tz := h.timezone(r.Context()); tz != "" {
		w.Header().Set("X-ClickHouse-Timezone", tz)
	}
	if err := h.authenticate(r); err != nil {
		if err.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="localoffer warehouse", charset="UTF-8"`)
		}
		h.fail(w, r, err)
		return
	}
	req, cerr := h.parse(r)
	if cerr != nil {
		h.fail(w, r, cerr)
		return
	}
	if req.sql == "" {
		// ClickHouse answers a bare GET with Ok.
		io.WriteString(w, "Ok.\n")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), req.timeout)
	defer cancel()
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		h.fail(w, r, &chError{http.StatusServiceUnavailable, codeTimeout, fmt.Sprintf("Timeout exceeded: %d queries were already running for %s", h.o.MaxConcurrent, req.timeout)})
		return
	}
	if isHello(r, req) {
		body, err := h.hello(ctx, r)
		if err != nil {
			h.fail(w, r, h.classify(ctx, err, &cappedBuffer{}, req))
			return
		}
		h.respond(w, r, req, body, "Native", "")
		return
	}
	buf := &cappedBuffer{max: req.maxBytes}
	st, err := h.q.QueryRaw(ctx, warehouse.RawQuery{
		SQL: req.sql, Format: req.format, Database: req.database,
		QueryOptions: warehouse.QueryOptions{Params: req.params, ReadOnly: true, Sandbox: true},
	}, buf)
	if err != nil {
		h.fail(w, r, h.classify(ctx, err, buf, req))
		return
	}
	summary, _ := json.Marshal(map[string]string{
		"read_rows": strconv.FormatUint(st.RowsRead, 10), "read_bytes": strconv.FormatUint(st.BytesRead, 10),
		"written_rows": "0", "written_bytes": "0", "total_rows_to_read": strconv.FormatUint(st.RowsRead, 10),
		"result_bytes": strconv.Itoa(buf.Len()),
		"elapsed_ns":   strconv.FormatInt(st.Elapsed.Nanoseconds(), 10),
	})
	h.respond(w, r, req, buf.Bytes(), st.Format, string(summary))
}

// respond writes a complete result, framed (compress=1) and gzipped as asked.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, req *request, body []byte, format, summary string) {
	hd := w.Header()
	hd.Set("X-ClickHouse-Format", format)
	if summary != "" {
		hd.Set("X-ClickHouse-Summary", summary)
	}
	hd.Set("Content-Type", contentType(format))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	if req.native != nil {
		// ClickHouse's own framing (compress=1): checksummed blocks of at most 1 MiB.
		framed, err := frame(body, *req.native)
		if err != nil {
			h.fail(w, r, &chError{http.StatusInternalServerError, codeBadArguments, "compress the result: " + err.Error()})
			return
		}
		body = framed
		hd.Set("Content-Type", "application/octet-stream")
	}
	if req.compress && acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		hd.Add("Vary", "Accept-Encoding")
		gz := gzip.NewWriter(w)
		if r.Method != http.MethodHead {
			gz.Write(body)
		}
		gz.Close()
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

type request struct {
	sql, format, database string
	params                map[string]string
	compress              bool             // gzip (enable_http_compression=1)
	native                *compress.Method // ClickHouse-native block compression (compress=1)
	timeout               time.Duration
	maxBytes              int64
}

// authenticate accepts the analysts' password with any user name, from Basic
// auth, the X-ClickHouse-User/Key headers or the user/password URL parameters.
func (h *Handler) authenticate(r *http.Request) *chError {
	var pass string
	var given bool
	if _, p, ok := r.BasicAuth(); ok {
		pass, given = p, true
	} else if p := r.Header.Get("X-ClickHouse-Key"); p != "" || r.Header.Get("X-ClickHouse-User") != "" {
		pass, given = p, true
	} else if q := r.URL.Query(); q.Has("password") || q.Has("user") {
		pass, given = q.Get("password"), true
	}
	if !given {
		return &chError{http.StatusUnauthorized, codeRequiredPassword, "a password is required: give any user name and the analysts' password (serve.analyst_password)"}
	}
	if subtle.ConstantTimeCompare([]byte(pass), []byte(h.o.Password)) != 1 {
		h.failures.Lock()
		select {
		case <-time.After(h.o.FailureDelay):
		case <-r.Context().Done():
		}
		h.failures.Unlock()
		return &chError{http.StatusForbidden, codeAuthenticationFailed, "Authentication failed: password is incorrect"}
	}
	return nil
}

// parse reads the statement, its parameters and the settings the endpoint honours.
func (h *Handler) parse(r *http.Request) (*request, *chError) {
	u := r.URL.Query()
	req := &request{params: map[string]string{}, timeout: h.o.Timeout, maxBytes: h.o.MaxResultBytes, database: h.o.Database}
	sql := u.Get("query")
	if r.Method == http.MethodPost {
		if r.Header.Get("Content-Encoding") != "" || u.Get("decompress") == "1" {
			return nil, &chError{http.StatusBadRequest, codeSupportIsDisabled, "compressed request bodies are not supported by this endpoint"}
		}
		body := http.MaxBytesReader(nil, r.Body, h.o.MaxQueryBytes)
		mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "multipart/form-data" {
			// The JavaScript client moves long parameters into a multipart body.
			mr := multipart.NewReader(body, mp["boundary"])
			for {
				part, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					return nil, tooLarge(err, h.o.MaxQueryBytes)
				}
				v, err := io.ReadAll(part)
				if err != nil {
					return nil, tooLarge(err, h.o.MaxQueryBytes)
				}
				switch name := part.FormName(); {
				case name == "query":
					sql = joinSQL(sql, string(v))
				case strings.HasPrefix(name, "param_"):
					req.params[strings.TrimPrefix(name, "param_")] = string(v)
				default:
					return nil, &chError{http.StatusBadRequest, codeBadArguments, fmt.Sprintf("unexpected multipart field %q", name)}
				}
			}
		} else {
			b, err := io.ReadAll(body)
			if err != nil {
				return nil, tooLarge(err, h.o.MaxQueryBytes)
			}
			sql = joinSQL(sql, string(b))
		}
	}
	req.sql = strings.TrimSpace(sql)
	req.format = u.Get("default_format")
	if f := r.Header.Get("X-ClickHouse-Format"); f != "" {
		req.format = f
	}
	if req.format == "" {
		req.format = "TabSeparated"
	}
	if !formatName.MatchString(req.format) {
		return nil, &chError{http.StatusBadRequest, codeBadArguments, fmt.Sprintf("bad format name %q", req.format)}
	}
	db := u.Get("database")
	if d := r.Header.Get("X-ClickHouse-Database"); d != "" {
		db = d
	}
	if db != "" && db != "default" && db != h.o.Database {
		return nil, &chError{http.StatusNotFound, codeUnknownDatabase, fmt.Sprintf("Database %s does not exist: this endpoint serves the warehouse database %s", db, h.o.Database)}
	}
	for k, vs := range u {
		v := vs[len(vs)-1]
		switch {
		case strings.HasPrefix(k, "param_"):
			req.params[strings.TrimPrefix(k, "param_")] = v
		case k == "readonly":
			if v != "1" && v != "2" {
				return nil, &chError{http.StatusForbidden, codeReadonly, "Cannot modify 'readonly' setting in readonly mode"}
			}
		case k == "enable_http_compression":
			req.compress = v == "1" || strings.EqualFold(v, "true")
		case k == "max_execution_time":
			if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 && time.Duration(s*float64(time.Second)) < req.timeout {
				req.timeout = time.Duration(s * float64(time.Second))
			}
		case k == "max_result_bytes":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && n < req.maxBytes {
				req.maxBytes = n
			}
		case k == "compress" && (v == "1" || strings.EqualFold(v, "true")):
			m := compress.LZ4
			switch strings.ToUpper(u.Get("network_compression_method")) {
			case "", "LZ4":
			case "ZSTD":
				m = compress.ZSTD
			case "NONE":
				m = compress.None
			default:
				return nil, &chError{http.StatusBadRequest, codeBadArguments, fmt.Sprintf("unknown network_compression_method %q (LZ4, ZSTD or NONE)", u.Get("network_compression_method"))}
			}
			req.native = &m
		case protocolParams[k], strings.HasPrefix(k, "http_"), strings.HasPrefix(k, "send_progress"):
		default:
			return nil, &chError{http.StatusBadRequest, codeUnknownSetting, fmt.Sprintf("Setting %s is not supported by this endpoint: it serves the warehouse read-only and cannot apply query settings", k)}
		}
	}
	return req, nil
}

var formatName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// frame compresses body in ClickHouse's block format, as the server does for compress=1.
func frame(body []byte, m compress.Method) ([]byte, error) {
	const block = 1 << 20
	cw := compress.NewWriter(compress.LevelZero, m)
	var out []byte
	for len(body) > 0 {
		n := min(len(body), block)
		if err := cw.Compress(body[:n]); err != nil {
			return nil, err
		}
		out = append(out, cw.Data...)
		body = body[n:]
	}
	return out, nil
}

func joinSQL(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "\n" + b
}

func tooLarge(err error, max int64) *chError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &chError{http.StatusRequestEntityTooLarge, codeTooLargeQuery, fmt.Sprintf("the query is larger than %d bytes", max)}
	}
	return &chError{http.StatusBadRequest, codeBadArguments, "read the request: " + err.Error()}
}

var engineCode = regexp.MustCompile(`^Code: (\d+)\.`)

// classify turns a query's failure into ClickHouse's answer.
func (h *Handler) classify(ctx context.Context, err error, buf *cappedBuffer, req *request) *chError {
	switch {
	case errors.Is(err, warehouse.ErrNotRead):
		return &chError{http.StatusForbidden, codeReadonly, err.Error() + ": cannot execute query in readonly mode"}
	case buf.over:
		return &chError{http.StatusInternalServerError, codeTooManyBytes, fmt.Sprintf("Limit for result exceeded: the result is larger than %d bytes; narrow the query or page it with LIMIT/OFFSET", req.maxBytes)}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &chError{http.StatusInternalServerError, codeTimeout, fmt.Sprintf("Timeout exceeded: the query ran longer than %s", req.timeout)}
	}
	msg := err.Error()
	code := 1000
	// The engine's own errors carry their code and text; keep the text, drop the query echo.
	if i := strings.Index(msg, "Code: "); i >= 0 {
		msg = msg[i:]
		if m := engineCode.FindStringSubmatch(msg); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
	}
	return &chError{statusFor(code), code, strings.TrimPrefix(msg, fmt.Sprintf("Code: %d. ", code))}
}

// statusFor maps an engine error code to the HTTP status ClickHouse uses.
func statusFor(code int) int {
	switch code {
	case codeSyntaxError, 27, 26, 6, 38, 41, 43, 44, 47, 53, 70, 72, 130, 131, 162, 36, 456, 457:
		return http.StatusBadRequest
	case 60, codeUnknownDatabase, 46:
		return http.StatusNotFound
	case codeReadonly, codeAuthenticationFailed:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// codeNames are the names ClickHouse gives the codes this handler answers
// with itself; clients parse "(NAME)" at the end of the message.
var codeNames = map[int]string{
	codeUnknownSetting: "UNKNOWN_SETTING", codeUnknownDatabase: "UNKNOWN_DATABASE", codeReadonly: "READONLY",
	codeTimeout: "TIMEOUT_EXCEEDED", codeTooManyBytes: "TOO_MANY_ROWS_OR_BYTES", codeAuthenticationFailed: "AUTHENTICATION_FAILED",
	codeRequiredPassword: "REQUIRED_PASSWORD", codeBadArguments: "BAD_ARGUMENTS", codeTooLargeQuery: "QUERY_IS_TOO_LARGE",
	codeSupportIsDisabled: "SUPPORT_IS_DISABLED", 1000: "POCO_EXCEPTION",
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, e *chError) {
	h.o.Log.Info("clickhouse endpoint refused a request", "status", e.status, "code", e.code, "reason", e.msg, "remote", r.RemoteAddr)
	hd := w.Header()
	hd.Set("X-ClickHouse-Exception-Code", strconv.Itoa(e.code))
	hd.Set("Content-Type", "text/plain; charset=UTF-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.status)
	msg := strings.TrimSpace(strings.TrimPrefix(e.msg, "DB::Exception: "))
	if name, ok := codeNames[e.code]; ok && !strings.Contains(msg, "("+name+")") {
		msg += " (" + name + ")"
	}
	fmt.Fprintf(w, "Code: %d. DB::Exception: %s\n", e.code, msg)
}

// cappedBuffer holds a result up to max bytes, then refuses more.
type cappedBuffer struct {
	bytes.Buffer
	max  int64
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.max {
		b.over = true
		return 0, errors.New("result size limit exceeded")
	}
	return b.Buffer.Write(p)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// contentType follows what ClickHouse sends for common formats.
func contentType(format string) string {
	f := strings.ToLower(format)
	switch {
	case warehouse.IsBinaryFormat(f):
		return "application/octet-stream"
	case strings.HasPrefix(f, "json") && strings.Contains(f, "eachrow"), f == "ndjson", f == "jsonlines":
		return "application/x-ndjson; charset=UTF-8"
	case strings.HasPrefix(f, "json"):
		return "application/json; charset=UTF-8"
	case strings.HasPrefix(f, "csv"):
		return "text/csv; charset=UTF-8; header=absent"
	case strings.HasPrefix(f, "tabseparated"), strings.HasPrefix(f, "tsv"):
		return "text/tab-separated-values; charset=UTF-8"
	case f == "xml":
		return "application/xml; charset=UTF-8"
	}
	return "text/plain; charset=UTF-8"
}

func newQueryID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
