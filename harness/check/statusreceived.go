package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

// NameStatusReceived is the statusReceived checker's YAML key.
const NameStatusReceived = "statusReceived"

// StatusReceived parameterises the statusReceived checker.
type StatusReceived struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Code is the status code, e.g. NetStream.Play.Failed.
	Code string `yaml:"code" json:"code"`
}

// Default leaves the parameters as they are.
func (c *StatusReceived) Default(*Scope) {}

// Validate checks that the code is a NetStream or NetConnection status.
func (c *StatusReceived) Validate(p spec.Problems, _ *Scope) {
	if !status.IsStream(c.Code) && !status.IsConnection(c.Code) {
		p.Add("code", "%q is not a NetStream.* or NetConnection.* status code", c.Code)
	}
}

// Judge applies the checker.
func (c *StatusReceived) Judge(h *history.History) Verdict {
	return statusReceived(h, c.Client, c.Code)
}

// statusReceived checks that the client received the status code.
func statusReceived(h *history.History, client, code string) Verdict {
	v := Verdict{Checker: NameStatusReceived, Subject: client}
	seen := map[string]bool{}
	var codes []string
	for _, e := range h.Of(client, history.KindClientStatus) {
		if e.Code == code {
			v.Status, v.Message = Pass, fmt.Sprintf("%s received %s at %s (connection %d)", client, code, sec(e.At), e.Conn)
			return v
		}
		if !seen[e.Code] {
			seen[e.Code] = true
			codes = append(codes, e.Code)
		}
	}
	v.Status = Fail
	v.Message = fmt.Sprintf("%s never received %s", client, code)
	v.Evidence = limit(codes)
	return v
}

// JudgeWire looks for the status among the onStatus messages the wire tap saw delivered to a
// process (NetConnection.Connect.* codes come as command results, which it does not follow).
func (c *StatusReceived) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameStatusReceived, Subject: c.Client}
	seen := map[string]bool{}
	var codes []string
	for _, e := range h.Of(c.Client, history.KindTapStatus) {
		if e.Code == c.Code {
			v.Status, v.Message = Pass, fmt.Sprintf("%s was delivered %s at %s (connection %d)", c.Client, c.Code, sec(e.At), e.Conn)
			return v
		}
		if !seen[e.Code] {
			seen[e.Code] = true
			codes = append(codes, e.Code)
		}
	}
	if status.IsConnection(c.Code) {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s is a process: the wire tap follows onStatus messages, not the connect results that carry %s", c.Client, c.Code)
		return v
	}
	v.Status, v.Message, v.Evidence = Fail, fmt.Sprintf("%s was never delivered %s", c.Client, c.Code), limit(codes)
	return v
}
