package amf0

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	goamf0 "github.com/yutopp/go-amf0"
)

func encode(t testing.TB, vs ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := goamf0.NewEncoder(&buf)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestDecodesWhatGoAMF0Encodes(t *testing.T) {
	in := []any{"connect", 1.0, map[string]any{"app": "vod", "tcUrl": "rtmp://h/vod", "fpad": false, "capabilities": 15.0},
		nil, goamf0.ECMAArray{"duration": 20.0, "stereo": false}, []any{1.0, "two", map[string]any{}}}
	got, err := DecodeAll(encode(t, in...), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"connect", 1.0, map[string]any{"app": "vod", "tcUrl": "rtmp://h/vod", "fpad": false, "capabilities": 15.0},
		nil, map[string]any{"duration": 20.0, "stereo": false}, []any{1.0, "two", map[string]any{}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

// The inputs that killed the server through go-amf0 get a clean refusal.
func TestHostileInputIsRefused(t *testing.T) {
	huge := append([]byte{markerStrictArray}, 0x7f, 0xff, 0xff, 0xff)
	var deep bytes.Buffer
	for i := 0; i < 1000000; i++ {
		deep.WriteByte(markerObject)
		deep.Write([]byte{0, 1, 'a'})
	}
	long := []byte{markerLongString, 0xff, 0xff, 0xff, 0xf0, 'x'}
	var many bytes.Buffer
	many.WriteByte(markerStrictArray)
	binary.Write(&many, binary.BigEndian, uint32(200000))
	many.Write(bytes.Repeat([]byte{markerNull}, 200000))
	for name, in := range map[string][]byte{"strict array 0x7fffffff": huge, "1e6 nested objects": deep.Bytes(),
		"long string past the end": long, "200000 values": many.Bytes(), "object end alone": {markerObjectEnd},
		"unknown marker": {0x42}, "truncated number": {markerNumber, 1, 2}} {
		_, err := DecodeAll(in, DefaultLimits)
		if err == nil || !strings.Contains(err.Error(), "amf0: at byte") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func FuzzDecodeAll(f *testing.F) {
	f.Add(encode(f, "connect", 1.0, map[string]any{"app": "vod"}))
	f.Add(encode(f, "onMetaData", goamf0.ECMAArray{"duration": 1.0}))
	f.Add(append([]byte{markerStrictArray}, 0x7f, 0xff, 0xff, 0xff))
	f.Add([]byte{markerObject, 0, 1, 'a', markerObject, 0, 1, 'a', markerObject})
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := DecodeAll(b, Limits{MaxDepth: 32, MaxValues: 4096})
		if err == nil && len(b) > 0 && len(vs) == 0 {
			t.Fatal("no value and no error")
		}
	})
}

func TestEncodeIsStableAndDecodable(t *testing.T) {
	meta := ECMAArray{{"duration", 9.96}, {"width", 16}, {"height", 16}, {"framerate", 25}, {"stereo", false}}
	obj := map[string]any{"level": "status", "code": "NetStream.Play.Start", "description": "x", "n": uint32(3)}
	a, err := Encode("onMetaData", meta, obj, nil, []any{1, "two"}, int64(-5))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		b, _ := Encode("onMetaData", meta, obj, nil, []any{1, "two"}, int64(-5))
		if !bytes.Equal(a, b) {
			t.Fatal("two encodings of the same values differ")
		}
	}
	// The ECMA array keeps its order on the wire.
	if i, j := bytes.Index(a, []byte("duration")), bytes.Index(a, []byte("stereo")); i < 0 || j < i {
		t.Fatal("ECMA array order lost")
	}
	got, err := DecodeAll(a, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"onMetaData", map[string]any{"duration": 9.96, "width": 16.0, "height": 16.0, "framerate": 25.0, "stereo": false},
		map[string]any{"level": "status", "code": "NetStream.Play.Start", "description": "x", "n": 3.0}, nil, []any{1.0, "two"}, -5.0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
	// go-amf0 reads what Encode writes.
	dec := goamf0.NewDecoder(bytes.NewReader(a))
	for range want {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
}
