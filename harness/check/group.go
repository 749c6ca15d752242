package check

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"

	"github.com/streamfault/streamfault/harness/history"
)

// groupNamed bounds how many failing (or unknown) members a group's verdict names in its
// message; the evidence lists every one of them.
const groupNamed = 5

// judgeGroup judges every member of a group with the expectation's parameters and sums them
// up in one verdict: it fails when a member fails (naming them), says unknown when none fails
// and a member's verdict is unknown, and passes when every member passes.
func judgeGroup(h *history.History, e Expectation) Verdict {
	v := Verdict{Checker: e.Name, Subject: e.Params.Subject()}
	var failed, unknown []Verdict
	var first Verdict
	for i, mv := range judgeMembers(h, e) {
		switch mv.Status {
		case Fail:
			failed = append(failed, mv)
		case Unknown:
			unknown = append(unknown, mv)
		}
		if i == 0 {
			first = mv
		}
	}
	n := len(e.Members)
	switch {
	case len(failed) > 0:
		v.Status = Fail
		v.Message = fmt.Sprintf("%d of %d clients failed: %s", len(failed), n, named(failed))
		v.Evidence = limit(lines(append(failed, unknown...)))
	case len(unknown) > 0:
		v.Status = Unknown
		v.Message = fmt.Sprintf("%d of %d clients unknown: %s", len(unknown), n, named(unknown))
		v.Evidence = limit(lines(unknown))
	default:
		v.Status = Pass
		v.Message = fmt.Sprintf("all %d clients passed (%s: %s)", n, first.Subject, first.Message)
	}
	return v
}

// groupWorkers is how many members of a large group are judged at once: one a core (checkers
// only read the history), so that judging 2,000 players does not wait on one core.
func groupWorkers(members int) int {
	if members < 64 {
		return 1
	}
	return min(runtime.GOMAXPROCS(0), members)
}

// judgeMembers judges every member of a group, in the group's order.
func judgeMembers(h *history.History, e Expectation) []Verdict {
	out := make([]Verdict, len(e.Members))
	workers := groupWorkers(len(e.Members))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(e.Members); i += workers {
				out[i] = judge(h, forClient(e.Params, e.Members[i]), e.Name)
			}
		}()
	}
	wg.Wait()
	return out
}

// forClient is a copy of a checker's parameters judging another client (every checker of
// clients names its client in a field Client; one that judges a server is returned as it is).
func forClient(c Checker, client string) Checker {
	src := reflect.ValueOf(c).Elem()
	dst := reflect.New(src.Type())
	dst.Elem().Set(src)
	f := dst.Elem().FieldByName("Client")
	if !f.IsValid() {
		return c
	}
	f.SetString(client)
	return dst.Interface().(Checker)
}

func named(vs []Verdict) string {
	var parts []string
	for i, v := range vs {
		if i == groupNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(vs)-groupNamed))
			break
		}
		parts = append(parts, v.Subject+": "+v.Message)
	}
	return strings.Join(parts, "; ")
}

func lines(vs []Verdict) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
