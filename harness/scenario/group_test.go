package scenario

import (
	"strings"
	"testing"

	"github.com/streamfault/streamfault/harness/role"
)

// TestClientGroup: an entry with a count becomes that many alike clients named from its
// pattern; a checker naming the pattern judges every member; a fault may name a member.
func TestClientGroup(t *testing.T) {
	src := strings.Replace(good, "  - name: viewer\n", "  - name: p*\n    count: 3\n", 1)
	src = strings.ReplaceAll(src, "client: viewer", "client: p*")
	src += "  - reconnects: {client: p2, count: 1}\n"
	s, err := Parse("g.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range s.Clients {
		names = append(names, c.Name)
		if pl, ok := c.Options.(*role.Player); !ok || pl.BufferTime.D().Seconds() != 3 {
			t.Errorf("%s: options %#v, want a player with the entry's 3s buffer", c.Name, c.Options)
		}
	}
	if strings.Join(names, ",") != "p1,p2,p3" {
		t.Fatalf("clients %v", names)
	}
	if m := s.Expect[0].Members; strings.Join(m, ",") != "p1,p2,p3" {
		t.Fatalf("members of the group's checker: %v", m)
	}
	if m := s.Expect[2].Members; m != nil {
		t.Fatalf("a checker of one member got members %v", m)
	}
}

// TestClientGroupMistakes: every mistake of a group is located.
func TestClientGroupMistakes(t *testing.T) {
	for _, c := range []struct{ entry, want string }{
		{"  - name: p\n    count: 3\n", `clients[0].name: "p": a client with a count needs * once in its name`},
		{"  - name: p*\n", `clients[0].name: "p*": * names the members of a group: give the entry a count`},
		{"  - name: p*\n    count: -1\n", "clients[0].count: must be positive"},
		{"  - name: p*\n    count: 2001\n", "clients: 2001 clients exceed the limit of 2000"},
	} {
		src := strings.Replace(good, "  - name: viewer\n", c.entry, 1)
		var got []string
		for _, p := range problems(t, src) {
			got = append(got, p.String())
		}
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("%q: want %q in\n%s", c.entry, c.want, strings.Join(got, "\n"))
		}
	}
}
