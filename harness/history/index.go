package history

import "sync"

// index holds the positions of the events by source, by kind and by declared client, so
// that checkers look up what they need in time linear in the events.
type index struct {
	n        int // the events indexed (a history appended to since is indexed again)
	bySource map[string]*sourceIndex
	byKind   map[string][]int
	byClient map[string][]int
}

// sourceIndex is where one source's events are.
type sourceIndex struct {
	all    []int
	judged []int            // all but the buffer samples (Judged)
	byKind map[string][]int // all by kind
}

// none is the index of a source without events.
var none = &sourceIndex{}

// source is where source's events are.
func (x *index) source(source string) *sourceIndex {
	if s := x.bySource[source]; s != nil {
		return s
	}
	return none
}

// buildIndex indexes evs, by source on one core and by kind and client on another: checking
// waits for it (a 2,000-player history has 200,000 events).
func buildIndex(evs []Event) *index {
	x := &index{n: len(evs)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		x.bySource = indexSources(evs)
	}()
	x.byKind, x.byClient = map[string][]int{}, map[string][]int{}
	for i := range evs {
		e := &evs[i]
		x.byKind[e.Kind] = append(x.byKind[e.Kind], i)
		if e.Client != "" {
			x.byClient[e.Client] = append(x.byClient[e.Client], i)
		}
	}
	wg.Wait()
	return x
}

// indexSources indexes evs by source.
func indexSources(evs []Event) map[string]*sourceIndex {
	out := map[string]*sourceIndex{}
	for i := range evs {
		e := &evs[i]
		s := out[e.Source]
		if s == nil {
			s = &sourceIndex{byKind: map[string][]int{}}
			out[e.Source] = s
		}
		s.all = append(s.all, i)
		if e.Kind != KindClientBuffer {
			s.judged = append(s.judged, i)
		}
		s.byKind[e.Kind] = append(s.byKind[e.Kind], i)
	}
	return out
}
