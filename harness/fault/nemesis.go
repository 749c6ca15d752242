package fault

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
)

// Nemesis is a seeded random fault schedule (Jepsen style): Count faults of the listed kinds
// on one route, separated by random gaps in [MinGap, MaxGap]. The same seed gives the same
// schedule.
type Nemesis struct {
	// Seed makes the schedule reproducible; 0 picks one at load time (printed and recorded).
	Seed uint64 `yaml:"seed" json:"seed"`
	// Kinds are drawn from: drop, reset, stall, blackhole, disable.
	Kinds []string `yaml:"kinds" json:"kinds"`
	// Route is the route the faults act on.
	Route string `yaml:"route" json:"route"`
	// Count is the number of faults.
	Count int `yaml:"count" json:"count"`
	// Start is when the first gap begins (default 1s).
	Start spec.Duration `yaml:"start" json:"start,omitempty"`
	// MinGap and MaxGap bound the time between faults.
	MinGap spec.Duration `yaml:"minGap" json:"minGap"`
	MaxGap spec.Duration `yaml:"maxGap" json:"maxGap"`
	// For is how long stall, blackhole and disable last (default 1s).
	For spec.Duration `yaml:"for" json:"for,omitempty"`
}

// NemesisKinds are the fault kinds a nemesis can draw.
var NemesisKinds = []string{"drop", "reset", "stall", "blackhole", "disable"}

// MaxNemesisCount bounds a random schedule.
const MaxNemesisCount = 1000

// nemesisPrefix starts the names of the faults a nemesis schedules.
const nemesisPrefix = "nemesis-"

// Scheduled tells whether a fault was scheduled by a nemesis.
func Scheduled(f Fault) bool { return strings.HasPrefix(f.Name, nemesisPrefix) }

// Default picks a random seed when none is set and fills start and for.
func (n *Nemesis) Default() {
	if n.Seed == 0 {
		n.Seed = rand.Uint64() | 1
	}
	if n.Start == 0 {
		n.Start = spec.Duration(time.Second)
	}
	if n.For == 0 {
		n.For = spec.Duration(time.Second)
	}
}

// Schedule expands the nemesis into faults named nemesis-1, nemesis-2, …
func (n *Nemesis) Schedule() []Fault {
	rng := rand.New(rand.NewPCG(n.Seed, n.Seed^0x5eed))
	at := n.Start.D()
	var out []Fault
	for i := 0; i < n.Count && len(n.Kinds) > 0; i++ {
		gap := n.MinGap.D()
		if span := n.MaxGap.D() - n.MinGap.D(); span > 0 {
			gap += time.Duration(rng.Int64N(int64(span) + 1))
		}
		at += gap
		t := spec.Duration(at)
		ref := RouteRef{Route: n.Route}
		var f Fault
		switch n.Kinds[rng.IntN(len(n.Kinds))] {
		case "drop":
			f = New("", &Drop{RouteRef: ref})
		case "reset":
			f = New("", &Reset{RouteRef: ref})
		case "stall":
			f = New("", &Stall{RouteRef: ref})
			f.For = n.For
		case "blackhole":
			f = New("", &Blackhole{RouteRef: ref})
			f.For = n.For
		case "disable":
			f = New("", &Disable{RouteRef: ref})
			f.For = n.For
		}
		f.Name, f.At = fmt.Sprintf("%s%d", nemesisPrefix, i+1), &t
		out = append(out, f)
		at += f.For.D()
	}
	return out
}

// Reseed returns faults with the nemesis' schedule replaced by the one seed gives (the
// entries the scenario wrote itself are kept).
func (n Nemesis) Reseed(faults []Fault, seed uint64) (Nemesis, []Fault) {
	n.Seed = seed
	var out []Fault
	for _, f := range faults {
		if !Scheduled(f) {
			out = append(out, f)
		}
	}
	return n, append(out, n.Schedule()...)
}

// Describe is the seed and the schedule, as the history records it.
func (n *Nemesis) Describe(faults []Fault) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d:", n.Seed)
	for _, f := range faults {
		if Scheduled(f) && f.At != nil {
			b.WriteString(" " + f.Describe())
		}
	}
	return b.String()
}

// Valid tells whether the nemesis can produce a schedule (routes aside).
func (n *Nemesis) Valid() bool {
	p := spec.NewProblems()
	n.Validate(p, nil)
	return len(p.List()) == 0
}

// Validate reports what is wrong into p (the nemesis' path); routes may be nil to skip the
// route check.
func (n *Nemesis) Validate(p spec.Problems, routes spec.Names) {
	if len(n.Kinds) == 0 {
		p.Add("kinds", "at least one kind is required (known: %s)", strings.Join(NemesisKinds, ", "))
	}
	for i, k := range n.Kinds {
		if !slices.Contains(NemesisKinds, k) {
			p.Add(fmt.Sprintf("kinds[%d]", i), "%q is not a nemesis kind (known: %s)", k, strings.Join(NemesisKinds, ", "))
		}
	}
	if routes != nil && !routes[n.Route] {
		p.Add("route", "%q is not a defined route%s", n.Route, routes.Known())
	}
	if n.Count < 1 || n.Count > MaxNemesisCount {
		p.Add("count", "%d is outside 1..%d", n.Count, MaxNemesisCount)
	}
	if n.MinGap < 0 || n.MaxGap < n.MinGap {
		p.Add("maxGap", "gaps must satisfy 0 <= minGap <= maxGap")
	}
	if n.For < 0 || n.Start < 0 {
		p.Add("for", "durations must not be negative")
	}
}
