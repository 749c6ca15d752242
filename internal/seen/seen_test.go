package seen

import (
	"context"
	"testing"
	"time"
)

// TestWaitAndBound: Wait returns for a name added before or after the call, fails at its
// context for one never added, and the set stops growing at its limit.
func TestWaitAndBound(t *testing.T) {
	s := New(2)
	s.Add("a")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Wait(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- s.Wait(ctx, "b") }()
	s.Add("b")
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	s.Add("c") // past the limit
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if err := s.Wait(short, "c"); err == nil {
		t.Fatal("a name past the limit was kept")
	}
}
