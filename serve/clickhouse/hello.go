package clickhouse

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// clickhouse-go's HTTP transport opens with this query, decodes the answer at
// the protocol revision it sends as client_protocol_version, and decodes every
// later Native result at the revision() the answer names.
const helloQuery = "SELECT displayName(), version(), revision(), timezone()"

// isHello reports whether the request is that opening query.
func isHello(r *http.Request, req *request) bool {
	return strings.Join(strings.Fields(req.sql), " ") == helloQuery && strings.EqualFold(req.format, "Native") &&
		r.URL.Query().Get("client_protocol_version") != ""
}

// hello answers the opening query. The engine writes Native output without a
// client protocol revision (revision 0: no block info, no per-column
// serialization flag), and libchdb cannot be told otherwise per query, so the
// answer names revision 0, encoded at the revision the client asked with.
func (h *Handler) hello(ctx context.Context, r *http.Request) ([]byte, error) {
	var info bytes.Buffer
	if _, err := h.q.QueryRaw(ctx, warehouse.RawQuery{SQL: "SELECT version(), timezone()", Format: "TSVRaw",
		QueryOptions: warehouse.QueryOptions{ReadOnly: true, Sandbox: true}}, &info); err != nil {
		return nil, err
	}
	version, tz, _ := strings.Cut(strings.TrimSpace(info.String()), "\t")
	clientRevision, _ := strconv.ParseUint(r.URL.Query().Get("client_protocol_version"), 10, 64)
	var b []byte
	if clientRevision > 0 {
		// Block info: field 1 is_overflows=0, field 2 bucket_num=-1, end.
		b = append(b, 1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0)
	}
	b = binary.AppendUvarint(b, 4) // columns
	b = binary.AppendUvarint(b, 1) // rows
	column := func(name, typ string, data []byte) {
		b = appendString(b, name)
		b = appendString(b, typ)
		if clientRevision >= 54454 { // DBMS_MIN_REVISION_WITH_CUSTOM_SERIALIZATION
			b = append(b, 0)
		}
		b = append(b, data...)
	}
	column("displayName()", "String", appendString(nil, "localoffer"))
	column("version()", "String", appendString(nil, version))
	column("revision()", "UInt32", binary.LittleEndian.AppendUint32(nil, 0))
	column("timezone()", "String", appendString(nil, tz))
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
