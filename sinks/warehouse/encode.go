package warehouse

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// AppendTSVRow appends one row in TabSeparated form. Accepted value types: nil
// (NULL), string, []byte (as a string), bool, int, int32, int64, uint8, uint32,
// uint64, float64, Date, time.Time (DateTime64(3) UTC), []string, []float64,
// and pointers to string, int, float64, time.Time (nil pointer is NULL).
// Written by hand because this is the hot path of every load. TSV is what the
// embedded driver loads: the engine parses it several times faster than JSON.
func AppendTSVRow(dst []byte, row []any) ([]byte, error) {
	for i, v := range row {
		if i > 0 {
			dst = append(dst, '\t')
		}
		var err error
		dst, err = appendTSVValue(dst, v)
		if err != nil {
			return dst, fmt.Errorf("column %d: %w", i, err)
		}
	}
	return append(dst, '\n'), nil
}

var tsvNull = []byte(`\N`)

func appendTSVValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, tsvNull...), nil
	case string:
		return appendTSVEscaped(dst, x), nil
	case []byte:
		return appendTSVEscaped(dst, string(x)), nil
	case bool:
		if x {
			return append(dst, '1'), nil
		}
		return append(dst, '0'), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(dst, tsvNull...), nil
		}
		return strconv.AppendFloat(dst, x, 'g', -1, 64), nil
	case Date:
		if x == "" {
			return append(dst, tsvNull...), nil
		}
		return append(dst, x...), nil
	case time.Time:
		if x.IsZero() {
			return append(dst, tsvNull...), nil
		}
		return x.UTC().AppendFormat(dst, "2006-01-02 15:04:05.000"), nil
	case []string:
		// An array is written as a literal of single-quoted strings; escaping
		// inside the quotes also removes every tab and newline.
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '\'')
			dst = appendQuotedEscaped(dst, s)
			dst = append(dst, '\'')
		}
		return append(dst, ']'), nil
	case []float64:
		dst = append(dst, '[')
		for i, f := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
		}
		return append(dst, ']'), nil
	case *string:
		if x == nil {
			return append(dst, tsvNull...), nil
		}
		return appendTSVEscaped(dst, *x), nil
	case *int:
		if x == nil {
			return append(dst, tsvNull...), nil
		}
		return strconv.AppendInt(dst, int64(*x), 10), nil
	case *float64:
		if x == nil {
			return append(dst, tsvNull...), nil
		}
		return appendTSVValue(dst, *x)
	case *time.Time:
		if x == nil {
			return append(dst, tsvNull...), nil
		}
		return appendTSVValue(dst, *x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	}
	return dst, fmt.Errorf("unsupported value type %T", v)
}

// appendTSVEscaped escapes a string field: backslash, tab, newline, CR and NUL.
// Invalid UTF-8 is kept as bytes: String columns hold bytes.
func appendTSVEscaped(dst []byte, s string) []byte { return appendEscaped(dst, s, false) }

// appendQuotedEscaped escapes a string inside single quotes (array elements).
func appendQuotedEscaped(dst []byte, s string) []byte { return appendEscaped(dst, s, true) }

func appendEscaped(dst []byte, s string, quoted bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '\\':
			esc = '\\'
		case '\'':
			if !quoted {
				continue
			}
			esc = '\''
		case '\t':
			esc = 't'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case 0:
			esc = '0'
		default:
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '\\', esc)
		start = i + 1
	}
	return append(dst, s[start:]...)
}
