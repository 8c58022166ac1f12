package dsl

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// diagCases are malformed inputs with every diagnostic they must produce,
// as Line() renders it.
var diagCases = []struct {
	name string
	src  string
	want []string
}{
	// Syntax.
	{"stray brace", "stage build from \"x\" {\n  run \"a\"\n}\n}\n", []string{
		"Securefile:4:1: unexpected \"}\"",
	}},
	{"list without comma", "platforms = [\"a\" \"b\"]\n", []string{
		"Securefile:1:18: unexpected string \"b\"",
	}},
	{"double comma", "platforms = [\"a\", , \"b\"]\n", []string{
		"Securefile:1:19: unexpected \",\"",
	}},
	{"missing value", "platforms =\n", []string{
		"Securefile:1:12: expected a value after \"=\"",
	}},
	{"map key without =", "stage s from \"x\" {\n  labels = { a \"1\" }\n}\n", []string{
		"Securefile:2:16: expected \"=\" after \"a\"",
	}},
	{"two settings on a line", "secret x {\n  target = \"a\" mode = \"0400\"\n}\n", []string{
		"Securefile:2:16: unexpected \"mode\"",
	}},
	{"line starting with =", "secret y {\n  = 3\n}\n", []string{
		"Securefile:2:3: unexpected \"=\"",
	}},
	{"line starting with a string", "\"stage\" build from \"x\"\n", []string{
		"Securefile:1:1: unexpected string \"stage\"",
	}},
	{"invalid character", "arg A = \"1\" @\n", []string{
		"Securefile:1:13: unexpected character \"@\"",
	}},
	{"unterminated string", "stage a from \"x\" {\n  run \"x\n  copy \"a\" to \"b\"\n}\n", []string{
		"Securefile:2:7: unterminated string",
	}},
	{"unterminated raw string", "arg A = 'x\n", []string{
		"Securefile:1:9: unterminated raw string",
	}},
	{"unterminated multi-line string", "arg A = \"\"\"abc\n", []string{
		"Securefile:1:9: unterminated multi-line string",
	}},
	{"invalid escape", "arg A = \"a\\qb\"\n", []string{
		"Securefile:1:11: invalid escape sequence \"\\q\"",
	}},
	{"invalid unicode escape", "arg A = \"\\uD800 \\u12\"\n", []string{
		"Securefile:1:10: invalid escape sequence \"\\uD800\"",
		"Securefile:1:17: invalid escape sequence \"\\u12\"",
	}},
	{"invalid number", "secret x {\n  size = 64m\n  uid = 99999999999999999999999\n}\n", []string{
		"Securefile:2:3: unknown key \"size\" in secret \"x\"",
		"Securefile:2:10: invalid number \"64m\"",
		"Securefile:3:9: number 99999999999999999999999 is out of range",
	}},
	{"unclosed block before next stage", "stage a from \"x\" {\n  run \"x\"\n\nstage b from \"y\" {\n  run \"z\"\n}\n", []string{
		"Securefile:1:18: unclosed \"{\"",
	}},
	{"unclosed list at end of file", "platforms = [\"a\",\n", []string{
		"Securefile:1:13: unclosed \"[\"",
	}},
	{"unclosed list inside block", "ssh z { known_hosts = [\"k\", }\n", []string{
		"Securefile:1:23: unclosed \"[\"",
	}},
	{"unclosed map", "stage s from \"x\" {\n  labels = {\n    a = \"1\"\n", []string{
		"Securefile:1:18: unclosed \"{\"",
		"Securefile:2:12: unclosed \"{\"",
	}},
	{"junk after block", "stage a from \"x\" { run \"x\" } junk\n", []string{
		"Securefile:1:30: unexpected \"junk\" after the block",
	}},
	{"too deep", "platforms = " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", []string{
		"Securefile:1:45: too deeply nested",
	}},
	{"independent syntax errors", "platforms = [\"a\" \"b\"]\narg A = \"\\q\"\nsecret x {\n  target = \"a\" 1\n}\nstage s from \"x\" {\n  run [\"a\",, \"b\"]\n  copy \"a\" to \"/b\"\n  env A = \n}\n}\n", []string{
		"Securefile:1:18: unexpected string \"b\"",
		"Securefile:2:10: invalid escape sequence \"\\q\"",
		"Securefile:4:16: unexpected number 1",
		"Securefile:7:12: unexpected \",\"",
		"Securefile:9:10: expected a value after \"=\"",
		"Securefile:11:1: unexpected \"}\"",
	}},

	// Keys and types.
	{"unknown top-level key", "platform = [\"linux/amd64\"]\n", []string{
		"Securefile:1:1: unknown key \"platform\" in the file",
	}},
	{"duplicate platforms", "platforms = [\"a\"]\nplatforms = [\"b\"]\n", []string{
		"Securefile:2:1: duplicate key \"platforms\" in the file",
	}},
	{"platforms not a list", "platforms = \"linux/amd64\"\n", []string{
		"Securefile:1:13: \"platforms\" must be a list of strings",
	}},
	{"statement written as setting", "arg = \"x\"\n", []string{
		"Securefile:1:1: \"arg\" is not a setting",
	}},
	{"arg default not a string", "arg A = 1\narg B = true\n", []string{
		"Securefile:1:9: \"A\" must be a string",
		"Securefile:2:9: \"B\" must be a string",
	}},
	{"quoted arg name", "arg \"A\"\n", []string{
		"Securefile:1:5: expected a name after \"arg\", not a string",
	}},
	{"setting written as statement", "secret netrc {\n  target \"/x\"\n}\n", []string{
		"Securefile:2:10: expected \"=\" after \"target\"",
	}},
	{"unknown key", "secret netrc {\n  targte = \"/x\"\n}\n", []string{
		"Securefile:2:3: unknown key \"targte\" in secret \"netrc\"",
	}},
	{"wrong types", "secret netrc {\n  uid = \"0\"\n  mode = 0400\n  required = yes\n}\n", []string{
		"Securefile:2:9: \"uid\" must be an integer",
		"Securefile:3:10: \"mode\" must be a string",
		"Securefile:4:14: \"required\" must be a boolean (true or false)",
	}},
	{"duplicate key", "secret netrc {\n  id = \"a\"\n  id = \"b\"\n}\n", []string{
		"Securefile:3:3: duplicate key \"id\" in secret \"netrc\"",
	}},
	{"cache without target", "cache gomod\ncache c {\n  from = [\"x\"]\n  target = \"/x\"\n}\n", []string{
		"Securefile:1:1: cache \"gomod\" is missing \"target\"",
		"Securefile:3:10: \"from\" must be a source (an image reference string, a stage or a named context)",
	}},
	{"file step without content", "image app from \"x\" {\n  file \"/a\"\n  file \"/b\" {\n    raw = true\n  }\n}\n", []string{
		"Securefile:2:3: a file step is missing \"content\"",
		"Securefile:3:3: a file step is missing \"content\"",
	}},
	{"stage without from", "stage build {\n}\nimage app\n", []string{
		"Securefile:1:1: stage \"build\" is missing \"from\"",
		"Securefile:3:1: image \"app\" is missing \"from\"",
	}},
	{"stage with bad source", "stage build from {\n}\nstage b from 1\n", []string{
		"Securefile:1:17: expected a source after \"from\"",
		"Securefile:3:14: expected a source after \"from\"",
	}},
	{"default without image", "default app from scratch\n", []string{
		"Securefile:1:9: expected \"image\" after \"default\"",
	}},
	{"list of strings with a number", "stage s from \"x\" {\n  expose = [8080]\n}\n", []string{
		"Securefile:2:13: \"expose\" must be a list of strings",
	}},
	{"duplicate label", "stage s from \"x\" {\n  labels = { a = \"1\", \"a\" = \"2\" }\n}\n", []string{
		"Securefile:2:23: duplicate key \"a\" in labels",
	}},
	{"healthcheck key", "stage s from \"x\" {\n  healthcheck = { cmd = \"x\", retry = 3 }\n  healthcheck = \"x\"\n}\n", []string{
		"Securefile:2:30: unknown key \"retry\" in healthcheck",
		"Securefile:3:3: duplicate key \"healthcheck\" in stage \"s\"",
	}},
	{"stage settings types", "stage s from \"x\" {\n  cmd = 1\n  stop_signal = SIGTERM\n  from = \"y\"\n  labels = { a = 1 }\n}\n", []string{
		"Securefile:2:9: \"cmd\" must be a string (shell form) or a list of strings (exec form)",
		"Securefile:3:17: \"stop_signal\" must be a string",
		"Securefile:4:3: \"from\" is not a setting",
		"Securefile:5:18: \"a\" must be a string",
	}},
	{"copy option keys", "stage s from \"x\" {\n  copy \"a\" to \"/b\" {\n    from = build\n    chmod = 755\n  }\n}\n", []string{
		"Securefile:3:5: unknown key \"from\" in copy step",
		"Securefile:4:13: \"chmod\" must be a string",
	}},

	// Statements.
	{"copy without to", "stage s from \"x\" {\n  copy \"a\"\n}\n", []string{
		"Securefile:2:3: copy is missing \"to\" and the destination",
	}},
	{"copy without destination", "stage s from \"x\" {\n  copy \"a\" to\n}\n", []string{
		"Securefile:2:14: expected a path after \"to\"",
	}},
	{"copy shapes", "stage s from \"x\" {\n  copy to \"/x\"\n  copy \"a\" from to \"/x\"\n  copy \"a\" build to \"/x\"\n  copy \"a\" to \"/x\" \"/y\"\n}\n", []string{
		"Securefile:2:8: expected a path after \"copy\"",
		"Securefile:3:17: expected a source after \"from\"",
		"Securefile:4:12: expected \"to\" or \"from\", found \"build\"",
		"Securefile:5:20: unexpected string \"/y\" after the copy statement",
	}},
	{"add without to", "stage s from \"x\" {\n  add \"https://x\"\n  add git \"u\" from x to \"/y\"\n}\n", []string{
		"Securefile:2:3: add is missing \"to\" and the destination",
		"Securefile:3:20: \"add\" takes no \"from\"",
	}},
	{"unknown step", "stage s from \"x\" {\n  rnu \"make\"\n  COPY \"a\" to \"b\"\n}\n", []string{
		"Securefile:2:3: unknown step \"rnu\"",
		"Securefile:3:3: unknown step \"COPY\"",
	}},
	{"unknown top-level statement", "stag build from \"x\"\nfoo bar\n", []string{
		"Securefile:1:1: unknown statement \"stag\"",
		"Securefile:2:1: unknown statement \"foo\"",
	}},
	{"step at top level", "run \"make\"\n", []string{
		"Securefile:1:1: \"run\" outside a stage",
	}},
	{"env as a setting", "stage s from \"x\" {\n  env = { A = \"1\" }\n  workdir = \"/src\"\n}\n", []string{
		"Securefile:2:3: \"env\" is a step, not a setting",
		"Securefile:3:3: \"workdir\" is a step, not a setting",
	}},
	{"env shapes", "stage s from \"x\" {\n  env A \"1\"\n  env A = \"1\" B = \"2\"\n  env\n  env A = 1\n  env A = \"1\",\n}\n", []string{
		"Securefile:2:9: expected \"=\" after \"A\"",
		"Securefile:3:15: unexpected \"B\" after the value of \"A\"",
		"Securefile:4:6: expected a variable name after \"env\"",
		"Securefile:5:11: \"A\" must be a string",
		"Securefile:6:15: expected a variable name after \",\"",
	}},
	{"setting as a step", "stage s from \"x\" {\n  entrypoint [\"/app\"]\n}\n", []string{
		"Securefile:2:14: expected \"=\" after \"entrypoint\"",
	}},
	{"workdir and user shapes", "stage a from \"x\" {\n  workdir\n  user 1\n  workdir \"/a\" \"/b\"\n  user \"u\" { }\n}\n", []string{
		"Securefile:2:10: expected a string after \"workdir\"",
		"Securefile:3:8: expected a string after \"user\"",
		"Securefile:4:16: unexpected string \"/b\" after the workdir statement",
		"Securefile:5:12: \"user\" takes no block",
	}},
	{"run shapes", "stage a from \"x\" {\n  run\n  run 1\n  run [\"a\", 1]\n  run \"a\" \"b\"\n}\n", []string{
		"Securefile:2:6: expected a command after \"run\"",
		"Securefile:3:7: expected a command after \"run\"",
		"Securefile:4:13: \"run\" must be a string (shell form) or a list of strings (exec form)",
		"Securefile:5:11: unexpected string \"b\" after the run statement",
	}},
	{"run block", "stage s from \"x\" {\n  run \"make\" {\n    secret \"netrc\"\n    mount x\n    secrets = [\"a\"]\n    network \"none\"\n    scurity = \"x\"\n    cache\n  }\n}\n", []string{
		"Securefile:3:12: expected the name of a secret after \"secret\"",
		"Securefile:4:5: unknown statement \"mount\" in run block",
		"Securefile:5:5: \"secrets\" is not a setting",
		"Securefile:6:13: expected \"=\" after \"network\"",
		"Securefile:7:5: unknown key \"scurity\" in run step",
		"Securefile:8:10: expected the name of a cache after \"cache\"",
	}},
	{"mount shapes", "stage s from \"x\" {\n  run \"make\" {\n    bind \".\"\n    tmpfs\n    bind \".\" to \"/x\" { ro = true }\n    tmpfs \"/t\" { size = 64 }\n  }\n}\n", []string{
		"Securefile:3:5: bind is missing \"to\" and the mount target",
		"Securefile:4:10: expected the target path after \"tmpfs\"",
		"Securefile:5:24: unknown key \"ro\" in bind mount",
		"Securefile:6:25: \"size\" must be a string",
	}},
	{"blocks nested too deep", "stage s from \"x\" {\n  run \"a\" {\n    a { b { c { d { e { f { g { h {} } } } } } } }\n    secret s\n  }\n}\n", []string{
		`Securefile:3:5: unknown statement "a" in run block`,
		"Securefile:3:31: too deeply nested",
	}},
	{"declaration shapes", "secret x y\nssh\ncache 1\nimage a from \"x\" extra\n", []string{
		"Securefile:1:10: unexpected \"y\" after the secret statement",
		"Securefile:2:4: expected a name after \"ssh\"",
		"Securefile:3:7: expected a name after \"cache\"",
		"Securefile:4:18: unexpected \"extra\" after the image statement",
	}},
}

