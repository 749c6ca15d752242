package history

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The index answers as a scan of every event would, source by source, kind by kind and
// client by client, for names with and without events.
func TestIndexAgreesWithAScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sources := []string{"a", "b", "c", "server"}
	kinds := []string{KindClientStatus, KindClientBuffer, KindClientReceived, KindServerPlay}
	clients := []string{"", "", "a", "b"}
	h := &History{}
	for i := range 3000 {
		h.Events = append(h.Events, Event{Seq: i, Source: sources[rng.IntN(4)], Kind: kinds[rng.IntN(4)], Client: clients[rng.IntN(4)]})
	}
	seqs := func(evs []Event) []int {
		out := []int{}
		for _, e := range evs {
			out = append(out, e.Seq)
		}
		return out
	}
	scan := func(keep func(Event) bool) []int {
		out := []int{}
		for _, e := range h.Events {
			if keep(e) {
				out = append(out, e.Seq)
			}
		}
		return out
	}
	for _, s := range append(sources, "nobody") {
		if got, want := seqs(h.Of(s)), scan(func(e Event) bool { return e.Source == s }); !slices.Equal(got, want) {
			t.Fatalf("Of(%s): %d events, want %d", s, len(got), len(want))
		}
		if got, want := seqs(h.Judged(s)), scan(func(e Event) bool { return e.Source == s && e.Kind != KindClientBuffer }); !slices.Equal(got, want) {
			t.Fatalf("Judged(%s): %d events, want %d", s, len(got), len(want))
		}
		for _, k := range kinds {
			if got, want := seqs(h.Of(s, k)), scan(func(e Event) bool { return e.Source == s && e.Kind == k }); !slices.Equal(got, want) {
				t.Fatalf("Of(%s, %s): %d events, want %d", s, k, len(got), len(want))
			}
		}
		two := func(e Event) bool { return e.Source == s && (e.Kind == kinds[0] || e.Kind == kinds[2]) }
		if got, want := seqs(h.Of(s, kinds[0], kinds[2])), scan(two); !slices.Equal(got, want) {
			t.Fatalf("Of(%s, two kinds): %d events, want %d", s, len(got), len(want))
		}
	}
	for _, k := range kinds {
		if got, want := seqs(h.Kind(k)), scan(func(e Event) bool { return e.Kind == k }); !slices.Equal(got, want) {
			t.Fatalf("Kind(%s): %d events, want %d", k, len(got), len(want))
		}
	}
	for _, c := range []string{"a", "b", "nobody"} {
		if got, want := seqs(h.Declared(c)), scan(func(e Event) bool { return e.Client == c }); !slices.Equal(got, want) {
			t.Fatalf("Declared(%s): %d events, want %d", c, len(got), len(want))
		}
	}
	// Appended to, the history is indexed again.
	h.Events = append(h.Events, Event{Seq: 3000, Source: "late", Kind: KindClientStatus})
	if got := seqs(h.Of("late")); !slices.Equal(got, []int{3000}) {
		t.Fatalf("Of(late) after an append: %v", got)
	}
}
