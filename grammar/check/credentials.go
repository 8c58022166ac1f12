package check

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ourorg/securefile/spec"
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

var credentials = []credential{
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
	for _, c := range credentials {
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

// CredentialFile says what credential file the main-context path p is
// (or is inside of), or "" when it is none. p is a plain path (no globs),
// relative to the context or with a leading "/". A path inside a
// directory named like a credential file counts too, as the context
// excludes leave out the whole directory.
func CredentialFile(p string) string {
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
	for _, c := range credentials {
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

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

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
		for _, c := range credentials {
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

// CredentialSource says what credential file a copy or bind source names,
// or "" when none (or when it cannot be told: an interpolated path).
func CredentialSource(src string) string {
	if strings.Contains(src, "${") {
		return ""
	}
	if hasMeta(src) {
		return globHits(src)
	}
	return CredentialFile(src)
}

const credentialHint = `declare the file as a secret whose target is the path the tools read (such as "/root/.netrc"), list that secret in the secrets of the run step that needs it, and pass it with --secret id=NAME,src=PATH (docs/language.md, "Security rules", shows both syntaxes); if the file really must be in the image, set allow-credentials to true on the copy`

// checkCredentialFiles applies the guard to every copy and bind of the
// main context.
func (c *checker) checkCredentialFiles() {
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			switch st := st.(type) {
			case *spec.Copy:
				if st != nil && isContext(st.From) {
					c.copyCredentials(st, or(st.Range, s.Range, c.fileRange))
				}
			case *spec.Run:
				if st == nil {
					continue
				}
				for _, b := range st.Binds {
					if b != nil && isContext(b.From) && b.Path.Set {
						c.bindCredentials(b, or(b.Range, st.Range, s.Range, c.fileRange))
					}
				}
			case *spec.Add, *spec.Workdir, *spec.Env, *spec.User:
				// They read nothing from the main context.
			default:
				c.unknownStep(st, or(s.Range, c.fileRange))
			}
		}
	}
}

// isOrMatches is the verb for a source: a glob matches files, a path is one.
func isOrMatches(src string) string {
	if hasMeta(src) {
		return "matches"
	}
	return "is"
}

func isContext(src spec.Source) bool { return !src.Set || src.Kind == spec.SourceContext }

func (c *checker) copyCredentials(cp *spec.Copy, fb spec.Range) {
	allowed := cp.AllowCredentials.V
	var allowedWhat, allowedNames []string
	lfb := or(cp.Sources.Range, fb)
	for _, src := range cp.Sources.Items {
		what := CredentialSource(src.V)
		if what == "" {
			continue
		}
		sr := or(src.Range, lfb)
		if allowed {
			allowedWhat = append(allowedWhat, fmt.Sprintf("%q (%s)", src.V, what))
			allowedNames = append(allowedNames, src.V)
			continue
		}
		c.errorf(sr, "credential-file",
			fmt.Sprintf("%q %s %s. Copied into a stage it stays in that layer, and in the image and the build cache, even if a later step deletes it.", src.V, isOrMatches(src.V), what),
			credentialHint, "copy of credential file %q", src.V)
	}
	if allowed {
		r := or(cp.AllowCredentials.Range, fb)
		if len(allowedWhat) == 0 {
			c.warnf(r, "credential-file-allowed",
				"The copy sets allow-credentials but names no credential file; it re-admits nothing, and the credential files of the catalog stay out of the context.",
				"remove allow-credentials", "allow-credentials on a copy of no credential file")
			return
		}
		c.warnf(r, "credential-file-allowed",
			fmt.Sprintf("The copy sets allow-credentials, so it copies %s into the stage, where anyone who can pull the image or read the cache can read it.", strings.Join(allowedWhat, ", ")),
			"declare a secret and mount it in the run step that needs it instead, unless the file really belongs in the image",
			"allow-credentials lets credential file %s into the stage", quoteList(allowedNames))
	}
}

func (c *checker) bindCredentials(b *spec.Bind, fb spec.Range) {
	what := CredentialSource(b.Path.V)
	if what == "" {
		return
	}
	c.errorf(or(b.Path.Range, fb), "credential-file",
		fmt.Sprintf("%q %s %s, and credential files are kept out of the build context, so the bind would not find it; a run step gets credentials from a secret.", b.Path.V, isOrMatches(b.Path.V), what),
		credentialHint, "bind of credential file %q", b.Path.V)
}
