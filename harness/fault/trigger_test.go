package fault

import "testing"

// TestWhenCounter: a client's trigger fires on its Count-th event and counts no other
// client's; a group's fires only once every member has reached Count, however many events
// one member reports, and never on a client outside the group.
func TestWhenCounter(t *testing.T) {
	one := (&WhenTrigger{Client: "v", Count: 2}).Counter()
	for i, c := range []struct {
		client string
		fired  bool
	}{{"v", false}, {"w", false}, {"w", false}, {"v", true}} {
		if got := one(c.client); got != c.fired {
			t.Fatalf("one client, event %d from %s: fired %v, want %v", i, c.client, got, c.fired)
		}
	}
	group := &WhenTrigger{Client: "p*", Event: "NetStream.Buffer.Full", Count: 2, Members: []string{"p1", "p2", "p3"}}
	count := group.Counter()
	for i, c := range []struct {
		client string
		fired  bool
	}{
		{"p1", false}, {"p1", false}, {"p1", false}, {"p1", false}, // one member, many times
		{"p2", false}, {"q", false}, {"p*", false}, {"p2", false},
		{"p3", false}, {"x", false},
		{"p3", true},
	} {
		if got := count(c.client); got != c.fired {
			t.Fatalf("group, event %d from %s: fired %v, want %v", i, c.client, got, c.fired)
		}
	}
	if got := (&WhenTrigger{Client: "p*", Members: []string{"p1", "p2"}}).Counter()("p1"); got {
		t.Fatal("a group of two fired on its first member's event")
	}
	f := &Fault{When: group}
	if got, want := f.Trigger(), "when every one of the 3 clients of p* has reported NetStream.Buffer.Full 2 times"; got != want {
		t.Fatalf("Trigger() = %q, want %q", got, want)
	}
}
