package scenario

import (
	"os/exec"
	"slices"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/nginx"
)

// Programs lists the programs the scenario runs: those named in requires, each process
// client's program, and nginx for an nginx subject.
func (s *Scenario) Programs() []string {
	out := slices.Clone(s.Requires)
	for _, c := range s.Clients {
		if c.Role == fakeclient.RoleProcess && c.Process != nil && len(c.Process.Command) > 0 {
			out = append(out, c.Process.Command[0])
		}
	}
	if s.Server.Kind() == lab.KindNginx {
		out = append(out, "nginx")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Missing lists the programs of the scenario this machine lacks (nginx: with its RTMP module).
func (s *Scenario) Missing() []string {
	var out []string
	for _, p := range s.Programs() {
		if p == "nginx" && s.Server.Nginx != nil {
			if nginx.Available(nginx.Config{Binary: s.Server.Nginx.Binary, Module: s.Server.Nginx.Module}) != nil {
				out = append(out, "nginx with libnginx-mod-rtmp")
			}
			continue
		}
		if _, err := exec.LookPath(p); err != nil {
			out = append(out, p)
		}
	}
	return out
}
