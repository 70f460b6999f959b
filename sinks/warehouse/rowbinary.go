package warehouse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// RowBinaryEncoder writes rows in ClickHouse's RowBinaryWithDefaults format
// for a table's column types. It takes the same Go values as AppendTSVRow and
// means the same by them: a nil (or NaN, empty Date, zero time) is NULL in a
// Nullable column and the column's default elsewhere, as \N is in TSV with
// input_format_null_as_default. The engine reads it without unescaping or
// parsing numbers, and strings (the JSON payloads above all) are copied, not
// escaped. A value it cannot write exactly as TSV would mean it is refused
// with ErrRowBinary, and the caller writes TSV instead.
type RowBinaryEncoder struct {
	cols []rbColumn
}

// ErrRowBinary says a column type or a value has no RowBinary form here.
var ErrRowBinary = errors.New("not encodable as RowBinary")

type rbColumn struct {
	nullable bool
	enc      func(dst []byte, v any) ([]byte, bool)
}

// NewRowBinaryEncoder prepares an encoder for columns of these ClickHouse types.
func NewRowBinaryEncoder(types []string) (*RowBinaryEncoder, error) {
	e := &RowBinaryEncoder{cols: make([]rbColumn, len(types))}
	for i, t := range types {
		t = strings.TrimSpace(t)
		c := rbColumn{}
		if inner, ok := unwrapType(t, "Nullable"); ok {
			c.nullable, t = true, inner
		}
		c.enc = rbScalar(t)
		if c.enc == nil {
			return nil, fmt.Errorf("column %d type %s: %w", i, t, ErrRowBinary)
		}
		e.cols[i] = c
	}
	return e, nil
}

func unwrapType(t, wrapper string) (string, bool) {
	if strings.HasPrefix(t, wrapper+"(") && strings.HasSuffix(t, ")") {
		return t[len(wrapper)+1 : len(t)-1], true
	}
	return t, false
}

// AppendRow appends one row.
func (e *RowBinaryEncoder) AppendRow(dst []byte, row []any) ([]byte, error) {
	if len(row) != len(e.cols) {
		return dst, fmt.Errorf("%d values for %d columns", len(row), len(e.cols))
	}
	for i, v := range row {
		c := e.cols[i]
		if isNull(v) {
			if c.nullable {
				dst = append(dst, 0, 1) // a value follows; it is NULL
			} else {
				dst = append(dst, 1) // the column's default
			}
			continue
		}
		dst = append(dst, 0)
		if c.nullable {
			dst = append(dst, 0)
		}
		var ok bool
		if dst, ok = c.enc(dst, v); !ok {
			return dst, fmt.Errorf("column %d: %T value: %w", i, v, ErrRowBinary)
		}
	}
	return dst, nil
}

// isNull is what AppendTSVValue writes as \N.
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case float64:
		return math.IsNaN(x) || math.IsInf(x, 0)
	case Date:
		return x == ""
	case time.Time:
		return x.IsZero()
	case *string:
		return x == nil
	case *int:
		return x == nil
	case *float64:
		return x == nil || math.IsNaN(*x) || math.IsInf(*x, 0)
	case *time.Time:
		return x == nil || x.IsZero()
	}
	return false
}

func rbScalar(t string) func([]byte, any) ([]byte, bool) {
	if inner, ok := unwrapType(t, "LowCardinality"); ok {
		t = inner // LowCardinality is the plain type in RowBinary
	}
	if inner, ok := unwrapType(t, "Array"); ok {
		if inner, _ = unwrapType(inner, "LowCardinality"); inner == "String" {
			return rbStringArray
		}
		if inner == "Float64" {
			return rbFloatArray
		}
		return nil
	}
	switch t {
	case "String":
		return rbString
	case "Float64":
		return rbFloat64
	case "UInt8":
		return rbUint(1, math.MaxUint8)
	case "UInt16":
		return rbUint(2, math.MaxUint16)
	case "UInt32":
		return rbUint(4, math.MaxUint32)
	case "UInt64":
		return rbUint(8, math.MaxUint64)
	case "Int32":
		return rbInt(4, math.MinInt32, math.MaxInt32)
	case "Int64":
		return rbInt(8, math.MinInt64, math.MaxInt64)
	case "Date":
		return rbDate
	case "DateTime64(3, 'UTC')", "DateTime64(3)":
		return rbDateTime64ms
	}
	return nil
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func rbString(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return appendString(dst, x), true
	case []byte:
		return appendString(dst, string(x)), true
	case *string:
		return appendString(dst, *x), true
	}
	return dst, false
}

