package history

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleOf is a buffer sample of source on connection conn, at at, holding i ms and played to i s.
func sampleOf(source string, conn, i int) Event {
	return Event{Source: source, Kind: KindClientBuffer, Conn: conn, BufferLength: time.Duration(i) * time.Millisecond,
		Playhead: time.Duration(i) * time.Second, BytesIn: int64(1000 * i)}
}

// samplesOf are every buffer sample of source in h, in the order of h.
func samplesOf(h *History, source string) []Sample {
	var out []Sample
	for _, e := range h.Of(source, KindClientBuffer) {
		out = append(out, e.BufferSamples()...)
	}
	return out
}

// record plays the same recording into r: two players' samples interleaved, p's connection
// changing, p's own statuses, another player's status, a fault, a silence longer than runGap and
// a sample stamped before p's last.
func recordSamples(r *Recorder) {
	at := func(ms int) time.Time { return r.Start().Add(time.Duration(ms) * time.Millisecond) }
	r.RecordAt(at(0), Event{Source: "p", Kind: KindLabClient, Message: "player"})
	r.RecordAt(at(0), Event{Source: "q", Kind: KindLabClient, Message: "player"})
	for i := 0; i < 8; i++ { // p: 0-7 one run, q alongside it
		r.RecordAt(at(250*i), sampleOf("p", 1, i))
		r.RecordAt(at(250*i+10), sampleOf("q", 1, i))
	}
	r.RecordAt(at(1900), Event{Source: "q", Kind: KindClientStatus, Code: "NetStream.Buffer.Empty"}) // q's: p's run goes on
	r.RecordAt(at(2000), sampleOf("p", 1, 8))
	r.RecordAt(at(2050), Event{Source: "p", Kind: KindClientStatus, Code: "NetStream.Buffer.Empty", Conn: 1}) // p's own: ends its run
	r.RecordAt(at(2080), sampleOf("p", 1, 15))
	r.RecordAt(at(2100), Event{Source: "p", Kind: KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1}) // ends p's run
	r.RecordAt(at(2250), sampleOf("p", 2, 9))                                                                       // a new connection
	r.RecordAt(at(2500), sampleOf("p", 2, 10))
	r.RecordAt(at(2600), Event{Source: "drop", Kind: KindFaultStart, Fault: "drop"}) // about no player: ends every run
	r.RecordAt(at(2750), sampleOf("p", 2, 11))
	r.RecordAt(at(2700), sampleOf("p", 2, 12)) // stamped before p's last: a run of its own
	r.RecordAt(at(4000), sampleOf("p", 2, 13)) // after a silence past runGap
	r.RecordAt(at(4250), sampleOf("p", 3, 14)) // another connection
}

// TestSamplesBecomeRuns: a player's consecutive samples on one connection are one event, and
// every sample reads back as it was recorded — the same as from a recording that kept each
// sample an event of its own.
func TestSamplesBecomeRuns(t *testing.T) {
	runs, each := NewRecorder(nil, "x"), NewRecorder(nil, "x")
	each.KeepEveryFrame()
	recordSamples(runs)
	recordSamples(each)
	hr, he := runs.History(), each.History()
	var sizes []int
	for _, e := range hr.Of("p", KindClientBuffer) {
		sizes = append(sizes, len(e.BufferSamples()))
	}
	if want := []int{9, 1, 2, 1, 1, 1, 1}; !slices.Equal(sizes, want) {
		t.Errorf("p's sample runs hold %v samples, want %v", sizes, want)
	}
	if n := len(hr.Of("q", KindClientBuffer)); n != 1 {
		t.Errorf("q's 8 samples are %d events, want 1 run", n)
	}
	for _, who := range []string{"p", "q"} {
		got, want := samplesOf(hr, who), samplesOf(he, who)
		slices.SortStableFunc(got, func(a, b Sample) int { return cmp.Compare(a.At, b.At) })
		if !slices.Equal(got, want) {
			t.Errorf("%s's samples read back as\n%v\nwant\n%v", who, got, want)
		}
	}
	if len(hr.Events) >= len(he.Events) {
		t.Errorf("runs kept %d events, each sample its own %d", len(hr.Events), len(he.Events))
	}
}

// TestSamplesRoundTripJSON: a history with sample runs reads back with every sample, and a
// run read from a file with lists of different lengths gives what they agree on.
func TestSamplesRoundTripJSON(t *testing.T) {
	r := NewRecorder(nil, "x")
	recordSamples(r)
	h := r.History()
	var b strings.Builder
	if err := h.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back History
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	if got, want := samplesOf(&back, "p"), samplesOf(h, "p"); !slices.Equal(got, want) {
		t.Fatalf("read back %v, want %v", got, want)
	}
	if !strings.Contains(b.String(), `"samples":{"after":[0,250000000`) {
		t.Errorf("no run of samples in the JSON:\n%s", b.String())
	}
	odd := Event{Kind: KindClientBuffer, At: time.Second, Samples: &Samples{After: []time.Duration{0, 5}, BufferLengths: []time.Duration{1},
		Playheads: []time.Duration{2, 3}, BytesIn: []int64{4, 5, 6}}}
	if got := odd.BufferSamples(); len(got) != 1 || got[0] != (Sample{At: time.Second, BufferLength: 1, Playhead: 2, BytesIn: 4}) {
		t.Errorf("uneven lists read as %v", got)
	}
	// Recorded again (Compact), such a run is kept as it is and not grown.
	c := NewRecorder(nil, "x")
	c.RecordAt(c.Start().Add(time.Second), odd)
	c.RecordAt(c.Start().Add(time.Second+time.Millisecond), Event{Kind: KindClientBuffer})
	if n := len(c.History().Events); n != 2 {
		t.Errorf("a sample joined an uneven run: %d events", n)
	}
}

// TestPlainSampleSeesEveryField: a buffer sample carrying anything besides its values and
// identity stays an event of its own, for every field of Event.
func TestPlainSampleSeesEveryField(t *testing.T) {
	kept := map[string]bool{"Seq": true, "At": true, "Source": true, "Kind": true, "Conn": true, "Stream": true,
		"BufferLength": true, "Playhead": true, "BytesIn": true, "Samples": true}
	eachFieldSet(t, kept, Event{Kind: KindClientBuffer}, func(name string, e *Event) {
		if plainSample(e) {
			t.Errorf("a buffer sample with %s set would join a run and lose it", name)
		}
	})
	if !plainSample(&Event{Kind: KindClientBuffer, Conn: 1, BufferLength: 1, Playhead: 1, BytesIn: 1}) {
		t.Error("a plain sample is not plain")
	}
}

// TestWaitSeesSamples: a Wait counting a player's samples sees each one, those that grew a
// run included (a fault's when: {event: buffer, count: N}).
func TestWaitSeesSamples(t *testing.T) {
	r := NewRecorder(nil, "x")
	r.RecordAt(r.Start(), sampleOf("p", 1, 0))
	got := make(chan error, 1)
	go func() {
		seen := 0
		_, err := r.Wait(context.Background(), func(e Event) bool {
			if e.Kind == KindClientBuffer {
				seen++
			}
			return seen >= 4
		})
		got <- err
	}()
	for i := 1; i < 4; i++ {
		waiting(t, r)
		r.RecordAt(r.Start().Add(time.Duration(i)*250*time.Millisecond), sampleOf("p", 1, i))
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Wait never counted the 4th sample")
	}
	if n := len(r.History().Events); n != 1 {
		t.Fatalf("%d events, want one run", n)
	}
}
