package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// Made-up credentials of the real formats (random, never issued).
const (
	fakeGitHub = "ghp_NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnA"
	fakeAWS    = "AKIARLYKEI2IIAANNKKS"
	fakeGitLab = "glpat-u9mI4ROnl89Sm995ytbx"
	fakeSlack  = "xoxb-622415499095-etw0tESulEETldq8b8Vw2zbJ"
	fakeOpenAI = "sk-YAxyL1aCcTlN99mhWp708DwGw5HqXDgLVXZx3scB"
	fakeGoogle = "AIza8fnvGNx6jvr7SIftRutlZfOjUStEkUdfMI7"
	fakeRandom = "zcpVMw0qDPAjd6OcZFv1niUK"
	fakeNPM    = "npm_kHD9FSUuErsEz5jhy0I9lO7F3vlfFrGYJ3Gx"
	fakeStripe = "sk_live_eYYXwSLQcWtxJTQr1FqXSTs9"
	fakePAT    = "github_pat_8vPlL2aEJXquQrDs0GPRZwwrPwV81A"
)

func withComments(n spec.Node, cs ...string) spec.Node {
	n.Comments = cs
	return n
}

// securityCases are the checker cases of the credential-file guard, the
// secret-value rules and suppressions (part of checkCases, so that
// TestRulesAreDocumented sees them).
func securityCases() []checkCase {
	return []checkCase{
		{"known credential formats", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "GH", fakeGitHub), argDefault(2, "SAMPLE", "AKIAIOSFODNN7EXAMPLE")}
			s.Steps = []spec.Step{
				&spec.Env{Node: node(4, 3), Vars: []*spec.KeyValue{kv(4, 7, "AWS_ACCESS_KEY_ID", fakeAWS), kv(4, 60, "CI_JOB", fakeGitLab)}},
				run(5, "echo ${GH} ${SAMPLE} && curl -H 'x: "+fakeSlack+"' https://example.com"),
				runExec(6, "tool", fakeOpenAI),
			}
			s.Config.Labels = []*spec.KeyValue{kv(7, 14, "k", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----")}
			s.Config.Cmd = spec.Command{Node: node(8, 3), Shell: str(8, 9, "serve --maps "+fakeGoogle+" "+fakeNPM+" "+fakeStripe+" "+fakePAT)}
		}), []string{
			`Securefile:1:11: a GitHub token in the default of arg "GH" [secret-value]`,
			`Securefile:4:28: an AWS access key id in the value of environment variable "AWS_ACCESS_KEY_ID" [secret-value]`,
			`Securefile:4:70: a GitLab token in the value of environment variable "CI_JOB" [secret-value]`,
			`Securefile:5:44: a Slack token in the run command [secret-value]`,
			`Securefile:6:17: an API secret key (sk-…) in the run command [secret-value]`,
			`Securefile:7:18: a private key in label "k" [secret-value]`,
			`Securefile:8:23: a Google API key in the cmd [secret-value]`,
			`Securefile:8:63: an npm token in the cmd [secret-value]`,
			`Securefile:8:104: a Stripe live key in the cmd [secret-value]`,
			`Securefile:8:137: a GitHub fine-grained token in the cmd [secret-value]`,
		}},
		{"random literals under credential names", app(func(f *spec.File, s *spec.Stage) {
			f.Args = []*spec.Arg{argDefault(1, "SESSION_SECRET", fakeRandom), argDefault(2, "BUILD_ID", fakeRandom)}
			s.Steps = []spec.Step{
				run(4, "echo ${SESSION_SECRET} ${BUILD_ID}; export API_TOKEN="+fakeRandom+"; curl -H \"Authorization: Bearer "+fakeRandom+"\" --password='"+fakeRandom+"'"),
				runExec(5, "deploy", "--token", fakeRandom, "--sha", "sha256:9f86d081884c7d659a2feaa0c55ad015"),
				&spec.Env{Node: node(6, 3), Vars: []*spec.KeyValue{kv(6, 7, "DB_PASSWORD", fakeRandom), kv(6, 50, "VERSION_TOKEN_URL", fakeRandom)}},
			}
			s.Config.Labels = []*spec.KeyValue{kv(7, 14, "org.example.api-key", fakeRandom)}
		}), []string{
			`Securefile:1:23: "SESSION_SECRET" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:4:61: "API_TOKEN" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:4:118: "token" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:4:156: "password" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:5:30: "token" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:6:22: "DB_PASSWORD" is assigned a random-looking literal [high-entropy-secret]`,
			`Securefile:7:37: "org.example.api-key" is assigned a random-looking literal [high-entropy-secret]`,
		}},
		{"credential files", app(func(f *spec.File, s *spec.Stage) {
			glob := copyStep(6, "/keys/", "id_*", "*.pem", "*", "secrets/*", ".env.*")
			allowed := copyStep(7, "/root/", ".npmrc", "README.md")
			allowed.AllowCredentials = boolean(7, 70, true)
			useless := copyStep(8, "/", "README.md")
			useless.AllowCredentials = boolean(8, 70, true)
			fromStage := copyStep(9, "/", ".netrc")
			fromStage.From = imageSrc(9, 30, "alpine")
			bind := run(10, "make")
			bind.Binds = []*spec.Bind{
				{Node: node(11, 5), Path: str(11, 10, ".aws/credentials"), Target: str(11, 40, "/mnt/aws")},
				{Node: node(12, 5), Path: str(12, 10, ".aws/config"), Target: str(12, 40, "/mnt/awsconfig")},
			}
			s.Steps = []spec.Step{
				copyStep(5, "/app/", ".netrc", "id_rsa.pub", "config/.env", ".env.example", "deploy/id_ed25519", ".docker"),
				glob, allowed, useless, fromStage, bind,
			}
		}), []string{
			`Securefile:5:9: copy of credential file ".netrc" [credential-file]`,
			`Securefile:5:33: copy of credential file "config/.env" [credential-file]`,
			`Securefile:5:64: copy of credential file "deploy/id_ed25519" [credential-file]`,
			`Securefile:5:85: copy of credential file ".docker" [credential-file]`,
			`Securefile:6:9: copy of credential file "id_*" [credential-file]`,
			`Securefile:6:44: copy of credential file ".env.*" [credential-file]`,
			`Securefile:7:70: warning: allow-credentials lets credential file ".npmrc" into the stage [credential-file-allowed]`,
			`Securefile:8:70: warning: allow-credentials on a copy of no credential file [credential-file-allowed]`,
			`Securefile:11:10: bind of credential file ".aws/credentials" [credential-file]`,
		}},
		{"suppressions", app(func(f *spec.File, s *spec.Stage) {
			a := argDefault(1, "SESSION_SECRET", fakeRandom)
			a.Node = withComments(a.Node, " securefile:ignore high-entropy-secret,secret-value test fixture, not a credential")
			b := argDefault(2, "OTHER_SECRET", fakeRandom)
			b.Node = withComments(b.Node, "securefile:ignore unused-arg", "securefile:ignore secret-valu", "securefile:ignore credential-file", "securefile:ignore", "securefile:ignored is not one")
			f.Args = []*spec.Arg{a, b}
			f.Header = []string{" securefile:ignore secret-value"}
			r := run(4, "echo ${SESSION_SECRET} ${OTHER_SECRET} "+fakeGitHub)
			r.Node = withComments(r.Node, " securefile:ignore secret-value")
			s.Steps = []spec.Step{r}
			s.Node = withComments(s.Node, "securefile:ignore high-entropy-secret")
			s.Config.Labels = []*spec.KeyValue{kv(3, 40, "token", fakeRandom)}
		}), []string{
			`Securefile:1:1: warning: suppression of "secret-value" applies to no line [unused-suppression]`,
			`Securefile:1:1: warning: unused suppression of "secret-value" [unused-suppression]`,
			`Securefile:2:1: warning: rule "credential-file" cannot be suppressed [unknown-suppression]`,
			`Securefile:2:1: warning: suppression without a rule id [unknown-suppression]`,
			`Securefile:2:1: warning: unknown rule "secret-valu" in suppression [unknown-suppression]`,
			`Securefile:2:1: warning: unused suppression of "unused-arg" [unused-suppression]`,
			`Securefile:2:21: "OTHER_SECRET" is assigned a random-looking literal [high-entropy-secret]`,
		}},
	}
}

