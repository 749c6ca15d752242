package hugeheap

import "testing"

// TestThpDisabledReadsGODEBUG: disablethp set to a number other than 0 turns the advice off;
// 0, other settings and nothing leave it on; the last valid setting wins.
func TestThpDisabledReadsGODEBUG(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                           false,
		"disablethp=1":               true,
		"gctrace=1,disablethp=1":     true,
		"gctrace=1, disablethp=1":    false, // the runtime reads " disablethp" as another name
		"disablethp=0":               false,
		"madvdontneed=1,gctrace=1":   false,
		"xdisablethp=1":              false,
		"disablethp=1,disablethp=0x": true,  // 0x is no number: the 1 stands
		"disablethp=1,disablethp=0":  false, // the last one wins
		"disablethp=2":               true,
	} {
		if got := thpDisabled(godebug); got != want {
			t.Errorf("thpDisabled(%q) = %v, want %v", godebug, got, want)
		}
	}
}

// TestReserveSkipsWhatIsNotWorthIt: a heap below MinReserve, or GODEBUG=disablethp=1, is not
// reserved.
func TestReserveSkipsWhatIsNotWorthIt(t *testing.T) {
	if got := Reserve(MinReserve - 1); got != 0 {
		t.Errorf("Reserve below MinReserve advised %d bytes", got)
	}
	t.Setenv("GODEBUG", "disablethp=1")
	if got := Reserve(MinReserve); got != 0 {
		t.Errorf("Reserve with disablethp=1 advised %d bytes", got)
	}
}
