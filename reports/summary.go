package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness"
)

// summaryClients is how many clients' recoveries Summary lists one by one; more are summed up
// as percentiles.
const summaryClients = 8

// Summary is a run on one line: each verdict (checker=status), each client's recovery times
// (recovery(client)=Nms, clients in name order; with more than summaryClients clients
// recovery(N clients)=p50/p95/max), and each fault that never fired (unfired(fault)). The
// suite and the CLI print it.
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
	if len(clients) > summaryClients {
		p50, p95, worst := Percentiles(Recoveries(r))
		parts = append(parts, fmt.Sprintf("recovery(%d clients)=p50 %dms p95 %dms max %dms", len(clients),
			p50.Milliseconds(), p95.Milliseconds(), worst.Milliseconds()))
		clients = nil
	}
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
	if r.HarnessLate() {
		parts = append(parts, "harness-late")
	}
	return strings.Join(parts, " ")
}
