package history

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// largestWrite remembers the largest single write it was given.
type largestWrite struct {
	bytes.Buffer
	max int
}

func (l *largestWrite) Write(p []byte) (int, error) {
	l.max = max(l.max, len(p))
	return l.Buffer.Write(p)
}

func TestWriteJSONStreamsEventByEvent(t *testing.T) {
	r := NewRecorder(nil, "big")
	off := 1.5
	for i := range 50_000 {
		r.Record(Event{Source: "p", Kind: KindTapCommand, Command: "play2", Stream: strings.Repeat("s", 200), Offset: &off, Conn: i%7 + 1})
	}
	h := r.History()
	var out largestWrite
	if err := h.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	if out.Len() < 10<<20 {
		t.Fatalf("expected a history of more than 10 MB, wrote %d bytes", out.Len())
	}
	// Written one event at a time: no write holds more than one event (a whole-file encoder
	// hands over the file in one write).
	if out.max > 4<<10 {
		t.Fatalf("largest write %d bytes of %d: the history was built whole in memory", out.max, out.Len())
	}
	var back History
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("the streamed history does not parse: %v", err)
	}
	if back.Scenario != "big" || back.Version != h.Version || !back.Start.Equal(h.Start) || !reflect.DeepEqual(back.Events, h.Events) {
		t.Fatalf("the streamed history does not read back as written: %d events of %d", len(back.Events), len(h.Events))
	}
	// The same as encoding/json would make of it.
	whole, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var again History
	if err := json.Unmarshal(whole, &again); err != nil || !reflect.DeepEqual(again.Events, back.Events) {
		t.Fatalf("streamed and whole encodings differ (%v)", err)
	}
}

func TestWriteJSONEmptyHistory(t *testing.T) {
	var out bytes.Buffer
	if err := NewRecorder(nil, "none").History().WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var back History
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back.Scenario != "none" || len(back.Events) != 0 {
		t.Fatalf("empty history %q: %v", out.String(), err)
	}
}
