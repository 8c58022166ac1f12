package check

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// Secret-shaped values. A value written in the file (an arg default, an
// env value, a label, a command) is in the build definition, the cache
// and often the image; a credential there is leaked. The rules look at
// the value's shape, never only at a name: a name like KEY_NAME or
// AWS_ACCESS_KEY_ID with no value, or with "${AWS_ACCESS_KEY_ID}" or
// "/run/secrets/pw" as its value, holds no credential (the false positives
// of BuildKit's SecretsUsedInArgOrEnv, moby/buildkit#5775).

// tokenShape is a credential format with a recognisable prefix.
type tokenShape struct {
	what string
	re   *regexp.Regexp
	// ok, when set, rejects matches that only look like the format
	// (placeholders, documentation examples).
	ok func(m string) bool
	// needles are literal parts of every match: a value without any of
	// them is skipped without running the expression (10,000 run steps
	// are checked in a few milliseconds).
	needles []string
}

var tokenShapes = []tokenShape{
	{what: "a GitHub token", needles: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, re: regexp.MustCompile(`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}`), ok: notPlaceholder},
	{what: "a GitHub fine-grained token", needles: []string{"github_pat_"}, re: regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,}`), ok: notPlaceholder},
	{what: "a GitLab token", needles: []string{"glpat-"}, re: regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`), ok: notPlaceholder},
	{what: "an AWS access key id", needles: []string{"AKIA", "ASIA"}, re: regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`), ok: func(m string) bool {
		// AWS's documentation key AKIAIOSFODNN7EXAMPLE is in every tutorial.
		return !strings.HasSuffix(m, "EXAMPLE") && notPlaceholder(m)
	}},
	{what: "a Slack token", needles: []string{"xox"}, re: regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}`), ok: notPlaceholder},
	{what: "an API secret key (sk-…)", needles: []string{"sk-"}, re: regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{20,}`), ok: func(m string) bool {
		// Real keys mix in digits; "sk-learn-…" style words do not.
		return strings.ContainsAny(m, "0123456789") && notPlaceholder(m)
	}},
	{what: "a Stripe live key", needles: []string{"k_live_"}, re: regexp.MustCompile(`\b[rs]k_live_[A-Za-z0-9]{16,}`), ok: notPlaceholder},
	{what: "a Google API key", needles: []string{"AIza"}, re: regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}`), ok: notPlaceholder},
	{what: "an npm token", needles: []string{"npm_"}, re: regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`), ok: notPlaceholder},
	{what: "a PyPI token", needles: []string{"pypi-"}, re: regexp.MustCompile(`\bpypi-AgE[A-Za-z0-9_-]{50,}`), ok: notPlaceholder},
	{what: "a private key", needles: []string{"PRIVATE KEY"}, re: regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`)},
}

// notPlaceholder rejects ghp_XXXX… and the like: a real token's random
// part uses many different characters.
func notPlaceholder(m string) bool { return entropy(m) >= 3 }

// secretHit is a credential found at v[start:end].
type secretHit struct {
	start, end int
	what       string
}

// tokenHits finds every known credential format in s.
func tokenHits(s string) []secretHit {
	var hits []secretHit
	for _, t := range tokenShapes {
		if !containsAny(s, t.needles) {
			continue
		}
		for _, loc := range t.re.FindAllStringIndex(s, -1) {
			if t.ok == nil || t.ok(s[loc[0]:loc[1]]) {
				hits = append(hits, secretHit{loc[0], loc[1], t.what})
			}
		}
	}
	return hits
}

func containsAny(s string, needles []string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, k := range counts {
		p := float64(k) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// Thresholds of randomLooking: 16 characters of a random base64 or hex
// string have 3.5 to 4 bits per character; words, paths and version
// strings rarely reach it with two kinds of characters mixed in.
const (
	minSecretLen     = 16
	minSecretEntropy = 3.5
)

// randomLooking reports whether a literal value looks like a generated
// credential: long, high entropy, mixing character classes, and not a
// template, a path, a URL or an algorithm-prefixed digest.
func randomLooking(v string) bool {
	if utf8.RuneCountInString(v) < minSecretLen || strings.Contains(v, "${") || strings.Contains(v, "://") ||
		strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "~/") ||
		strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return false
	}
	for _, alg := range []string{"sha1:", "sha256:", "sha384:", "sha512:", "md5:"} {
		if strings.HasPrefix(strings.ToLower(v), alg) {
			return false
		}
	}
	var lower, upper, digit bool
	for _, r := range v {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit} {
		if b {
			classes++
		}
	}
	return classes >= 2 && entropy(v) >= minSecretEntropy
}

