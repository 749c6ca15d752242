package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/internal/spec"
)

// validatePaths refuses a checker that judges a client by a fault that can never act on the
// client's path — the fault targets another client, a route the client never takes, or a
// server none of its routes leads to — since its verdict would be about nothing; such a pair
// is kept only as a declared negative control (in expectFailures), whose failure says why.
func (s *Scenario) validatePaths(p spec.Problems) {
	faults := map[string]fault.Target{}
	for _, f := range s.Faults {
		if f.Spec != nil {
			faults[f.Name] = f.Spec.Target()
		}
	}
	for i, e := range s.Expect {
		fj, ok := e.Params.(check.FaultJudge)
		if !ok || len(e.Members) > 0 {
			continue
		}
		client := e.Params.Subject()
		target, known := faults[fj.FaultName()]
		routes := s.routesOf(client)
		if !known || len(routes) == 0 || s.touches(target, client, routes) || s.controlled(e.Name, client) {
			continue
		}
		p.At(fmt.Sprintf("expect[%d]", i)).At(e.Name).Add("fault", "%q acts on %s, never on %s's path (routes %s): its verdict would prove nothing; name %s(%s) in expectFailures to keep it as a negative control",
			fj.FaultName(), where(target), client, strings.Join(routes, ", "), e.Name, client)
	}
}

// routesOf lists the routes a client may take: its own, and those faults switch or move it to.
func (s *Scenario) routesOf(client string) []string {
	c := s.Client(client)
	if c == nil {
		return nil
	}
	out := []string{c.Route}
	for _, f := range s.Faults {
		// A network change (switchRoute, move) targets the client and the route it goes to.
		if f.Spec == nil {
			continue
		}
		if t := f.Spec.Target(); t.Client == client && t.Route != "" && !slices.Contains(out, t.Route) {
			out = append(out, t.Route)
		}
	}
	return out
}

// touches tells whether a fault on target can act on a client taking routes.
func (s *Scenario) touches(t fault.Target, client string, routes []string) bool {
	if t.Client != "" {
		return t.Client == client // a network change acts on its client, whatever the route
	}
	for _, r := range routes {
		if (t.Server == "" && t.Route == r) || (t.Server != "" && t.Server == s.serverOf(r)) {
			return true
		}
	}
	return t.Route == "" && t.Server == ""
}

// serverOf is the server a route leads to.
func (s *Scenario) serverOf(route string) string {
	for _, r := range s.Routes {
		if r.Name == route {
			if r.Server != "" {
				return r.Server
			}
			return s.Server.Names()[0]
		}
	}
	return ""
}

// controlled tells whether checker(client), or the checker as a whole, is a declared control.
func (s *Scenario) controlled(checker, client string) bool {
	for _, n := range append(slices.Clone(s.ExpectFailures), s.ExpectUnknown...) {
		if n == checker || n == checker+"("+client+")" {
			return true
		}
	}
	return false
}

// where names a fault's target for a message.
func where(t fault.Target) string {
	switch {
	case t.Client != "":
		return "client " + t.Client
	case t.Server != "":
		return "server " + t.Server
	}
	return "route " + t.Route
}
