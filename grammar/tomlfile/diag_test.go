package tomlfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diagCases are malformed files with the exact first line (file:line:col:
// summary) of every diagnostic, in order.
var diagCases = []struct {
	name, src string
	want      []string
}{
	{"newline in a string", "a = \"x\nb = 1\n", []string{
		"f.toml:1:5: unterminated string",
	}},
	{"two key/values on one line", "[args]\nA = \"1\" B = \"2\"\n", []string{
		"f.toml:2:8: expected the end of the line, found 'B'",
	}},
	{"unquoted string value", "[secret.x]\ntarget = /root\n", []string{
		"f.toml:2:10: expected a value, found '/'",
	}},
	{"key set twice", "[secret.x]\ntarget = \"/a\"\ntarget = \"/b\"\n", []string{
		"f.toml:3:1: duplicate key \"target\" in secret \"x\"",
	}},
	{"table defined twice", "[secret.x]\n[secret.x]\n", []string{
		"f.toml:2:9: duplicate key \"secret.x\" in the file",
	}},
	{"list without comma", "platforms = [\"a\" \"b\"]\n", []string{
		"f.toml:1:18: expected \",\" or \"]\" in the list, found '\"'",
	}},
	{"unclosed inline table", "[stage.a]\nfrom = { stage = \"b\" \n", []string{
		"f.toml:2:22: expected \",\" or \"}\" in the inline table, found end of file",
	}},
	{"unclosed table header", "[stage.a\nfrom = \"x\"\n", []string{
		"f.toml:1:9: expected \"]\" to end the table header, found '\\n'",
	}},
	{"unclosed array-of-tables header", "[[stage.a.steps]\n", []string{
		"f.toml:1:16: expected \"]]\" to end the table header, found '\\n'",
	}},
	{"invalid escape", "a = \"\\q\"\n", []string{
		"f.toml:1:6: invalid escape '\\q' in a string",
	}},
	{"unterminated multi-line string", "run = \"\"\"\nunterminated\n", []string{
		"f.toml:1:7: unterminated multi-line string",
	}},
	{"unterminated string at end of file", "\n\na = \"unterminated", []string{
		"f.toml:3:5: unterminated string",
	}},
	{"missing key", "= 1\n", []string{
		"f.toml:1:1: missing key before \"=\"",
	}},
	{"invalid date", "x = 1979-13-45\n", []string{
		"f.toml:1:5: invalid datetime: \"1979-13-45\"",
	}},
	{"invalid octal", "x = 0o9\n", []string{
		"f.toml:1:5: not an octal number: '0o9'",
	}},
	{"unknown keys in a secret", "[secret.x]\ntargte = \"/a\"\nmdoe = \"0400\"\n", []string{
		"f.toml:2:1: unknown key \"targte\" in secret \"x\"",
		"f.toml:3:1: unknown key \"mdoe\" in secret \"x\"",
	}},
	{"key of another verb", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nrun = \"x\"\nchecksum = \"sha256:x\"\n", []string{
		"f.toml:6:1: unknown key \"checksum\" in a run step",
	}},
	{"unknown key in an inline table", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nrun = \"x\"\nbinds = [{ sorce = \"/a\", target = \"/b\" }]\n", []string{
		"f.toml:6:12: unknown key \"sorce\" in a bind mount",
	}},
	{"unknown dotted key", "stage.build.from = \"x\"\nstage.build.entrypiont = \"x\"\n", []string{
		"f.toml:2:13: unknown key \"entrypiont\" in stage \"build\"",
	}},
	{"octal mode as an integer", "[secret.x]\nmode = 0o400\n", []string{
		"f.toml:2:8: \"mode\" must be a string",
	}},
	{"wrong scalar types", "[secret.x]\nuid = \"0\"\nrequired = \"yes\"\n", []string{
		"f.toml:2:7: \"uid\" must be an integer",
		"f.toml:3:12: \"required\" must be a boolean (true or false)",
	}},
	{"platforms not a list", "platforms = \"linux/amd64\"\n", []string{
		"f.toml:1:13: \"platforms\" must be a list of strings",
	}},
	{"platforms item not a string", "platforms = [\"linux/amd64\", 1]\n", []string{
		"f.toml:1:29: \"platforms\" must be a list of strings",
	}},
	{"arg defaults not strings", "[args]\nA = 1\nB = true\n", []string{
		"f.toml:2:5: \"A\" must be a string",
		"f.toml:3:5: \"B\" must be a string",
	}},
	{"two verbs", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nrun = \"x\"\ncopy = [\"a\"]\nto = \"/\"\n", []string{
		"f.toml:6:1: step sets both \"run\" and \"copy\"",
		"f.toml:7:1: unknown key \"to\" in a run step",
	}},
	{"no verb", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nto = \"/\"\n", []string{
		"f.toml:4:1: step has no verb",
	}},
	{"copy without to", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\ncopy = [\"a\"]\n", []string{
		"f.toml:4:1: a copy step is missing \"to\"",
	}},
	{"unknown top-level table", "[secrets.x]\n", []string{
		"f.toml:1:2: unknown key \"secrets\" in the file",
	}},
	{"stage without from", "[stage.a]\nplatform = \"x\"\n", []string{
		"f.toml:1:1: stage \"a\" is missing \"from\"",
	}},
	{"cache without target", "[cache.c]\nsharing = \"locked\"\n", []string{
		"f.toml:1:1: cache \"c\" is missing \"target\"",
	}},
	{"unknown source key", "[image.a]\nfrom = { stages = \"x\" }\n", []string{
		"f.toml:2:10: unknown key \"stages\" in a source",
	}},
	{"source with stage and context", "[image.a]\nfrom = { stage = \"x\", context = \"y\" }\n", []string{
		"f.toml:2:23: source sets both \"stage\" and \"context\"",
	}},
	{"empty source table", "[image.a]\nfrom = {}\n", []string{
		"f.toml:2:8: source sets neither \"stage\" nor \"context\"",
	}},
	{"source of the wrong type", "[image.a]\nfrom = 1\n", []string{
		"f.toml:2:8: \"from\" must be a source (an image reference string, a stage or a named context)",
	}},
	{"many mistakes in one stage", "[image.a]\nfrom = \"x\"\nentrypoint = 1\nlabels = { a = 1 }\nhealthcheck = { intervl = \"1s\", retries = \"3\" }\nexpose = [8080]\n", []string{
		"f.toml:3:14: \"entrypoint\" must be a string (shell form) or a list of strings (exec form)",
		"f.toml:4:16: \"a\" must be a string",
		"f.toml:5:17: unknown key \"intervl\" in the healthcheck",
		"f.toml:5:43: \"retries\" must be an integer",
		"f.toml:6:11: \"expose\" must be a list of strings",
	}},
	{"steps not a list", "[image.a]\nfrom = \"x\"\nsteps = \"run x\"\n", []string{
		"f.toml:3:9: \"steps\" must be a list of tables ([[image.a.steps]])",
	}},
	{"steps item not a table", "[image.a]\nfrom = \"x\"\nsteps = [\"run x\"]\n", []string{
		"f.toml:3:10: \"steps\" must be a list of tables ([[image.a.steps]])",
	}},
	{"add of the wrong type", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nadd = 1\nto = \"/\"\n", []string{
		"f.toml:5:7: \"add\" must be a URL string or { git = \"URL\" }",
	}},
	{"add table without git", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nadd = { url = \"x\" }\nto = \"/\"\n", []string{
		"f.toml:5:7: a git source is missing \"git\"",
		"f.toml:5:9: unknown key \"url\" in a git source",
	}},
	{"declaration tables of the wrong type", "secret = \"x\"\nstage = 1\n", []string{
		"f.toml:1:10: \"secret\" must be a table of secrets ([secret.NAME])",
		"f.toml:2:9: \"stage\" must be a table of stages ([stage.NAME])",
	}},
	{"declaration not a table", "[secret]\nnetrc = \"x\"\n", []string{
		"f.toml:2:9: \"netrc\" must be a table ([secret.netrc])",
	}},
	{"floats and dates", "x = 1.5\ny = 1979-05-27\n[secret.s]\nid = 1.5\ntarget = 1979-05-27T07:32:00Z\nenv = [1]\nmode = { a = 1 }\n", []string{
		"f.toml:1:1: unknown key \"x\" in the file",
		"f.toml:2:1: unknown key \"y\" in the file",
		"f.toml:4:6: \"id\" must be a string",
		"f.toml:5:10: \"target\" must be a string",
		"f.toml:6:7: \"env\" must be a string",
		"f.toml:7:8: \"mode\" must be a string",
	}},
	{"inline table extended by a dotted key", "a = { b = 1 }\na.c = 2\n", []string{
		"f.toml:1:1: unknown key \"a\" in the file",
		"f.toml:2:1: duplicate key \"a\" in the file",
	}},
	{"value over an implied table", "[a.b.c]\nx = 1\n[a]\nb = 1\n", []string{
		"f.toml:1:2: unknown key \"a\" in the file",
		"f.toml:4:1: duplicate key \"a.b\" in the file",
	}},
	{"three verbs", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nworkdir = \"/a\"\nuser = \"u\"\nenv = { A = \"1\" }\n", []string{
		"f.toml:6:1: step sets both \"workdir\" and \"user\"",
		"f.toml:7:1: step sets both \"workdir\" and \"env\"",
	}},
	{"tmpfs without target, bind not a table", "[stage.build]\nfrom = \"x\"\n\n[[stage.build.steps]]\nrun = \"x\"\ntmpfs = [{ size = \"1m\" }]\nbinds = [\"x\"]\n", []string{
		"f.toml:6:10: a tmpfs mount is missing \"target\"",
		"f.toml:7:10: \"binds\" must be a list of maps",
	}},
	{"non-ASCII bare key", "[args]\né = \"1\"\n", []string{
		"f.toml:2:1: expected \"=\" after the key, found 'é'",
	}},
	{"multi-byte character before an error", "[args]\nA = \"é\" B\n", []string{
		"f.toml:2:8: expected the end of the line, found 'B'",
	}},
	{"byte order mark", "\ufeff[args]\nA = \"x\" B\n", []string{
		"f.toml:2:8: expected the end of the line, found 'B'",
	}},
	{"steps as a single table", "[stage.a]\nfrom = \"x\"\n[stage.a.steps]\nrun = \"x\"\n", []string{
		"f.toml:3:1: \"steps\" must be a list of tables ([[stage.a.steps]])",
	}},
	{"arg set twice", "[args]\nA = \"1\"\nA = \"2\"\n", []string{
		"f.toml:3:1: duplicate key \"A\" in [args]",
	}},
	{"step key set twice", "[stage.b]\nfrom = \"x\"\n[[stage.b.steps]]\nrun = \"x\"\n[[stage.b.steps]]\nrun = \"x\"\nrun = \"y\"\n", []string{
		"f.toml:7:1: duplicate key \"run\" in step 2 of stage \"b\"",
	}},
	{"label set twice", "[image.app]\nfrom = \"x\"\nlabels = { a = \"1\", a = \"2\" }\n", []string{
		"f.toml:3:21: duplicate key \"labels.a\" in image \"app\"",
	}},
	{"unknown key in a dotted sub-table", "[stage.b]\nfrom = \"x\"\nhealthcheck.cmd = \"x\"\nhealthcheck.retrys = 3\n", []string{
		"f.toml:4:13: unknown key \"retrys\" in the healthcheck",
	}},
	{"dotted key nested too deep", strings.Repeat("a.", 40) + "a = 1\n", []string{
		"f.toml:1:65: nesting too deep",
	}},
	{"arrays nested too deep", "a = " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", []string{
		"f.toml:1:36: nesting too deep",
	}},
	{"typo of a verb", "[stage.b]\nfrom = \"x\"\n[[stage.b.steps]]\nrnu = \"x\"\n", []string{
		"f.toml:3:1: step has no verb",
		"f.toml:4:1: unknown key \"rnu\" in a step",
	}},
	{"wrong type of a verb's value", "[stage.b]\nfrom = \"x\"\n[[stage.b.steps]]\nworkdir = [\"/a\"]\n[[stage.b.steps]]\nenv = \"A=1\"\n[[stage.b.steps]]\nrun = 1\n", []string{
		"f.toml:4:11: \"workdir\" must be a string",
		"f.toml:6:7: \"env\" must be a map of strings",
		"f.toml:8:7: \"run\" must be a string (shell form) or a list of strings (exec form)",
	}},
	// BurntSushi places these at the start of the string or comment; the
	// position is the bad byte's (issue 11).
	{"invalid UTF-8 in a string", "[stage.a]\nfrom = \"x\"\n[[stage.a.steps]]\nrun = \"echo \xff\xfe > /x\"\n", []string{
		"f.toml:4:13: invalid UTF-8 byte 0xff",
	}},
	{"invalid UTF-8 after a multi-byte character", "[args]\nA = \"é\xe9\"\n", []string{
		"f.toml:2:7: invalid UTF-8 byte 0xe9",
	}},
	{"invalid UTF-8 in a comment", "x = 1 # c\xff\n", []string{
		"f.toml:1:10: invalid UTF-8 byte 0xff",
	}},
	{"invalid UTF-8 lines into a multi-line string", "[args]\nA = \"\"\"\none\ntwo \xc0\n\"\"\"\n", []string{
		"f.toml:4:5: invalid UTF-8 byte 0xc0",
	}},
	{"invalid UTF-8 after a byte order mark", "\ufeffA = 'x\x80'\n", []string{
		"f.toml:1:7: invalid UTF-8 byte 0x80",
	}},
}

func TestDiagnostics(t *testing.T) {
	for _, c := range diagCases {
		t.Run(c.name, func(t *testing.T) {
			f, diags := Parse("f.toml", []byte(c.src))
			if f == nil {
				t.Fatal("nil file")
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.Line())
				if d.Detail == "" || d.Code == "" {
					t.Errorf("%s: no detail or code", d.Line())
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiagnosticText checks whole diagnostics, detail and hint included.
func TestDiagnosticText(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"[secret.x]\nmode = 0o400\n", `f.toml:2:8: "mode" must be a string
    "mode" takes a string, but an integer was written.
    hint: write the mode as a quoted octal string, for example "0400"`},
		{"[secret.x]\nmdoe = \"0400\"\n", `f.toml:2:1: unknown key "mdoe" in secret "x"
    Secret "x" takes the keys id, target, env, mode, uid, gid, required and rotate.
    hint: did you mean "mode"?`},
		{"[stage.b]\nfrom = \"x\"\n[[stage.b.steps]]\nrun = \"x\"\nchecksum = \"y\"\n", `f.toml:5:1: unknown key "checksum" in a run step
    A run step takes the keys run, secrets, ssh, caches, binds, tmpfs, env, network, security and devices.`},
		// The verbs are those of spec.StepKinds (the goldens of package
		// grammar spell them out).
		{"[stage.b]\nfrom = \"x\"\n[[stage.b.steps]]\nrun = \"x\"\ncopy = [\"a\"]\n", `f.toml:5:1: step sets both "run" and "copy"
    A step does one thing: it sets exactly one of ` + verbList + `.
    hint: move "copy" to a step of its own`},
		{"[args]\nA = \"x\nB = \"y\"\n", `f.toml:2:5: unterminated string
    The file is not valid TOML: strings cannot contain newlines.
    hint: write text over several lines as """…"""`},
		{"[secret.x]\nid = \"a\"\nid = \"b\"\n", `f.toml:3:1: duplicate key "id" in secret "x"
    "id" was already set in secret "x" at f.toml:2:1; a key may be set once.
    hint: remove one of them`},
		{"[args]\nA = \"caf\xe9\"\n", `f.toml:2:9: invalid UTF-8 byte 0xe9
    A Securefile.toml is UTF-8 text, as TOML requires, and byte 0xe9 is not part of a UTF-8 character: the file was saved in another encoding (such as Latin-1 or UTF-16), or it is not a text file.
    hint: save the file as UTF-8 (iconv -f latin1 -t utf-8 converts Latin-1); in a "basic string", a character can also be written as an escape such as \u00E9`},
	} {
		_, diags := Parse("f.toml", []byte(c.src))
		if diff := cmp.Diff(c.want, diags.String()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", c.src, diff)
		}
	}
	_, diags := Parse("f.toml", []byte("[args]\nA = \"x\" B\n"))
	if len(diags) != 1 || diags[0].Code != "syntax" {
		t.Errorf("a TOML error must have code syntax: %v", diags)
	}
}
