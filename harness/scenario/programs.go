package scenario

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Programs lists the programs the scenario runs: those named in requires, those of its
// clients' roles (a process client's program) and of its server subject (nginx, a server
// program).
func (s *Scenario) Programs() []string {
	out := slices.Clone(s.Requires)
	for _, c := range s.Clients {
		if r, ok := c.Options.(interface{ Programs() []string }); ok {
			out = append(out, r.Programs()...)
		}
	}
	out = append(out, s.Server.Programs()...)
	slices.Sort(out)
	return slices.Compact(out)
}

// dirPlaceholder stands for the scenario file's folder in requires.
const dirPlaceholder = "{dir}"

// Missing lists what of the scenario's programs this machine lacks (the subject's as it
// describes them: nginx with its RTMP module), and the files it requires that are not there.
func (s *Scenario) Missing() []string {
	out := s.Server.Missing()
	for _, p := range s.Programs() {
		if slices.Contains(s.Server.Programs(), p) {
			continue
		}
		if rest, file := strings.CutPrefix(p, dirPlaceholder+"/"); file {
			if _, err := os.Stat(filepath.Join(filepath.Dir(s.Path), rest)); err != nil {
				out = append(out, p)
			}
			continue
		}
		if _, err := exec.LookPath(p); err != nil {
			out = append(out, p)
		}
	}
	return out
}
