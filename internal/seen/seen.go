// Package seen is a set of names that one can wait on: a name is added once (by whoever
// observes it: a server's play event, a notification) and waited for until it comes or a
// context ends — no polling.
package seen

import (
	"context"
	"fmt"
	"sync"
)

// Set is a bounded set of names with waiters.
type Set struct {
	limit   int
	mu      sync.Mutex
	names   map[string]bool
	changed chan struct{} // closed and replaced when a name is added
}

// New makes a set that keeps at most limit names (later ones are dropped: a peer choosing the
// names cannot grow it without bound).
func New(limit int) *Set {
	return &Set{limit: limit, names: map[string]bool{}, changed: make(chan struct{})}
}

// Add records name.
func (s *Set) Add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names[name] || len(s.names) >= s.limit {
		return
	}
	s.names[name] = true
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait returns once name has been added, or ctx's error.
func (s *Set) Wait(ctx context.Context, name string) error {
	for {
		s.mu.Lock()
		ok, changed := s.names[name], s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%s never came: %w", name, ctx.Err())
		}
	}
}