func diagCorpus() []string {
	var out []string
	for _, c := range diagCases {
		out = append(out, c.src)
	}
	return out
}

func TestDiagnostics(t *testing.T) {
	for _, tt := range diagCases {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Parse("Securefile", []byte(tt.src))
			var got []string
			for _, d := range diags {
				got = append(got, d.Line())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("source:\n%s\n(-want +got):\n%s\nfull:\n%s", tt.src, diff, diags)
			}
		})
	}
}

func TestDiagnosticCodes(t *testing.T) {
	tests := map[string]string{
		"arg A = \"1\" @\n":                                "syntax",
		"stage s from \"x\" {\n  rnu \"x\"\n}\n":           "unknown-statement",
		"foo\n":                                            "unknown-statement",
		"secret s {\n  tagret = \"/x\"\n}\n":               "unknown-key",
		"secret s {\n  uid = \"1\"\n}\n":                   "wrong-type",
		"cache c\n":                                        "missing-key",
		"stage s {\n}\n":                                   "missing-key",
		"secret s {\n  id = \"a\"\n  id = \"b\"\n}\n":      "duplicate-key",
		"stage s from \"x\" {\n  copy \"a\"\n}\n":          "syntax",
		"stage s from \"x\" {\n  env = { A = \"1\" }\n}\n": "syntax",
	}
	for src, code := range tests {
		_, diags := Parse("Securefile", []byte(src))
		if len(diags) != 1 || diags[0].Code != code || diags[0].Severity != spec.Error {
			t.Errorf("%q: got %v, want one %s error", src, diags, code)
		}
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "\n\n", "  \t\n", "\ufeff"} {
		f, diags := Parse("Securefile", []byte(src))
		if f == nil || len(diags) > 0 {
			t.Errorf("%q: %v %v", src, f, diags)
		}
	}
	if f, _ := Parse("Securefile", nil); f == nil {
		t.Error("nil input gave a nil file")
	}
}

func TestParseConcurrent(t *testing.T) {
	// Parses share the cache of line templates.
	want := spec.Dump(mustParse(t, docExamples))
	done := make(chan string)
	for range 8 {
		go func() {
			f, _ := Parse("Securefile", []byte(docExamples))
			done <- spec.Dump(f)
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Error("concurrent parse differs")
		}
	}
}
