// Package amf0 decodes AMF0 values that come from a peer, with bounds: every count is checked
// against the bytes that remain before anything is allocated for it, nesting is limited, and
// so is the number of values in one message. (go-amf0 allocates what a strict array declares
// and recurses without a limit: 30 bytes could ask for 32 GiB, 4 MB of nesting overflows the
// stack — fatal errors no recover catches.) Encoding, which is never peer-driven, stays with
// go-amf0.
package amf0

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Limits bound what one message may make the decoder build.
type Limits struct {
	// MaxDepth is the deepest nesting of objects and arrays.
	MaxDepth int
	// MaxValues is how many values (nested ones included) one message may hold.
	MaxValues int
}

// DefaultLimits are generous for every real RTMP command and metadata (a few dozen values,
// nesting of 2–3) and small enough that a hostile message costs little.
var DefaultLimits = Limits{MaxDepth: 32, MaxValues: 1 << 16}

// Error is a refused or malformed input, with where it was found.
type Error struct {
	// Offset is the byte offset in the message.
	Offset int
	// Reason says what is wrong.
	Reason string
	// Limit is set when a limit refused the input (nesting, the number of values, a count
	// larger than the bytes that remain) rather than a plain format error.
	Limit bool
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("amf0: at byte %d: %s", e.Offset, e.Reason) }

// AMF0 type markers.
const (
	markerNumber      = 0x00
	markerBoolean     = 0x01
	markerString      = 0x02
	markerObject      = 0x03
	markerMovieClip   = 0x04
	markerNull        = 0x05
	markerUndefined   = 0x06
	markerReference   = 0x07
	markerECMAArray   = 0x08
	markerObjectEnd   = 0x09
	markerStrictArray = 0x0a
	markerDate        = 0x0b
	markerLongString  = 0x0c
	markerUnsupported = 0x0d
	markerXMLDocument = 0x0f
	markerTypedObject = 0x10
	markerAVMPlus     = 0x11
)

// DecodeAll decodes the values of body until it ends: numbers as float64, booleans, strings,
// objects and ECMA arrays as map[string]any, strict arrays as []any, dates as time.Time, null,
// undefined and references as nil.
func DecodeAll(body []byte, lim Limits) ([]any, error) {
	d := &decoder{b: body, lim: lim}
	var out []any
	for d.off < len(d.b) {
		v, err := d.value(0)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

type decoder struct {
	b      []byte
	off    int
	values int
	lim    Limits
}

func (d *decoder) fail(format string, args ...any) error {
	return &Error{Offset: d.off, Reason: fmt.Sprintf(format, args...)}
}

func (d *decoder) refuse(format string, args ...any) error {
	return &Error{Offset: d.off, Reason: fmt.Sprintf(format, args...), Limit: true}
}

func (d *decoder) need(n int) error {
	if n < 0 || len(d.b)-d.off < n {
		return d.fail("%d bytes needed, %d left", n, len(d.b)-d.off)
	}
	return nil
}

func (d *decoder) u8() (byte, error) {
	if err := d.need(1); err != nil {
		return 0, err
	}
	d.off++
	return d.b[d.off-1], nil
}

func (d *decoder) u16() (int, error) {
	if err := d.need(2); err != nil {
		return 0, err
	}
	d.off += 2
	return int(binary.BigEndian.Uint16(d.b[d.off-2:])), nil
}

func (d *decoder) u32() (int, error) {
	if err := d.need(4); err != nil {
		return 0, err
	}
	d.off += 4
	return int(binary.BigEndian.Uint32(d.b[d.off-4:])), nil
}

func (d *decoder) number() (float64, error) {
	if err := d.need(8); err != nil {
		return 0, err
	}
	d.off += 8
	return math.Float64frombits(binary.BigEndian.Uint64(d.b[d.off-8:])), nil
}

// str reads n bytes as a string (n already read).
func (d *decoder) str(n int) (string, error) {
	if err := d.need(n); err != nil {
		return "", err
	}
	d.off += n
	return string(d.b[d.off-n : d.off]), nil
}

func (d *decoder) shortString() (string, error) {
	n, err := d.u16()
	if err != nil {
		return "", err
	}
	return d.str(n)
}

func (d *decoder) value(depth int) (any, error) {
	if depth > d.lim.MaxDepth {
		return nil, d.refuse("nesting deeper than %d", d.lim.MaxDepth)
	}
	d.values++
	if d.values > d.lim.MaxValues {
		return nil, d.refuse("more than %d values in one message", d.lim.MaxValues)
	}
	m, err := d.u8()
	if err != nil {
		return nil, err
	}
	switch m {
	case markerNumber:
		return d.number()
	case markerBoolean:
		b, err := d.u8()
		return b != 0, err
	case markerString:
		return d.shortString()
	case markerLongString, markerXMLDocument:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case markerObject:
		return d.properties(depth, -1)
	case markerTypedObject:
		if _, err := d.shortString(); err != nil { // the class name
			return nil, err
		}
		return d.properties(depth, -1)
	case markerECMAArray:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.properties(depth, n)
	case markerStrictArray:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		if n > len(d.b)-d.off { // every element takes at least its marker byte
			return nil, d.refuse("strict array of %d elements in %d bytes", n, len(d.b)-d.off)
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case markerDate:
		ms, err := d.number()
		if err != nil {
			return nil, err
		}
		if _, err := d.u16(); err != nil { // time zone, unused
			return nil, err
		}
		if math.IsNaN(ms) || math.IsInf(ms, 0) || math.Abs(ms) > 1e15 {
			return time.Time{}, nil
		}
		return time.UnixMilli(int64(ms)).UTC(), nil
	case markerNull, markerUndefined, markerUnsupported:
		return nil, nil
	case markerReference:
		_, err := d.u16()
		return nil, err
	case markerObjectEnd:
		return nil, d.fail("object end outside an object")
	case markerMovieClip, markerAVMPlus:
		return nil, d.fail("type 0x%02x is not supported", m)
	}
	return nil, d.fail("unknown type 0x%02x", m)
}

// properties reads key/value pairs up to the object end marker. hint is an ECMA array's count
// (not trusted for allocation; -1 for objects).
func (d *decoder) properties(depth, hint int) (map[string]any, error) {
	out := make(map[string]any, min(max(hint, 0), 16))
	for {
		key, err := d.shortString()
		if err != nil {
			return nil, err
		}
		if key == "" {
			if d.off < len(d.b) && d.b[d.off] == markerObjectEnd {
				d.off++
				return out, nil
			}
			if d.off >= len(d.b) && hint >= 0 {
				return out, nil // some encoders end an ECMA array without the marker
			}
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
}
