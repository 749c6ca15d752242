package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameBandwidthMeasured is the bandwidthMeasured checker's YAML key.
const NameBandwidthMeasured = "bandwidthMeasured"

// BandwidthMeasured parameterises the bandwidthMeasured checker.
type BandwidthMeasured struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Kbps is the expected bandwidth (e.g. a bandwidth toxic's rate: KB/s × 8).
	Kbps float64 `yaml:"kbps" json:"kbps"`
	// Tolerance is the accepted relative error (default 0.2: ±20 %).
	Tolerance *float64 `yaml:"tolerance" json:"tolerance,omitempty"`
}

// Default sets the tolerance to 0.2.
func (c *BandwidthMeasured) Default(*Scope) {
	if c.Tolerance == nil {
		tol := 0.2
		c.Tolerance = &tol
	}
}

// Validate checks the expectation and that the client asks for a bandwidth check.
func (c *BandwidthMeasured) Validate(p spec.Problems, s *Scope) {
	if c.Kbps <= 0 {
		p.Add("kbps", "must be positive")
	}
	if *c.Tolerance <= 0 || *c.Tolerance >= 1 {
		p.Add("tolerance", "%g is outside (0, 1)", *c.Tolerance)
	}
	if cl, ok := s.Client(c.Client).(interface{ BandwidthChecked() bool }); !ok || !cl.BandwidthChecked() {
		p.Add("client", "%q does not set bandwidthCheck: true, so nothing is measured", c.Client)
	}
}

// Judge applies the checker.
func (c *BandwidthMeasured) Judge(h *history.History) Verdict {
	return bandwidthMeasured(h, c.Client, c.Kbps, *c.Tolerance)
}

// bandwidthMeasured checks that the server's bandwidth check, as the client received it in
// onBWDone, is within tolerance (relative) of the expected kbps.
func bandwidthMeasured(h *history.History, client string, kbps, tolerance float64) Verdict {
	v := Verdict{Checker: NameBandwidthMeasured, Subject: client}
	got := h.Of(client, history.KindClientBW)
	if len(got) == 0 {
		v.Status, v.Message = Fail, client+" received no onBWDone (no bandwidth check completed)"
		return v
	}
	m := got[0]
	v.Evidence = []string{fmt.Sprintf("onBWDone at %s: %.0f kbps, latency %s", sec(m.At), m.Kbps, m.Latency)}
	lo, hi := kbps*(1-tolerance), kbps*(1+tolerance)
	if m.Kbps < lo || m.Kbps > hi {
		v.Status = Fail
		v.Message = fmt.Sprintf("measured %.0f kbps, outside %.0f..%.0f (%.0f kbps ±%.0f%%)", m.Kbps, lo, hi, kbps, tolerance*100)
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("measured %.0f kbps, within ±%.0f%% of %.0f kbps", m.Kbps, tolerance*100, kbps)
	return v
}
