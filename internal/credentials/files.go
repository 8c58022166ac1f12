package credentials

import (
	"path"
	"slices"
	"strings"
)

// The credential-file guard. Copying a file like .netrc or id_rsa into a
// stage puts the credential in a layer for good, even when a later step
// deletes it. Two mechanisms keep such files out:
//
//   - statically, a copy or bind of the main context whose source names a
//     credential file is an error (credential-file), unless the copy sets
//     allow-credentials, which is then always reported as a warning
//     (credential-file-allowed), so the opt-out stays visible;
//   - at build time, the lowering excludes every credential file from the
//     main context (ContextExcludes), so a copy of "." or of a directory,
//     which cannot be checked statically, never even receives them.
//
// Both are driven by the one catalog below, and a test checks that the
// exclude patterns match exactly the names the static check recognises.
// The checker (grammar/check) reports the copies and binds; the lowering
// (internal/lower) sends the excludes.

// credential is one kind of well-known credential file.
type credential struct {
	// what names it in diagnostics ("a .netrc file (machine passwords)").
	what string
	// base reports whether a file name (the last path element) is one.
	base func(name string) bool
	// parent, when set, is the directory the file must be in
	// (".docker" for config.json).
	parent string
	// excludes are .dockerignore patterns for the file at any depth.
	excludes []string
	// examples are names of such files, for glob sources (see globHits).
	examples []string
}

func exactly(names ...string) func(string) bool {
	return func(n string) bool { return slices.Contains(names, n) }
}

func anyDepth(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "**/" + n
	}
	return out
}

// envExamples are the .env variants meant to be committed and copied:
// templates without values.
var envExamples = []string{"example", "sample", "template"}

// sshKeyNames are the private key files ssh-keygen writes by default;
// id_rsa_deploy, id_ed25519.old and the like are keys too, the .pub files
// are not.
var sshKeyNames = []string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}

var catalog = []credential{
	{what: "a .netrc file (machine logins and passwords)", base: exactly(".netrc", "_netrc"), excludes: anyDepth(".netrc", "_netrc"), examples: []string{".netrc", "_netrc"}},
	{what: "an .npmrc file (npm registry tokens)", base: exactly(".npmrc"), excludes: anyDepth(".npmrc"), examples: []string{".npmrc"}},
	{what: "a .pypirc file (PyPI passwords and tokens)", base: exactly(".pypirc"), excludes: anyDepth(".pypirc"), examples: []string{".pypirc"}},
	{what: "a .git-credentials file (git passwords and tokens)", base: exactly(".git-credentials"), excludes: anyDepth(".git-credentials"), examples: []string{".git-credentials"}},
	{what: "a .vault-token file (a HashiCorp Vault token)", base: exactly(".vault-token"), excludes: anyDepth(".vault-token"), examples: []string{".vault-token"}},
	{what: "a .pgpass file (PostgreSQL passwords)", base: exactly(".pgpass"), excludes: anyDepth(".pgpass"), examples: []string{".pgpass"}},
	{what: "a .dockercfg file (registry credentials)", base: exactly(".dockercfg"), excludes: anyDepth(".dockercfg"), examples: []string{".dockercfg"}},
	{what: "an .env file (environment secrets)", base: isEnvFile,
		excludes: append(anyDepth(".env"), exceptPatterns("**/.env.", envExamples)...),
		examples: []string{".env", ".env.local", ".env.production"}},
	{what: "an ssh private key", base: isSSHKey, excludes: sshKeyExcludes(), examples: []string{"id_rsa", "id_ed25519", "id_ecdsa", "id_dsa", "id_rsa_deploy"}},
	{what: "a private key file", base: isPrivateKeyFile,
		excludes: anyDepth("*.key", "*.p12", "*.pfx", "*key*.pem", "*priv*.pem"),
		examples: []string{"server.key", "tls.key", "cert.p12", "cert.pfx", "server-key.pem", "private.pem", "privkey.pem"}},
	{what: "a Docker client config (registry credentials)", base: exactly("config.json"), parent: ".docker", excludes: anyDepth(".docker/config.json"), examples: []string{".docker/config.json"}},
	{what: "AWS credentials", base: exactly("credentials"), parent: ".aws", excludes: anyDepth(".aws/credentials"), examples: []string{".aws/credentials"}},
	{what: "a kubeconfig (cluster credentials)", base: exactly("config"), parent: ".kube", excludes: anyDepth(".kube/config"), examples: []string{".kube/config"}},
	{what: "a kubeconfig (cluster credentials)", base: func(n string) bool { return n == "kubeconfig" || strings.HasSuffix(n, ".kubeconfig") },
		excludes: anyDepth("kubeconfig", "*.kubeconfig"), examples: []string{"kubeconfig", "prod.kubeconfig"}},
}

