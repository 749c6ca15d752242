package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness"
)

// Summary is a run on one line: each verdict (checker=status), each client's recovery times
// (recovery(client)=Nms, clients in name order), and each fault that never fired
// (unfired(fault)). The suite and the CLI print it.
func Summary(r *harness.Result) string {
	var parts []string
	for _, v := range r.Verdicts {
		parts = append(parts, fmt.Sprintf("%s=%s", v.Checker, v.Status))
	}
	clients := make([]string, 0, len(r.Recoveries))
	for c := range r.Recoveries {
		clients = append(clients, c)
	}
	slices.Sort(clients)
	for _, c := range clients {
		for _, x := range r.Recoveries[c] {
			parts = append(parts, fmt.Sprintf("recovery(%s)=%dms", c, x.Took.Milliseconds()))
		}
	}
	for _, f := range r.Faults {
		if !f.Fired {
			parts = append(parts, fmt.Sprintf("unfired(%s)", f.Name))
		}
	}
	return strings.Join(parts, " ")
}
