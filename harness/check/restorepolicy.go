package check

import (
	"fmt"
	"math"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameRestorePolicy is the restorePolicy checker's YAML key.
const NameRestorePolicy = "restorePolicy"

// RestorePolicy parameterises the restorePolicy checker: the client's restore attempts follow
// its policy.
type RestorePolicy struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Policy is the client's restore policy, resolved from its options.
	Policy *fakeclient.Restore `yaml:"-" json:"policy,omitempty" jsonschema:"-"`
}

// JSONSchemaAlias documents the checker's parameters with ClientRef's schema.
func (RestorePolicy) JSONSchemaAlias() any { return spec.ClientRef{} }

// Default takes the client's restore policy.
func (c *RestorePolicy) Default(s *Scope) {
	if r := policyOf(s.Client(c.Client)); r != nil {
		cp := *r
		c.Policy = &cp
	}
}

// Validate checks that the client has a restore policy.
func (c *RestorePolicy) Validate(p spec.Problems, s *Scope) {
	if cl := s.Client(c.Client); cl != nil && policyOf(cl) == nil {
		p.Add("client", "%q has no restore policy to check", c.Client)
	}
}

// policyOf is a client's restore timer (nil: none, or a role without one).
func policyOf(opts role.Options) *fakeclient.Restore {
	if r, ok := opts.(interface{ RestorePolicy() *fakeclient.Restore }); ok {
		return r.RestorePolicy()
	}
	return nil
}

// Judge applies the checker.
func (c *RestorePolicy) Judge(h *history.History) Verdict {
	var r fakeclient.Restore
	if c.Policy != nil {
		r = *c.Policy
	}
	return restorePolicy(h, c.Client, r)
}

// restorePolicy checks WCS's restore timer: attempt numbers never pass maxTries, each attempt
// waits at least the timeout (growing by factor with backoff, less jitter) after the failure
// that armed it, numbering restarts after a success, and a policy that ran out ends with a
// terminal FAILED and no attempt after it. A success is an accept that held (see AcceptHold):
// a Publish.Start the server took back at once restored nothing, so attempts are numbered here
// from the history, not taken from the client's own count.
func restorePolicy(h *history.History, client string, r fakeclient.Restore) Verdict {
	v := Verdict{Checker: NameRestorePolicy, Subject: client}
	var problems, evidence []string
	var armed *history.Event
	held := map[[2]int]accept{} // (time, connection) of each accept -> how it went
	for _, a := range accepts(h, client) {
		held[[2]int{int(a.at), a.conn}] = a
	}
	outages, count, maxSeen, failedAt, lastAttempt, lastSuccess := 0, 0, 0, time.Duration(-1), time.Duration(-1), time.Duration(-1)
	for _, e := range h.Judged(client) {
		switch e.Kind {
		case history.KindClientWait:
			ev := e
			armed = &ev
		case history.KindClientAttempt:
			count++
			lastAttempt = e.At
			if failedAt >= 0 {
				problems = append(problems, fmt.Sprintf("attempt %d at %s after the terminal FAILED at %s", count, sec(e.At), sec(failedAt)))
			}
			if count == 1 {
				outages++
			}
			maxSeen = max(maxSeen, count)
			if count > r.MaxTries {
				problems = append(problems, fmt.Sprintf("attempt %d at %s exceeds maxTries %d (counted since the last accept that held)", count, sec(e.At), r.MaxTries))
			}
			if line, early := attemptWait(r, count, armed, e); line != "" {
				if early {
					problems = append(problems, "attempt too early: "+line)
				} else {
					evidence = append(evidence, line)
				}
			}
			armed = nil
		case history.KindClientStatus:
			a, ok := held[[2]int{int(e.At), e.Conn}]
			switch {
			case !ok || e.Code != a.code:
			case a.held:
				count, lastSuccess = 0, e.At
				evidence = append(evidence, fmt.Sprintf("restored at %s (%s held)", sec(e.At), e.Code))
			default:
				evidence = append(evidence, "not a restore: "+a.String())
			}
		case history.KindClientFailed:
			failedAt = e.At
			evidence = append(evidence, fmt.Sprintf("terminal FAILED at %s: %s", sec(e.At), e.Message))
			if count < r.MaxTries {
				problems = append(problems, fmt.Sprintf("FAILED at %s after only %d of %d attempts", sec(e.At), count, r.MaxTries))
			}
		}
	}
	if failedAt < 0 && maxSeen >= r.MaxTries && lastSuccess < lastAttempt {
		// exhausted: the last outage's final attempt must have succeeded, or FAILED must follow
		problems = append(problems, fmt.Sprintf("%d attempts failed and no terminal FAILED followed", maxSeen))
	}
	if len(problems) > 0 {
		return fail(v, problems, evidence)
	}
	if outages == 0 {
		v.Status, v.Message = Unknown, client+" never had to restore"
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("%d outage(s), at most %d of %d attempts, each after its wait", outages, maxSeen, r.MaxTries)
	if failedAt >= 0 {
		v.Message += fmt.Sprintf("; terminal FAILED at %s", sec(failedAt))
	}
	v.Evidence = limit(evidence)
	return v
}

// attemptWait checks the wait before attempt n (e) since the failure that armed it: the
// policy's timeout, grown by its backoff, less its jitter. It returns the evidence line
// ("" when nothing armed it) and whether the attempt came too early.
func attemptWait(r fakeclient.Restore, n int, armed *history.Event, e history.Event) (string, bool) {
	if armed == nil {
		return "", false
	}
	want := r.Timeout.D()
	jitter := 0.0
	if b := r.Backoff; b != nil {
		want = time.Duration(math.Min(float64(want)*math.Pow(b.Factor, float64(n-1)), float64(b.Max.D())))
		jitter = b.Jitter
	}
	least := time.Duration(float64(want)*(1-jitter)) - schedTolerance/3
	wait := e.At - armed.At
	return fmt.Sprintf("attempt %d at %s, %s after the failure (policy %v)", n, sec(e.At), sec(wait), want), wait < least
}