// TestDiagnosticsNeverRepeatTheValue: a finding shows at most the first
// four characters of what it found.
func TestDiagnosticsNeverRepeatTheValue(t *testing.T) {
	for _, tc := range securityCases() {
		for _, d := range Check(tc.f) {
			for _, v := range []string{fakeGitHub, fakeAWS, fakeGitLab, fakeSlack, fakeOpenAI, fakeGoogle, fakeRandom, fakeNPM, fakeStripe, fakePAT} {
				if strings.Contains(d.String(), v[:8]) {
					t.Errorf("%s: %s shows %q", tc.name, d.Line(), v[:8])
				}
			}
		}
	}
}

func TestParseSuppression(t *testing.T) {
	for text, want := range map[string][]string{
		" securefile:ignore a,b reason words": {"a", "b"},
		"securefile:ignore\ta":                {"a"},
		"securefile:ignore a,,b,":             {"a", "b"},
	} {
		got, ok := parseSuppression(text)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("parseSuppression(%q) = %q, %v", text, got, ok)
		}
	}
	for _, text := range []string{" just a comment", "securefile:ignored a", "see securefile:ignore a"} {
		if _, ok := parseSuppression(text); ok {
			t.Errorf("parseSuppression(%q) is a suppression", text)
		}
	}
}
