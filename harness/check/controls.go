package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/internal/spec"
)

// Controls names the verdicts that must not pass — checkers that must fail (negative
// controls) and checkers that must say unknown (controls for vacuous passes) — each as
// "checker" (every verdict of that checker) or "checker(client)" (that client's verdict), so a
// mutant and a correct client can share a scenario. Every other verdict must pass.
type Controls struct {
	// Failures must fail.
	Failures []string `json:"expectFailures,omitempty"`
	// Unknown must say unknown.
	Unknown []string `json:"expectUnknown,omitempty"`
}

// Problems lists why verdicts do not meet the expectations, with their evidence; empty means
// they do. The suite, the CLI's run and its offline check share this rule.
func (c Controls) Problems(verdicts []Verdict) []string {
	var out []string
	for _, v := range verdicts {
		switch {
		case names(c.Unknown, v) && v.Status != Unknown:
			out = append(out, fmt.Sprintf("%s(%s) was expected to be unknown (its precondition missing) but is %s: %s", v.Checker, v.Subject, v.Status, v.Message))
		case names(c.Unknown, v):
		case names(c.Failures, v) && v.Status != Fail:
			out = append(out, fmt.Sprintf("%s(%s) was expected to fail (negative control) but is %s: %s", v.Checker, v.Subject, v.Status, v.Message))
		case names(c.Failures, v):
		case v.Status != Pass:
			msg := fmt.Sprintf("%s(%s) %s: %s", v.Checker, v.Subject, v.Status, v.Message)
			if len(v.Evidence) > 0 {
				msg += "\n    " + strings.Join(v.Evidence, "\n    ")
			}
			out = append(out, msg)
		}
	}
	return out
}

// names tells whether the list names the verdict: its checker, or its checker and subject.
func names(list []string, v Verdict) bool {
	for _, n := range list {
		if n == v.Checker || n == v.Checker+"("+v.Subject+")" {
			return true
		}
	}
	return false
}

// ValidateControls reports entries of list (at field, e.g. expectFailures) that name no
// expectation of expects.
func ValidateControls(list []string, field string, expects []Expectation, p spec.Problems) {
	for i, n := range list {
		name, client, perClient := strings.Cut(strings.TrimSuffix(n, ")"), "(")
		found := false
		for _, e := range expects {
			if e.Name == name && (!perClient || (e.Params != nil && e.Params.Subject() == client)) {
				found = true
			}
		}
		switch {
		case found:
		case perClient && strings.HasSuffix(n, ")"):
			p.Add(fmt.Sprintf("%s[%d]", field, i), "%q names no checker of this scenario (no %s of client %q)", n, name, client)
		default:
			p.Add(fmt.Sprintf("%s[%d]", field, i), "%q is not one of this scenario's checkers", n)
		}
	}
}

// Expects tells whether the controls name checker (for all its verdicts or one subject's) as
// one that must fail or say unknown.
func (c Controls) Expects(checker string) bool {
	for _, n := range append(slices.Clone(c.Failures), c.Unknown...) {
		if n == checker || strings.HasPrefix(n, checker+"(") {
			return true
		}
	}
	return false
}