// secretNameWords are the parts of a name that say its value is a
// credential; notSecretNameWords say it is about one (its file, its URL,
// its name or id), not one.
var (
	secretNameWords    = []string{"TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "APIKEY", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH"}
	notSecretNameWords = []string{"FILE", "PATH", "DIR", "URL", "URI", "NAME", "ID", "ENDPOINT", "HOST", "TYPE", "LENGTH", "TTL", "HEADER", "PUBLIC"}
)

// secretName reports whether name (an arg, env or label key; any case and
// separators) says it holds a credential.
func secretName(name string) bool {
	words := strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		for _, x := range notSecretNameWords {
			if w == x {
				return false
			}
		}
	}
	joined := strings.Join(words, "_")
	for _, x := range secretNameWords {
		if strings.Contains(joined, x) {
			return true
		}
	}
	return false
}

// mask shows the start of a secret-shaped value and hides the rest, so a
// diagnostic (which ends up in logs and CI output) never repeats it.
func mask(s string) string {
	i := 0
	for n := 0; n < 4 && i < len(s); n++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i] + "…"
}

const secretValueHint = "remove the value from the file and rotate the credential; declare a secret and mount it in the run step that needs it, as a file or as an environment variable (its env setting)"

// secretShapes reports every known credential format in v and says
// whether there was one. where says what v is ("the default of arg
// \"X\"").
func (c *checker) secretShapes(v spec.Value[string], fb spec.Range, where string) bool {
	hits := tokenHits(v.V)
	for _, h := range hits {
		m := mask(v.V[h.start:h.end])
		c.errorf(subRange(v, fb, h.start, h.end), "secret-value",
			fmt.Sprintf("%s holds what looks like %s (%s). Anything written in the build file is in the build definition and the build cache, and often in the image; a credential there is leaked to anyone who can read them.", capitalize(where), h.what, m),
			secretValueHint, "%s in %s", h.what, where)
	}
	return len(hits) > 0
}

// highEntropy reports a random-looking literal assigned to a credential
// name, at v[start:end], and says whether it did.
func (c *checker) highEntropy(name string, v spec.Value[string], fb spec.Range, start, end int, where string) bool {
	val := v.V[start:end]
	if !secretName(name) || !randomLooking(val) {
		return false
	}
	c.errorf(subRange(v, fb, start, end), "high-entropy-secret",
		fmt.Sprintf("%q names a credential, and the literal it is given in %s looks generated (%s, %d characters at %.1f bits each). Anything written in the build file is in the build definition and the build cache, and often in the image.", name, where, mask(val), utf8.RuneCountInString(val), entropy(val)),
		secretValueHint+"; if the value is not a credential, suppress the finding with a comment: # securefile:ignore high-entropy-secret",
		"%q is assigned a random-looking literal", name)
	return true
}

// plainValue reports whether v is a literal worth warning about under a
// secret-like name: not empty, not a template, path or URL, not a flag.
func plainValue(v string) bool {
	t := strings.TrimSpace(v)
	if t == "" || strings.Contains(t, "${") || strings.Contains(t, "://") ||
		strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./") || strings.HasPrefix(t, "~/") {
		return false
	}
	switch strings.ToLower(t) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "required", "optional", "enabled", "disabled":
		return false
	}
	return strings.TrimFunc(t, unicode.IsDigit) != ""
}

// namedValue checks a name = value pair of an arg (kind "arg") or an
// environment variable ("env"): a known credential format, then a
// random-looking literal under a credential name, then, as a warning, any
// literal under a name that says it is a secret.
func (c *checker) namedValue(name, value spec.Value[string], fb spec.Range, kind string) {
	if !value.Set {
		return
	}
	what := "the default of arg " + fmt.Sprintf("%q", name.V)
	if kind == "env" {
		what = "the value of environment variable " + fmt.Sprintf("%q", name.V)
	}
	if c.secretShapes(value, fb, what) || c.highEntropy(name.V, value, fb, 0, len(value.V), what) {
		return
	}
	if looksSecret(name.V) && plainValue(value.V) {
		c.secretLikeName(name, fb, kind)
	}
}

// label checks a label's value: labels are in the image config.
func (c *checker) labelValue(kv *spec.KeyValue, fb spec.Range) {
	what := fmt.Sprintf("label %q", kv.Key.V)
	if !c.secretShapes(kv.Value, fb, what) {
		c.highEntropy(kv.Key.V, kv.Value, fb, 0, len(kv.Value.V), what)
	}
}

