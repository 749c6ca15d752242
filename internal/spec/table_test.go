package spec

import "testing"

type drop struct{ Route string }
type stall struct{ For Duration }

func TestTable(t *testing.T) {
	tab := Table[any]{
		{Key: "drop", Doc: "Drop drops.", New: func() any { return &drop{} }},
		{Key: "stall", Doc: "Stall stalls.", New: func() any { return &stall{} }},
	}
	if e, ok := tab.Lookup("stall"); !ok || e.Doc != "Stall stalls." {
		t.Fatalf("lookup stall: %v %v", e.Key, ok)
	}
	if _, ok := tab.Lookup("Stall"); ok {
		t.Fatal("keys are case-sensitive")
	}
	if k, ok := tab.KeyOf(&stall{}); !ok || k != "stall" {
		t.Fatalf("KeyOf(*stall) = %q %v", k, ok)
	}
	if _, ok := tab.KeyOf(new(Duration)); ok {
		t.Fatal("KeyOf found a type no entry makes")
	}
	if got := tab.KeyTypes(); len(got) != 2 || got[1].Key != "stall" || got[1].Type.String() != "*spec.stall" {
		t.Fatalf("KeyTypes = %v", got)
	}
	for _, c := range []struct{ key, want string }{
		{"stal", `"stal" is not a known fault kind (known: drop, stall); did you mean "stall"?`},
		{"blackhole", `"blackhole" is not a known fault kind (known: drop, stall)`},
	} {
		if got := tab.Unknown("fault kind", c.key); got != c.want {
			t.Errorf("Unknown(%q) = %s, want %s", c.key, got, c.want)
		}
	}
}
