package history

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSortEventsIsAStableSortByTimeThenSeq: the key sort with events moved in place orders
// like a stable sort of the events themselves, ties (same time and arrival, the pieces of a
// cut run) in their order, whatever the permutation; a sorted history is unchanged.
func TestSortEventsIsAStableSortByTimeThenSeq(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 50; round++ {
		n := rng.IntN(400)
		evs := make([]Event, n)
		for i := range evs {
			evs[i] = Event{At: time.Duration(rng.IntN(20)) * time.Millisecond, Seq: rng.IntN(30), Message: fmt.Sprint(i)}
		}
		want := slices.Clone(evs)
		slices.SortStableFunc(want, func(a, b Event) int {
			if a.At != b.At {
				return int(a.At - b.At)
			}
			return a.Seq - b.Seq
		})
		got := slices.Clone(evs)
		sortEvents(got)
		for i := range want {
			if got[i].Message != want[i].Message {
				t.Fatalf("round %d: position %d holds event %s, want %s", round, i, got[i].Message, want[i].Message)
			}
		}
		sortEvents(got)
		for i := range want {
			if got[i].Message != want[i].Message {
				t.Fatalf("round %d: sorting a sorted history moved event %s", round, got[i].Message)
			}
		}
	}
}

// TestMergePiecesIsAStableSortOfBoth: merging pieces into a history in order gives what
// appending them and sorting the whole again gave, ties after the history's own events.
func TestMergePiecesIsAStableSortOfBoth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 100; round++ {
		evs := make([]Event, rng.IntN(300))
		for i := range evs {
			evs[i] = Event{At: time.Duration(rng.IntN(20)) * time.Millisecond, Seq: rng.IntN(30), Message: fmt.Sprint("e", i)}
		}
		sortEvents(evs)
		pieces := make([]Event, rng.IntN(40))
		for i := range pieces {
			pieces[i] = Event{At: time.Duration(rng.IntN(22)) * time.Millisecond, Seq: rng.IntN(30), Message: fmt.Sprint("p", i)}
		}
		want := append(slices.Clone(evs), pieces...)
		sortEvents(want)
		got := mergePieces(slices.Clip(slices.Clone(evs)), slices.Clone(pieces))
		if len(got) != len(want) {
			t.Fatalf("round %d: %d events, want %d", round, len(got), len(want))
		}
		for i := range want {
			if got[i].Message != want[i].Message {
				t.Fatalf("round %d: position %d holds %s, want %s", round, i, got[i].Message, want[i].Message)
			}
		}
	}
}