// Assignments and flags inside commands: NAME=value (export or not, as a
// shell word or an exec item), --flag=value and --flag value, and an
// Authorization header's bearer token.
var (
	assignRE = regexp.MustCompile(`(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)"']+)`)
	flagRE   = regexp.MustCompile(`(?:^|\s)--?([A-Za-z][A-Za-z0-9_-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s;&|)"'-][^\s;&|)"']*)`)
	bearerRE = regexp.MustCompile(`(?i)\b(?:bearer|token)\s+([A-Za-z0-9._~+/=-]+)`)
)

// commandValue checks one command string (a shell command or one exec
// item); what says where it is ("the run command").
func (c *checker) commandValue(v spec.Value[string], fb spec.Range, what string) {
	if c.secretShapes(v, fb, what) {
		return
	}
	s := v.V
	inner := func(m []int) (int, int) {
		start, end := m[4], m[5]
		if end-start >= 2 && (s[start] == '"' || s[start] == '\'') && s[end-1] == s[start] {
			start, end = start+1, end-1
		}
		return start, end
	}
	// One value can match several forms (--token X is a flag and a
	// "token X"); it is reported once.
	seen := map[int]bool{}
	report := func(name string, start, end int) {
		if !seen[start] && c.highEntropy(name, v, fb, start, end, what) {
			seen[start] = true
		}
	}
	// The expressions only run on commands that can match them.
	if len(s) < minSecretLen {
		return
	}
	if strings.Contains(s, "=") {
		for _, m := range assignRE.FindAllStringSubmatchIndex(s, -1) {
			start, end := inner(m)
			report(s[m[2]:m[3]], start, end)
		}
	}
	if strings.Contains(s, "-") {
		for _, m := range flagRE.FindAllStringSubmatchIndex(s, -1) {
			start, end := inner(m)
			report(s[m[2]:m[3]], start, end)
		}
	}
	if lower := strings.ToLower(s); strings.Contains(lower, "bearer") || strings.Contains(lower, "token") {
		for _, m := range bearerRE.FindAllStringSubmatchIndex(s, -1) {
			report("token", m[2], m[3])
		}
	}
}

// command checks both forms of a command. In the exec form a flag and its
// value are separate items: ["--token", "…"].
func (c *checker) commandSecrets(cmd spec.Command, fb spec.Range, what string) {
	fb = or(cmd.Range, fb)
	if cmd.Shell.Set {
		c.commandValue(cmd.Shell, fb, what)
	}
	items := cmd.Exec.Items
	lfb := or(cmd.Exec.Range, fb)
	for i, it := range items {
		ifb := or(it.Range, lfb)
		c.commandValue(it, ifb, what)
		if i+1 < len(items) && strings.HasPrefix(it.V, "-") && !strings.Contains(it.V, "=") && len(tokenHits(items[i+1].V)) == 0 {
			next := items[i+1]
			c.highEntropy(strings.TrimLeft(it.V, "-"), next, or(next.Range, lfb), 0, len(next.V), what)
		}
	}
}

// checkSecretValues applies the value rules to every place a value is
// written: arg defaults, env steps, run env, labels and every command.
func (c *checker) checkSecretValues() {
	for _, a := range c.f.Args {
		if a != nil {
			c.namedValue(a.Name, a.Default, or(a.Range, c.fileRange), "arg")
		}
	}
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		sfb := or(s.Range, c.fileRange)
		for _, st := range s.Steps {
			switch st := st.(type) {
			case *spec.Env:
				if st == nil {
					continue
				}
				for _, kv := range st.Vars {
					if kv != nil {
						c.namedValue(kv.Key, kv.Value, or(kv.Range, st.Range, sfb), "env")
					}
				}
			case *spec.Run:
				if st == nil {
					continue
				}
				rfb := or(st.Range, sfb)
				c.commandSecrets(st.Command, rfb, "the run command")
				for _, kv := range st.Env {
					if kv != nil {
						c.namedValue(kv.Key, kv.Value, or(kv.Range, rfb), "env")
					}
				}
			case *spec.Copy, *spec.Add, *spec.Workdir, *spec.User:
				// Their values are paths, URLs, owners and modes, not
				// values a credential is assigned to.
			default:
				c.unknownStep(st, sfb)
			}
		}
		cfg := s.Config
		c.commandSecrets(cfg.Entrypoint, sfb, "the entrypoint")
		c.commandSecrets(cfg.Cmd, sfb, "the cmd")
		if cfg.Healthcheck != nil {
			c.commandSecrets(cfg.Healthcheck.Test, or(cfg.Healthcheck.Range, sfb), "the healthcheck command")
		}
		for _, kv := range cfg.Labels {
			if kv != nil {
				c.labelValue(kv, or(kv.Range, sfb))
			}
		}
	}
}
