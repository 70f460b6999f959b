package clickhouse

import (
	"fmt"
	"strings"
	"time"

	"github.com/localoffer/localoffer/sinks/warehouse"
)

// Convert turns a loader value (see warehouse.AppendTSVRow for the accepted
// Go types) into the exact Go type clickhouse-go wants for a column type, so the
// loader can stay driver-neutral.
func Convert(v any, colType string) (any, error) {
	t := strings.TrimSpace(colType)
	if inner, ok := unwrap(t, "LowCardinality("); ok {
		return Convert(v, inner)
	}
	if inner, ok := unwrap(t, "Nullable("); ok {
		if isNil(v) {
			return nil, nil
		}
		cv, err := Convert(deref(v), inner)
		if err != nil || cv == nil {
			return cv, err
		}
		return ptrTo(cv), nil
	}
	if inner, ok := unwrap(t, "Array("); ok {
		switch x := v.(type) {
		case []string:
			if inner == "String" || strings.Contains(inner, "String") {
				return x, nil
			}
		case []float64:
			if inner == "Float64" {
				return x, nil
			}
		case nil:
			return []string{}, nil
		}
		return nil, fmt.Errorf("value %T does not fit %s", v, colType)
	}
	v = deref(v)
	switch {
	case t == "String":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case nil:
			return "", nil
		}
	case t == "Date" || t == "Date32":
		switch x := v.(type) {
		case warehouse.Date:
			if x == "" {
				return time.Time{}, nil
			}
			return time.Parse("2006-01-02", string(x))
		case time.Time:
			return x, nil
		}
	case strings.HasPrefix(t, "DateTime"):
		if x, ok := v.(time.Time); ok {
			return x.UTC(), nil
		}
	case t == "Bool":
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case strings.HasPrefix(t, "UInt") || strings.HasPrefix(t, "Int"):
		n, ok := toInt64(v)
		if !ok {
			break
		}
		switch t {
		case "UInt8":
			return uint8(n), nil
		case "UInt16":
			return uint16(n), nil
		case "UInt32":
			return uint32(n), nil
		case "UInt64":
			return uint64(n), nil
		case "Int8":
			return int8(n), nil
		case "Int16":
			return int16(n), nil
		case "Int32":
			return int32(n), nil
		case "Int64":
			return n, nil
		}
	case t == "Float64" || t == "Float32":
		switch x := v.(type) {
		case float64:
			if t == "Float32" {
				return float32(x), nil
			}
			return x, nil
		}
		if n, ok := toInt64(v); ok {
			return float64(n), nil
		}
	}
	return nil, fmt.Errorf("value %T does not fit %s", v, colType)
}

// isNil reports whether v is NULL: nil, a nil pointer, or an empty Date.
func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *string:
		return x == nil
	case *int:
		return x == nil
	case *float64:
		return x == nil
	case *time.Time:
		return x == nil
	case warehouse.Date:
		return x == ""
	case time.Time:
		return x.IsZero()
	}
	return false
}

func unwrap(t, prefix string) (string, bool) {
	if strings.HasPrefix(t, prefix) && strings.HasSuffix(t, ")") {
		return t[len(prefix) : len(t)-1], true
	}
	return "", false
}

func deref(v any) any {
	switch x := v.(type) {
	case *string:
		return *x
	case *int:
		return *x
	case *float64:
		return *x
	case *time.Time:
		return *x
	}
	return v
}

func ptrTo(v any) any {
	switch x := v.(type) {
	case string:
		return &x
	case uint8:
		return &x
	case uint16:
		return &x
	case uint32:
		return &x
	case uint64:
		return &x
	case int8:
		return &x
	case int16:
		return &x
	case int32:
		return &x
	case int64:
		return &x
	case float32:
		return &x
	case float64:
		return &x
	case time.Time:
		return &x
	case bool:
		return &x
	}
	return v
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
