package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/internal/toolcheck"
)

// TestCommittedSchemaIsCurrent fails when scenarios/schema.json no longer matches the Go
// types; regenerate it with `make schema`.
func TestCommittedSchemaIsCurrent(t *testing.T) {
	want, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "schema.json"))
	if err != nil {
		t.Fatalf("%v (generate it with `make schema`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("scenarios/schema.json is stale: run `make schema` and commit it")
	}
}

func TestSchemaDescribesTheModel(t *testing.T) {
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	defs := s["$defs"].(map[string]any)
	faultDef := defs["Fault"].(map[string]any)
	props := faultDef["properties"].(map[string]any)
	for _, k := range append([]string{"at", "after", "when", "atStreamTime", "for"}, fault.Kinds.Keys()...) {
		if _, ok := props[k]; !ok {
			t.Errorf("schema Fault lacks %q", k)
		}
	}
	if faultDef["additionalProperties"] != false {
		t.Error("unknown keys must be refused by the schema too")
	}
	lat := defs["LatencyToxic"].(map[string]any)["properties"].(map[string]any)
	if _, ok := lat["route"]; !ok {
		t.Error("embedded toxic fields must be inlined")
	}
	if !strings.Contains(string(b), "Stall pauses a route in both directions") {
		t.Error("doc comments should become descriptions")
	}
}

// TestBundledScenariosNameTheSchema checks the editor hint in every bundled scenario.
func TestBundledScenariosNameTheSchema(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no bundled scenarios found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "# yaml-language-server: $schema=./schema.json\n") {
			t.Errorf("%s: first line must be '# yaml-language-server: $schema=./schema.json'", f)
		}
	}
}

// TestBundledScenariosMatchSchema validates every bundled scenario against the committed
// schema with an independent JSON Schema validator, so the schema and the loader agree.
func TestBundledScenariosMatchSchema(t *testing.T) {
	schemaPath := filepath.Join("..", "..", "scenarios", "schema.json")
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		js, err := yaml.YAMLToJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not match the schema: %v", f, err)
		}
	}
	// And the schema refuses what the loader refuses: an unknown key, an unknown role, an
	// option of another role.
	for _, bad := range []string{
		`{"name": "x", "bufferTiem": 1}`,
		`{"name": "x", "clients": [{"name": "v", "role": "plyer", "route": "r"}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "player", "route": "r", "stream": "s"}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "viewer", "route": "r", "bitrate": 10}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "player", "route": "r", "process": {"command": ["a"]}}]}`,
		// Closed sets: each value outside its set.
		`{"name": "x", "clients": [{"name": "v", "role": "player", "route": "r", "mutant": "no-bitrate-check"}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "publisher", "route": "r", "stream": "s", "mutant": "resume-from-start"}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "publisher", "route": "r", "stream": "s", "audio": "mp3"}]}`,
		`{"name": "x", "clients": [{"name": "v", "role": "player", "route": "r", "reconnect": {"on": "always"}}]}`,
		`{"name": "x", "server": {"quirks": ["lenient"]}}`,
		`{"name": "x", "faults": [{"at": "1s", "latency": {"route": "r", "latency": "1s", "direction": "sideways"}}]}`,
		`{"server": {}}`, // no name
		`{"name": "x", "path": "elsewhere.yaml"}`, // set by the loader only
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(inst) == nil {
			t.Errorf("the schema accepted %s", bad)
		}
		if _, err := Parse("bad.yaml", []byte(bad)); err == nil {
			t.Errorf("the loader accepted %s", bad)
		}
	}
}

// Every property of the schema has a description, one paragraph per blank line (an editor
// shows each line break of a hard-wrapped doc comment as a paragraph).
func TestSchemaDescribesEveryProperty(t *testing.T) {
	b, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	n := 0
	for def, d := range s.Defs {
		for name, p := range d.Properties {
			n++
			switch {
			case p.Description == "":
				t.Errorf("%s.%s has no description", def, name)
			case strings.Contains(strings.ReplaceAll(p.Description, "\n\n", ""), "\n"):
				t.Errorf("%s.%s is hard-wrapped: %q", def, name, p.Description)
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d properties walked", n)
	}
}

// The committed schema read by a third-party validator (ajv-cli from npm, JSON Schema draft
// 2020-12, strict mode): every bundled scenario is valid, and each broken file — a misspelt
// role, an unknown key, a value outside a closed set, no name, a key only the loader sets — is
// invalid, as the loader says too.
func TestSchemaWithAjv(t *testing.T) {
	ajv := toolcheck.NodeTool(t, filepath.Join("internal", "tools", "consumers"), "ajv")
	schema, err := filepath.Abs(filepath.Join("..", "..", "scenarios", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(data string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, ajv, "validate", "--spec=draft2020", "--strict=true", "--errors=line", "-s", schema, "-d", data).CombinedOutput()
		return string(out), err
	}
	bundled, _ := filepath.Abs(filepath.Join("..", "..", "scenarios"))
	out, err := run(filepath.Join(bundled, "*.yaml"))
	if err != nil || strings.Contains(out, "invalid") || strings.Contains(out, "strict mode") {
		t.Fatalf("ajv on the bundled scenarios: %v\n%s", err, out)
	}
	if n := strings.Count(out, " valid"); n < 80 {
		t.Fatalf("ajv validated %d files:\n%s", n, out)
	}
	dir := t.TempDir()
	broken := map[string]string{
		"plyer":     "name: x\nclients: [{name: v, role: plyer, route: r}]\n",
		"unknown":   "name: x\nbufferTiem: 1\n",
		"mutant":    "name: x\nclients: [{name: v, role: player, route: r, mutant: restore-forever}]\n",
		"direction": "name: x\nfaults: [{at: 1s, latency: {route: r, latency: 1s, direction: sideways}}]\n",
		"quirk":     "name: x\nserver: {quirks: [lenient]}\n",
		"trigger":   "name: x\nclients: [{name: v, role: player, route: r, reconnect: {on: always}}]\n",
		"nameless":  "server: {}\n",
		"path":      "name: x\npath: elsewhere.yaml\n",
	}
	for name, body := range broken {
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(name+".yaml", []byte(body)); err == nil {
			t.Errorf("the loader accepted %s", name)
		}
	}
	out, err = run(filepath.Join(dir, "*.yaml"))
	if err == nil {
		t.Fatalf("ajv accepted every broken file:\n%s", out)
	}
	for name := range broken {
		if !strings.Contains(out, name+".yaml invalid") {
			t.Errorf("ajv did not refuse %s:\n%s", name, out)
		}
	}
}
