package tomlfile

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// at is what a range covers, with where it starts, for readable checks.
func at(src string, r spec.Range) string {
	if r.IsZero() || r.Start.Byte > r.End.Byte || int(r.End.Byte) > len(src) {
		return fmt.Sprintf("bad range %+v", r)
	}
	return fmt.Sprintf("%d:%d %s", r.Start.Line, r.Start.Column, src[r.Start.Byte:r.End.Byte])
}

func TestPositions(t *testing.T) {
	const src = `[ssh.github]
known_hosts = [
  "a",   # first
  'b',
]

[args]
GREETING = "grüß" # ü
NEXT = "x"

[stage.build]
from = { stage = "base" }

[[stage.build.steps]]
run = """
echo ü
"""
binds = [
  { source = "/out", from = { stage = "build" }, target = "/mnt/out" },
]
env = { "é" = "ü", B = "x" }

[image.app]
default = true
from = "scratch"
labels.title = "t"
`
	f, diags := Parse("f.toml", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	ssh := f.SSH[0]
	build := f.Stages[0]
	run := build.Steps[0].(*spec.Run)
	app := f.Stages[1]
	for _, c := range []struct {
		what string
		r    spec.Range
		want string
	}{
		{"ssh name", ssh.Name.Range, "1:6 github"},
		{"ssh node", ssh.Range, "1:1 [ssh.github]\nknown_hosts = [\n  \"a\",   # first\n  'b',\n]"},
		{"multi-line list", ssh.KnownHosts.Range, "2:15 [\n  \"a\",   # first\n  'b',\n]"},
		{"list item", ssh.KnownHosts.Items[0].Range, `3:3 "a"`},
		{"literal list item", ssh.KnownHosts.Items[1].Range, "4:3 'b'"},
		{"arg", f.Args[0].Range, `8:1 GREETING = "grüß"`},
		{"arg name", f.Args[0].Name.Range, "8:1 GREETING"},
		{"arg default", f.Args[0].Default.Range, `8:12 "grüß"`},
		{"value after multi-byte text", f.Args[1].Default.Range, `9:8 "x"`},
		{"stage node", build.Range, "11:1 " + src[len("[ssh.github]\nknown_hosts = [\n  \"a\",   # first\n  'b',\n]\n\n[args]\nGREETING = \"grüß\" # ü\nNEXT = \"x\"\n\n"):len(src)-len("\n\n[image.app]\ndefault = true\nfrom = \"scratch\"\nlabels.title = \"t\"\n")]},
		{"stage name", build.Name.Range, "11:8 build"},
		{"source table", build.From.Range, `12:8 { stage = "base" }`},
		{"source name", build.From.Name.Range, `12:18 "base"`},
		{"step node", run.Range, "14:1 [[stage.build.steps]]\nrun = \"\"\"\necho ü\n\"\"\"\nbinds = [\n  { source = \"/out\", from = { stage = \"build\" }, target = \"/mnt/out\" },\n]\nenv = { \"é\" = \"ü\", B = \"x\" }"},
		{"multi-line string", run.Command.Shell.Range, "15:7 \"\"\"\necho ü\n\"\"\""},
		{"command", run.Command.Range, "15:7 \"\"\"\necho ü\n\"\"\""},
		{"bind", run.Binds[0].Range, `19:3 { source = "/out", from = { stage = "build" }, target = "/mnt/out" }`},
		{"bind path", run.Binds[0].Path.Range, `19:14 "/out"`},
		{"nested inline source", run.Binds[0].From.Name.Range, `19:39 "build"`},
		{"bind target", run.Binds[0].Target.Range, `19:59 "/mnt/out"`},
		{"env entry", run.Env[0].Range, `21:9 "é" = "ü"`},
		{"quoted key", run.Env[0].Key.Range, `21:9 "é"`},
		{"value after multi-byte keys", run.Env[1].Value.Range, `21:24 "x"`},
		{"default", app.Default.Range, "24:11 true"},
		{"scratch", app.From.Range, `25:8 "scratch"`},
		{"dotted key", app.Config.Labels[0].Range, `26:1 labels.title = "t"`},
		{"dotted key's last part", app.Config.Labels[0].Key.Range, "26:8 title"},
	} {
		if got := at(src, c.r); got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, got, c.want)
		}
	}
	checkRanges(t, src, f)
}

// checkRanges walks a parsed model: every set value, list and node must
// have a range whose line and column agree with its byte offsets.
func checkRanges(t *testing.T, src string, f *spec.File) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	check := func(path string, r spec.Range) {
		if r.IsZero() || r.Filename == "" {
			t.Errorf("%s: no range", path)
			return
		}
		for _, p := range []spec.Pos{r.Start, r.End} {
			if want := posAt([]byte(src), int(p.Byte), bomLen(src)); want != p {
				t.Errorf("%s: position %+v, but its byte offset is at %+v", path, p, want)
			}
		}
	}
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Struct:
			if set := v.FieldByName("Set"); set.IsValid() && !set.Bool() {
				return
			}
			if r, ok := v.Addr().Interface().(*spec.Range); ok {
				check(path, *r)
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).Name == "Node" && v.Type() == reflect.TypeOf(spec.Command{}) && !v.Addr().Interface().(*spec.Command).IsSet() {
					continue
				}
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("File", reflect.ValueOf(f))
}

func bomLen(src string) int {
	if len(src) >= 3 && src[:3] == "\ufeff" {
		return 3
	}
	return 0
}

// TestAllRanges checks the ranges of every model of the parse cases.
func TestAllRanges(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := Parse("f.toml", []byte(c.src))
			if c.src == "" {
				return
			}
			checkRanges(t, c.src, f)
		})
	}
}

// TestDiagnosticRanges: diagnostics point at the key for unknown keys and
// at the value for wrong types, with consistent line, column and offset.
func TestDiagnosticRanges(t *testing.T) {
	const src = "[secret.\"ü\"]\n  \"bögus\" = 1\n  mode = 0o400\n"
	_, diags := Parse("f.toml", []byte(src))
	want := []string{`2:3 "bögus"`, "3:10 0o400"}
	if len(diags) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(diags), len(want), diags)
	}
	for i, d := range diags {
		if got := at(src, d.Range); got != want[i] {
			t.Errorf("got %q, want %q", got, want[i])
		}
	}
}