func rbStringArray(dst []byte, v any) ([]byte, bool) {
	xs, ok := v.([]string)
	if !ok {
		return dst, false
	}
	dst = binary.AppendUvarint(dst, uint64(len(xs)))
	for _, s := range xs {
		dst = appendString(dst, s)
	}
	return dst, true
}

func rbFloatArray(dst []byte, v any) ([]byte, bool) {
	xs, ok := v.([]float64)
	if !ok {
		return dst, false
	}
	dst = binary.AppendUvarint(dst, uint64(len(xs)))
	for _, f := range xs {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
	}
	return dst, true
}

// number reads the numeric Go values; isInt says the value is integral.
func number(v any) (i int64, u uint64, f float64, kind byte, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), 0, 0, 'i', true
	case *int:
		return int64(*x), 0, 0, 'i', true
	case int32:
		return int64(x), 0, 0, 'i', true
	case int64:
		return x, 0, 0, 'i', true
	case uint8:
		return 0, uint64(x), 0, 'u', true
	case uint32:
		return 0, uint64(x), 0, 'u', true
	case uint64:
		return 0, x, 0, 'u', true
	case bool:
		if x {
			return 0, 1, 0, 'u', true
		}
		return 0, 0, 0, 'u', true
	case float64:
		return 0, 0, x, 'f', true
	case *float64:
		return 0, 0, *x, 'f', true
	}
	return 0, 0, 0, 0, false
}

func appendLE(dst []byte, size int, u uint64) []byte {
	switch size {
	case 1:
		return append(dst, byte(u))
	case 2:
		return binary.LittleEndian.AppendUint16(dst, uint16(u))
	case 4:
		return binary.LittleEndian.AppendUint32(dst, uint32(u))
	}
	return binary.LittleEndian.AppendUint64(dst, u)
}

func rbUint(size int, max uint64) func([]byte, any) ([]byte, bool) {
	return func(dst []byte, v any) ([]byte, bool) {
		i, u, f, kind, ok := number(v)
		switch {
		case !ok:
			return dst, false
		case kind == 'i':
			if i < 0 {
				return dst, false
			}
			u = uint64(i)
		case kind == 'f':
			// Only whole numbers: TSV would write 3.5 and the engine refuse it.
			if f < 0 || f != math.Trunc(f) || f > float64(max) || f >= 1<<63 {
				return dst, false
			}
			u = uint64(f)
		}
		if u > max {
			return dst, false
		}
		return appendLE(dst, size, u), true
	}
}

func rbInt(size int, min, max int64) func([]byte, any) ([]byte, bool) {
	return func(dst []byte, v any) ([]byte, bool) {
		i, u, f, kind, ok := number(v)
		switch {
		case !ok:
			return dst, false
		case kind == 'u':
			if u > math.MaxInt64 {
				return dst, false
			}
			i = int64(u)
		case kind == 'f':
			if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
				return dst, false
			}
			i = int64(f)
		}
		if i < min || i > max {
			return dst, false
		}
		return appendLE(dst, size, uint64(i)), true
	}
}

func rbFloat64(dst []byte, v any) ([]byte, bool) {
	i, u, f, kind, ok := number(v)
	if !ok {
		return dst, false
	}
	switch kind {
	case 'i':
		f = float64(i)
	case 'u':
		f = float64(u)
	}
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f)), true
}

// rbDate writes a YYYY-MM-DD Date as days since 1970-01-01 (UInt16).
func rbDate(dst []byte, v any) ([]byte, bool) {
	d, ok := v.(Date)
	if !ok {
		return dst, false
	}
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return dst, false
	}
	days := t.Unix() / 86400
	if days < 0 || days > math.MaxUint16 {
		return dst, false // outside the Date range: TSV's parse decides
	}
	return binary.LittleEndian.AppendUint16(dst, uint16(days)), true
}

// rbDateTime64ms writes a time as milliseconds since the epoch (Int64), as
// TSV's "2006-01-02 15:04:05.000" keeps it.
func rbDateTime64ms(dst []byte, v any) ([]byte, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		t = *x
	default:
		return dst, false
	}
	if y := t.UTC().Year(); y < 1900 || y > 2299 {
		return dst, false // outside DateTime64's range: TSV's parse decides
	}
	return binary.LittleEndian.AppendUint64(dst, uint64(t.UnixMilli())), true
}
