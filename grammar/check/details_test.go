package check

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ourorg/securefile/spec"
)

// TestDetails pins the whole text (detail and hint) of a few diagnostics;
// the first is the example of docs/cli.md.
func TestDetails(t *testing.T) {
	f := app(func(f *spec.File, s *spec.Stage) {
		f.Secrets = []*spec.Secret{secret(1, "netrc")}
		r := s.Steps[0].(*spec.Run)
		r.Command.Shell = str(4, 7, "cat ${netrc}")
		r.Secrets = []spec.Value[string]{word(4, 30, "nertc"), word(4, 40, "netrc")}
		s.Steps = append(s.Steps, &spec.Add{Node: node(5, 3), Kind: spec.AddHTTP, URL: str(5, 7, "https://example.com/tool.tar.gz"), Dest: str(5, 45, "/opt/tool.tar.gz")})
	})
	want := `Securefile:4:12: secret "netrc" cannot be interpolated
    ${netrc} names secret "netrc", but no expression reads a secret's value: a secret reaches a step only through a mount of that step, so that it can never end up in args, env, labels, argv or the build definition.
    hint: mount secret "netrc" in the run step that needs it, as a file or an environment variable, and read it there
Securefile:4:30: undefined secret "nertc"
    The run step mounts secret "nertc", but no secret with that name is declared.
    hint: declare a secret named "nertc", or fix the name (did you mean "netrc"?)
Securefile:5:7: missing checksum for "https://example.com/tool.tar.gz"
    An http(s) download must be pinned with a checksum: without one the build takes whatever the server returns that day, so it is neither reproducible nor safe against a changed or compromised server. BuildKit verifies the checksum before the file is used.
    hint: set checksum to "sha256:" followed by the SHA-256 of the file in hex (for example from sha256sum)`
	if diff := cmp.Diff(want, Check(f).String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestNeutralText: no detail or hint shows syntax of either language
// (key = value, tables, blocks), since the checker does not know which
// one the file was written in; and credentials in URLs are never echoed.
func TestNeutralText(t *testing.T) {
	var all spec.Diagnostics
	for _, tc := range checkCases() {
		all = append(all, Check(tc.f)...)
	}
	for _, d := range all {
		text := d.Summary + "\n" + d.Detail + "\n" + d.Hint
		for _, bad := range []string{" = ", "[[", "{ ", "[stage", "[image", ":pw@", "u:p@", "tok@"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s: %q in %q", d.Code, bad, text)
			}
		}
		if d.Summary != strings.ToLower(d.Summary[:1])+d.Summary[1:] || strings.HasSuffix(d.Summary, ".") {
			t.Errorf("%s: summary %q must start lowercase and have no final period", d.Code, d.Summary)
		}
		if !strings.HasSuffix(d.Detail, ".") {
			t.Errorf("%s: detail %q must be full sentences", d.Code, d.Detail)
		}
	}
}

// TestRulesAreDocumented: every code the tests see is in Rules with its
// severity, and every rule but internal-error is exercised by a test case.
func TestRulesAreDocumented(t *testing.T) {
	rules := map[string]Rule{}
	for _, r := range Rules {
		if _, dup := rules[r.Code]; dup {
			t.Errorf("rule %s listed twice", r.Code)
		}
		rules[r.Code] = r
	}
	seen := map[string]bool{}
	for _, tc := range checkCases() {
		for _, d := range Check(tc.f) {
			seen[d.Code] = true
			r, ok := rules[d.Code]
			if !ok {
				t.Errorf("code %s (%s) is not in Rules", d.Code, d.Line())
			} else if r.Severity != d.Severity && d.Code != "invalid-env-name" {
				t.Errorf("code %s is a %s in Rules but reported as a %s", d.Code, r.Severity, d.Severity)
			}
		}
	}
	for _, r := range Rules {
		if !seen[r.Code] && r.Code != "internal-error" {
			t.Errorf("no test case reports %s", r.Code)
		}
	}
}