// credentialDirs are directories that hold credentials and nothing a
// build needs: any path inside them, or the directory itself.
var credentialDirs = map[string]string{
	".ssh":   "an ssh directory (private keys)",
	".gnupg": "a GnuPG directory (private keys)",
}

// holdingDirs are directories a catalog file lives in: copying the
// directory itself copies the credential.
var holdingDirs = map[string]string{
	".docker": ".docker/config.json",
	".aws":    ".aws/credentials",
	".kube":   ".kube/config",
}

func isEnvFile(n string) bool {
	if n == ".env" {
		return true
	}
	rest, ok := strings.CutPrefix(n, ".env.")
	return ok && !slices.Contains(envExamples, rest)
}

func isSSHKey(n string) bool {
	if strings.HasSuffix(n, ".pub") {
		return false
	}
	for _, k := range sshKeyNames {
		if strings.HasPrefix(n, k) {
			return true
		}
	}
	return false
}

// isPrivateKeyFile: .key, .p12 and .pfx files hold private keys; a .pem
// file may be a certificate (ca.pem, fullchain.pem), copied all the time,
// so only one whose name says key or priv counts.
func isPrivateKeyFile(n string) bool {
	switch path.Ext(n) {
	case ".key", ".p12", ".pfx":
		return true
	case ".pem":
		stem := strings.TrimSuffix(n, ".pem")
		return strings.Contains(stem, "key") || strings.Contains(stem, "priv")
	}
	return false
}

// exceptPatterns are .dockerignore patterns matching prefix followed by
// anything except exactly one of the words: .dockerignore has no negated
// globs, and a "!" re-include after our excludes would also undo the
// user's own .dockerignore for those files. Built from the trie of the
// words with character classes ([^…], which the pattern matcher passes to
// its regular expression; "/" is in every class so that no pattern
// reaches into a subdirectory).
func exceptPatterns(prefix string, words []string) []string {
	var out []string
	var walk func(sofar string, ws []string)
	walk = func(sofar string, ws []string) {
		var next []byte
		terminal := false
		for _, w := range ws {
			if len(w) == len(sofar) {
				terminal = true
			} else if !slices.Contains(next, w[len(sofar)]) {
				next = append(next, w[len(sofar)])
			}
		}
		if !terminal {
			out = append(out, prefix+sofar)
		}
		if len(next) == 0 {
			out = append(out, prefix+sofar+"?*")
			return
		}
		slices.Sort(next)
		out = append(out, prefix+sofar+"[^/"+string(next)+"]*")
		for _, ch := range next {
			var sub []string
			for _, w := range ws {
				if len(w) > len(sofar) && w[len(sofar)] == ch {
					sub = append(sub, w)
				}
			}
			walk(sofar+string(ch), sub)
		}
	}
	walk("", words)
	return out
}

// sshKeyExcludes match every name starting with a key name and not ending
// in ".pub": one pattern per position of the suffix where a name can first
// differ from it, and the short names that end in a proper part of it.
func sshKeyExcludes() []string {
	const pub = ".pub"
	var out []string
	for _, k := range sshKeyNames {
		p := "**/" + k
		for i := len(pub) - 1; i >= 0; i-- {
			out = append(out, p+"*[^/"+pub[i:i+1]+"]"+pub[i+1:])
			out = append(out, p+pub[i+1:])
		}
	}
	return out
}

