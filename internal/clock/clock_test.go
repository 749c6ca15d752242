package clock

import (
	"testing"
	"time"
)

// manual is a clock the test moves by hand; After records the deadline it was asked for.
type manual struct {
	now       time.Time
	deadlines []time.Time
}

func (m *manual) Now() time.Time { return m.now }

func (m *manual) After(d time.Duration) <-chan time.Time {
	m.deadlines = append(m.deadlines, m.now.Add(d))
	return make(chan time.Time)
}

func TestEveryKeepsItsGrid(t *testing.T) {
	t0 := time.Unix(1000, 0)
	m := &manual{now: t0}
	e := NewEvery(m, 500*time.Millisecond)
	e.Next()
	m.now = t0.Add(530 * time.Millisecond) // woke 30 ms late
	e.Next()
	m.now = t0.Add(1040 * time.Millisecond) // 40 ms late again
	e.Next()
	m.now = t0.Add(2700 * time.Millisecond) // so late that the 2.0 s and 2.5 s slots passed
	e.Next()
	want := []time.Duration{500, 1000, 1500, 3000}
	if len(m.deadlines) != len(want) {
		t.Fatalf("got %d deadlines, want %d", len(m.deadlines), len(want))
	}
	for i, d := range m.deadlines {
		if got := d.Sub(t0); got != want[i]*time.Millisecond {
			t.Errorf("tick %d at %v, want %v (delays must not accumulate; missed slots skipped)", i, got, want[i]*time.Millisecond)
		}
	}
}
