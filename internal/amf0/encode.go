package amf0

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"
)

// Pair is one entry of an ECMAArray.
type Pair struct {
	// Key is the entry's name.
	Key string
	// Value is its value.
	Value any
}

// ECMAArray is an AMF0 ECMA array whose entries keep their order on the wire (onMetaData as
// a file writer lays it out; clients such as rtmpdump --resume compare it field by field).
type ECMAArray []Pair

// Encode appends the AMF0 encoding of each value: numbers (every Go integer and float kind),
// booleans, strings (long strings past 65535 bytes), nil as null, map[string]any as an object
// with its keys in sorted order (so every encoding of a map is the same), ECMAArray in its own
// order, []any as a strict array, time.Time as a date.
func Encode(values ...any) ([]byte, error) {
	var b []byte
	for i, v := range values {
		var err error
		if b, err = appendValue(b, v, 0); err != nil {
			return nil, fmt.Errorf("amf0: value %d: %w", i, err)
		}
	}
	return b, nil
}

func appendNumber(b []byte, f float64) []byte {
	b = append(b, markerNumber)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}

func appendKey(b []byte, k string) ([]byte, error) {
	if len(k) > math.MaxUint16 {
		return nil, fmt.Errorf("key of %d bytes", len(k))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(k)))
	return append(b, k...), nil
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > DefaultLimits.MaxDepth {
		return nil, fmt.Errorf("nesting deeper than %d", DefaultLimits.MaxDepth)
	}
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, markerNull), nil
	case bool:
		if x {
			return append(b, markerBoolean, 1), nil
		}
		return append(b, markerBoolean, 0), nil
	case string:
		if len(x) > math.MaxUint16 {
			b = append(b, markerLongString)
			b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
			return append(b, x...), nil
		}
		b = append(b, markerString)
		return appendKey(b, x)
	case time.Time:
		b = append(b, markerDate)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(x.UnixMilli())))
		return append(b, 0, 0), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, markerObject)
		for _, k := range keys {
			if b, err = appendKey(b, k); err != nil {
				return nil, err
			}
			if b, err = appendValue(b, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, 0, 0, markerObjectEnd), nil
	case ECMAArray:
		b = append(b, markerECMAArray)
		b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
		for _, p := range x {
			if b, err = appendKey(b, p.Key); err != nil {
				return nil, err
			}
			if b, err = appendValue(b, p.Value, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, 0, 0, markerObjectEnd), nil
	case []any:
		b = append(b, markerStrictArray)
		b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
		for _, e := range x {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendNumber(b, float64(rv.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendNumber(b, float64(rv.Uint())), nil
	case reflect.Float32, reflect.Float64:
		return appendNumber(b, rv.Float()), nil
	}
	return nil, fmt.Errorf("cannot encode a %T", v)
}
