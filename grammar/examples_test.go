package grammar

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ourorg/securefile/grammar/tomlfile"
	"github.com/ourorg/securefile/spec"
)

// exampleDirs lists ../examples/*, each holding the same build as
// Securefile and Securefile.toml.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	return dirs
}

func loadFile(t *testing.T, path string) *spec.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := Load(filepath.Base(path), src, Detect(path))
	if len(diags) > 0 {
		t.Fatalf("%s:\n%s", path, diags)
	}
	return f
}

// TestExamples: both files of every example are clean (no errors, no
// warnings), already formatted, and describe the same model.
func TestExamples(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var dumps []string
			for _, name := range []string{"Securefile", "Securefile.toml"} {
				path := filepath.Join(dir, name)
				f := loadFile(t, path)
				dumps = append(dumps, spec.Dump(f))
				src, _ := os.ReadFile(path)
				if got := Format(f, Detect(name)); !bytes.Equal(got, src) {
					t.Errorf("%s is not formatted (run securefile fmt -w); diff (-file +fmt):\n%s", path, cmp.Diff(string(src), string(got)))
				}
			}
			if diff := cmp.Diff(dumps[0], dumps[1]); diff != "" {
				t.Errorf("Securefile and Securefile.toml differ (-dsl +toml):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip: DSL → TOML → DSL and TOML → DSL → TOML give the identical
// model, comments included, for every example and every clean golden case.
func TestRoundTrip(t *testing.T) {
	var paths []string
	for _, dir := range exampleDirs(t) {
		paths = append(paths, filepath.Join(dir, "Securefile"), filepath.Join(dir, "Securefile.toml"))
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			f := loadFile(t, path)
			from := Detect(path)
			other := TOML
			if from == TOML {
				other = DSL
			}
			converted := Format(f, other)
			g, diags := Parse("converted", converted, other)
			if diags.HasErrors() {
				t.Fatalf("converted file does not parse:\n%s\n---\n%s", diags, converted)
			}
			back := Format(g, from)
			h, diags := Parse("back", back, from)
			if diags.HasErrors() {
				t.Fatalf("converted back file does not parse:\n%s\n---\n%s", diags, back)
			}
			for _, m := range []*spec.File{g, h} {
				if diff := cmp.Diff(spec.Dump(f), spec.Dump(m)); diff != "" {
					t.Errorf("model changed in conversion (-original +converted):\n%s", diff)
				}
			}
		})
	}
}

// TestSchemaValidatesExamples checks every example's Securefile.toml
// against the generated JSON Schema with an independent validator, and
// that the schema rejects what the parser rejects for keys and types.
func TestSchemaValidatesExamples(t *testing.T) {
	sch := compileSchema(t)
	for _, dir := range exampleDirs(t) {
		path := filepath.Join(dir, "Securefile.toml")
		if err := sch.Validate(tomlAsJSON(t, mustRead(t, path))); err != nil {
			t.Errorf("%s does not validate against the schema:\n%v", path, err)
		}
	}
	for _, bad := range []string{
		"[secret.a]\nmdoe = \"0400\"\n",
		"[secret.a]\nuid = \"0\"\n",
		"[cache.c]\ntarget = \"/c\"\nsharing = \"sometimes\"\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nrun = \"x\"\ncopy = [\"a\"]\n",
		"[image.a]\nfrom = { stages = \"x\" }\n",
		"[bogus]\n",
	} {
		if err := sch.Validate(tomlAsJSON(t, []byte(bad))); err == nil {
			t.Errorf("schema accepts invalid input:\n%s", bad)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(tomlfile.Schema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("securefile.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("securefile.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tomlAsJSON decodes TOML into the plain JSON value the validator takes.
func tomlAsJSON(t *testing.T, src []byte) any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(string(src), &m); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