// ContextExcludes are the .dockerignore patterns the lowering appends to
// the main context's exclude patterns, so that no credential file of the
// catalog is ever sent to BuildKit.
func ContextExcludes() []string {
	var out []string
	for _, c := range catalog {
		out = append(out, c.excludes...)
	}
	for _, d := range sortedKeys(credentialDirs) {
		out = append(out, "**/"+d)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// File says what credential file the main-context path p is
// (or is inside of), or "" when it is none. p is a plain path (no globs),
// relative to the context or with a leading "/". A path inside a
// directory named like a credential file counts too, as the context
// excludes leave out the whole directory.
func File(p string) string {
	els := pathElems(p)
	for i := range els {
		if what := credentialElem(els[:i+1]); what != "" {
			return what
		}
	}
	if len(els) > 0 {
		if f, ok := holdingDirs[els[len(els)-1]]; ok {
			return "a directory holding " + f
		}
	}
	return ""
}

// credentialElem says what credential the last element of els is.
func credentialElem(els []string) string {
	last := els[len(els)-1]
	if what, ok := credentialDirs[last]; ok {
		return what
	}
	for _, c := range catalog {
		if !c.base(last) {
			continue
		}
		if c.parent != "" && (len(els) < 2 || els[len(els)-2] != c.parent) {
			continue
		}
		return c.what
	}
	return ""
}

func pathElems(p string) []string {
	p = path.Clean("/" + strings.TrimSpace(p))
	if p == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// ordinaryNames are files any project has. A glob source that matches one
// of them (like "*", "*.pem" or "config/*") is not a request for
// credentials; the credential files it could also match are excluded from
// the context anyway. Only a glob that matches credential files and none
// of these (like "id_*" or ".env*"), or a glob inside a directory that
// holds credentials (".aws/*"), is reported.
var ordinaryNames = []string{
	"main.go", "README.md", "package.json", "Makefile", "index.html", "app.py",
	".gitignore", ".dockerignore", ".editorconfig",
	"config", "config.json", "config.yaml", "credentials.md",
	"cert.pem", "ca.pem", "fullchain.pem", ".envrc",
	"src", "docs", "keys.txt",
}

// HasGlob reports whether a source is a glob pattern.
func HasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// globHits says what credential files the glob source p would copy, or ""
// when it is not specific to them (see ordinaryNames).
func globHits(p string) string {
	els := pathElems(p)
	if len(els) == 0 {
		return ""
	}
	last := els[len(els)-1]
	inCredentialDir := false
	for _, e := range els[:len(els)-1] {
		if what, ok := credentialDirs[e]; ok {
			return what
		}
		_, hold := holdingDirs[e]
		inCredentialDir = inCredentialDir || hold
	}
	if !inCredentialDir {
		for _, n := range ordinaryNames {
			if ok, _ := path.Match(last, n); ok {
				return ""
			}
		}
	}
	// Examples with a directory first, so that ".aws/*" is reported as
	// AWS credentials rather than as any file it could also match.
	for _, withDir := range []bool{true, false} {
		for _, c := range catalog {
			for _, ex := range c.examples {
				exEls := strings.Split(ex, "/")
				if (len(exEls) > 1) != withDir || len(exEls) > len(els) {
					continue
				}
				if globMatches(els[len(els)-len(exEls):], exEls) {
					return c.what
				}
			}
		}
	}
	return ""
}

func globMatches(patterns, names []string) bool {
	for i := range names {
		if ok, err := path.Match(patterns[i], names[i]); err != nil || !ok {
			return false
		}
	}
	return true
}

// Source says what credential file a copy or bind source names,
// or "" when none (or when it cannot be told: an interpolated path).
func Source(src string) string {
	if strings.Contains(src, "${") {
		return ""
	}
	if HasGlob(src) {
		return globHits(src)
	}
	return File(src)
}
