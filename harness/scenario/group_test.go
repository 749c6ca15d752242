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

// TestFaultWhenEveryMember: a fault's `when` may name a group: it then waits for every member
// (each listed), its event is checked against the members' role, and a name that is neither
// a client nor a group is refused.
func TestFaultWhenEveryMember(t *testing.T) {
	src := strings.Replace(good, "  - name: viewer\n", "  - name: p*\n    count: 3\n", 1)
	src = strings.ReplaceAll(src, "client: viewer", "client: p*")
	src = strings.Replace(src, "faults:\n", "faults:\n  - {name: all, when: {client: p*, event: NetStream.Buffer.Full}, drop: {route: wifi}}\n", 1)
	s, err := Parse("g.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := s.Faults[0]
	if f.Name != "all" || strings.Join(f.When.Members, ",") != "p1,p2,p3" {
		t.Fatalf("fault %q waits for %v, want p1,p2,p3", f.Name, f.When.Members)
	}
	if got := f.Trigger(); got != "when every one of the 3 clients of p* has reported NetStream.Buffer.Full" {
		t.Fatalf("trigger %q", got)
	}
	for _, c := range []struct{ when, want string }{
		{"{client: q*, event: NetStream.Buffer.Full}", `when.client: "q*" is not a defined client or group`},
		{"{client: p*, event: NetStream.Bogus}", `when.event: "NetStream.Bogus" is not an event a client reports`},
	} {
		bad := strings.Replace(src, "when: {client: p*, event: NetStream.Buffer.Full}", "when: "+c.when, 1)
		var got []string
		for _, p := range problems(t, bad) {
			got = append(got, p.String())
		}
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("%s: want %q in\n%s", c.when, c.want, strings.Join(got, "\n"))
		}
	}
}
