package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"

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

func TestCredentialFile(t *testing.T) {
	yes := []string{
		".netrc", "/_netrc", "home/.npmrc", ".pypirc", ".git-credentials", ".vault-token", ".pgpass", ".dockercfg",
		".env", "app/.env.local", ".env.production", "id_rsa", "keys/id_rsa_deploy", "id_ed25519", "id_ecdsa_sk", "id_dsa.old",
		"tls.key", "cert.p12", "a.pfx", "server-key.pem", "privkey.pem", "key.pem",
		".docker/config.json", "home/.aws/credentials", ".kube/config", "kubeconfig", "prod.kubeconfig",
		".ssh", ".ssh/known_hosts", "home/.gnupg/pubring.kbx", ".aws", ".docker", ".kube",
	}
	no := []string{
		".", "/", "src", "README.md", ".env.example", ".env.sample", ".env.template", ".envrc", "env",
		"id_rsa.pub", "id_ed25519_deploy.pub", "cert.pem", "ca.pem", "fullchain.pem", "config.json", "docker/config.json",
		"credentials", "aws/credentials", "config", "kube/config", "keys", "netrc", "key.txt", "monkey.json",
	}
	for _, p := range yes {
		if CredentialFile(p) == "" {
			t.Errorf("CredentialFile(%q) = \"\", want a credential", p)
		}
	}
	for _, p := range no {
		if w := CredentialFile(p); w != "" {
			t.Errorf("CredentialFile(%q) = %q, want none", p, w)
		}
	}
}

func TestGlobSources(t *testing.T) {
	for p, want := range map[string]bool{
		"id_*": true, "id_rsa*": true, ".env.*": true, ".env*": false, "*.key": true, "certs/*.p12": true, "*.kubeconfig": true,
		".docker/*.json": true, "*/credentials": true, ".aws/*": true,
		"*": false, "*.pem": false, "secrets/*": false, ".*": false, "*.json": false, "src/**": false, "id_*.pub": false, "[": false,
	} {
		if got := CredentialSource(p) != ""; got != want {
			t.Errorf("CredentialSource(%q) found a credential: %v, want %v", p, got, want)
		}
	}
}

// TestContextExcludesMatchTheCatalog: the patterns the lowering sends
// with the main context exclude exactly the files the static check calls
// credentials (and everything under a credential directory).
func TestContextExcludesMatchTheCatalog(t *testing.T) {
	pm, err := patternmatcher.New(ContextExcludes())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range credentials {
		names = append(names, c.examples...)
	}
	names = append(names, ordinaryNames...)
	names = append(names,
		".env.", ".env.e", ".env.exampl", ".env.examplex", ".env.s", ".env.t", ".env.x", ".env.templates",
		"id_rsab", "id_rsaub", "id_rsapub", "id_rsa.p", "id_rsa.pu", "id_rsa.pubx", "id_rsa_x.pub", "id_rsa.pub.bak", "id_dsab.pub",
		"id_ed25519-sk", "id_ecdsa.pub", "key.pem", "monkey.pem", "a.key", "b.p12", "notes.txt", ".netrc.bak", "netrc",
		".kube/config", "kube/config", ".aws/config", ".docker/daemon.json",
	)
	for _, n := range names {
		for _, dir := range []string{"", "deep/er/"} {
			p := dir + n
			want := CredentialFile(p) != ""
			got, err := pm.MatchesOrParentMatches(p)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("exclude patterns match %q: %v, static check says credential: %v", p, got, want)
			}
		}
	}
	// Everything inside a directory named like a credential is left out.
	for _, p := range []string{"id_rsa_old/notes.txt", ".env.d/app.conf", ".ssh/config"} {
		if got, _ := pm.MatchesOrParentMatches(p); !got || CredentialFile(p) == "" {
			t.Errorf("%q: excluded %v, credential %q", p, got, CredentialFile(p))
		}
	}
}

func TestExceptPatterns(t *testing.T) {
	got := exceptPatterns("x.", []string{"ab", "c"})
	want := []string{"x.", "x.[^/ac]*", "x.a", "x.a[^/b]*", "x.ab?*", "x.c?*"}
	if !slices.Equal(got, want) {
		t.Errorf("exceptPatterns = %q, want %q", got, want)
	}
}

func TestSecretName(t *testing.T) {
	for _, n := range []string{"GITHUB_TOKEN", "token", "DB_PASSWORD", "passwd", "SESSION_SECRET", "apiKey", "api-key", "X_API_KEY", "SSH_PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "NPM_AUTH_TOKEN", "org.example.token"} {
		if !secretName(n) {
			t.Errorf("secretName(%q) = false", n)
		}
	}
	for _, n := range []string{"KEY_NAME", "AWS_ACCESS_KEY_ID", "PASSWORD_FILE", "TOKEN_URL", "VERSION", "KEY", "PUBLIC_KEY", "MONKEY", "BUILD_ID", "SECRET_PATH"} {
		if secretName(n) {
			t.Errorf("secretName(%q) = true", n)
		}
	}
}

func TestRandomLooking(t *testing.T) {
	for _, v := range []string{fakeRandom, "8iO5YAgkBxjd2AsjD7N2", "3f9a1c77be04d2e58a6c"} {
		if !randomLooking(v) {
			t.Errorf("randomLooking(%q) = false (entropy %.2f)", v, entropy(v))
		}
	}
	for _, v := range []string{"changeme", "correct-horse-battery-staple", "my_super_secret_password", "${GITHUB_TOKEN}", "/run/secrets/password",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "https://example.com/a/b/c", "1.22.3-alpine3.20", "aaaaaaaaaaaaaaaaaaaaaaaa", "AAAABBBBCCCCDDDD1111", "two words here and there"} {
		if randomLooking(v) {
			t.Errorf("randomLooking(%q) = true (entropy %.2f)", v, entropy(v))
		}
	}
}

func TestTokenPlaceholdersAreNotTokens(t *testing.T) {
	for _, v := range []string{"ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "AKIAIOSFODNN7EXAMPLE", "sk-learn-some-very-long-package-name", "task-runner-configuration-thing", "xoxb-xxxxxxxxxx", "ghp_short"} {
		if hits := tokenHits(v); len(hits) > 0 {
			t.Errorf("tokenHits(%q) = %v", v, hits)
		}
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
	if got := mask("ghp_abc"); got != "ghp_…" {
		t.Errorf("mask = %q", got)
	}
	if got := mask("ab"); got != "ab…" {
		t.Errorf("mask = %q", got)
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
