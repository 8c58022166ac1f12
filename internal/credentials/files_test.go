package credentials

import (
	"slices"
	"testing"

	"github.com/moby/patternmatcher"
)

func TestFile(t *testing.T) {
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
		if File(p) == "" {
			t.Errorf("File(%q) = \"\", want a credential", p)
		}
	}
	for _, p := range no {
		if w := File(p); w != "" {
			t.Errorf("File(%q) = %q, want none", p, w)
		}
	}
}

func TestGlobSources(t *testing.T) {
	for p, want := range map[string]bool{
		"id_*": true, "id_rsa*": true, ".env.*": true, ".env*": false, "*.key": true, "certs/*.p12": true, "*.kubeconfig": true,
		".docker/*.json": true, "*/credentials": true, ".aws/*": true,
		"*": false, "*.pem": false, "secrets/*": false, ".*": false, "*.json": false, "src/**": false, "id_*.pub": false, "[": false,
	} {
		if got := Source(p) != ""; got != want {
			t.Errorf("Source(%q) found a credential: %v, want %v", p, got, want)
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
	for _, c := range catalog {
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
			want := File(p) != ""
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
		if got, _ := pm.MatchesOrParentMatches(p); !got || File(p) == "" {
			t.Errorf("%q: excluded %v, credential %q", p, got, File(p))
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
