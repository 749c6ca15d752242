package check

import (
	"fmt"
	"math"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
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

// Subject is the client.

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
// terminal FAILED and no attempt after it.
func restorePolicy(h *history.History, client string, r fakeclient.Restore) Verdict {
	v := Verdict{Checker: NameRestorePolicy, Subject: client}
	var problems, evidence []string
	var armed *history.Event
	outages, maxSeen, failedAt := 0, 0, time.Duration(-1)
	for _, e := range h.Of(client) {
		switch e.Kind {
		case history.KindClientWait:
			ev := e
			armed = &ev
		case history.KindClientAttempt:
			if failedAt >= 0 {
				problems = append(problems, fmt.Sprintf("attempt %d at %s after the terminal FAILED at %s", e.Strikes, sec(e.At), sec(failedAt)))
			}
			if e.Strikes == 1 {
				outages++
			}
			maxSeen = max(maxSeen, e.Strikes)
			if e.Strikes > r.MaxTries {
				problems = append(problems, fmt.Sprintf("attempt %d at %s exceeds maxTries %d", e.Strikes, sec(e.At), r.MaxTries))
			}
			want := r.Timeout.D()
			jitter := 0.0
			if b := r.Backoff; b != nil {
				want = time.Duration(math.Min(float64(want)*math.Pow(b.Factor, float64(e.Strikes-1)), float64(b.Max.D())))
				jitter = b.Jitter
			}
			least := time.Duration(float64(want)*(1-jitter)) - schedTolerance/3
			if armed != nil {
				wait := e.At - armed.At
				line := fmt.Sprintf("attempt %d at %s, %s after the failure (policy %v)", e.Strikes, sec(e.At), sec(wait), want)
				if wait < least {
					problems = append(problems, "attempt too early: "+line)
				} else {
					evidence = append(evidence, line)
				}
				armed = nil
			}
		case history.KindClientStatus:
			if e.Code == status.PublishStart || e.Code == status.PlayStart {
				evidence = append(evidence, fmt.Sprintf("restored at %s (%s)", sec(e.At), e.Code))
			}
		case history.KindClientFailed:
			failedAt = e.At
			evidence = append(evidence, fmt.Sprintf("terminal FAILED at %s: %s", sec(e.At), e.Message))
			if maxSeen < r.MaxTries {
				problems = append(problems, fmt.Sprintf("FAILED at %s after only %d of %d attempts", sec(e.At), maxSeen, r.MaxTries))
			}
		}
	}
	if failedAt < 0 && maxSeen >= r.MaxTries {
		// exhausted: the last outage's final attempt must have succeeded, or FAILED must follow
		var lastAttempt, lastSuccess time.Duration = -1, -1
		for _, e := range h.Of(client) {
			if e.Kind == history.KindClientAttempt {
				lastAttempt = e.At
			}
			if e.Kind == history.KindClientStatus && (e.Code == status.PublishStart || e.Code == status.PlayStart) {
				lastSuccess = e.At
			}
		}
		if lastSuccess < lastAttempt {
			problems = append(problems, fmt.Sprintf("%d attempts failed and no terminal FAILED followed", maxSeen))
		}
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
