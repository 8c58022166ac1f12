package credentials

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
func notPlaceholder(m string) bool { return Entropy(m) >= 3 }

// Hit is a credential found at s[Start:End]; What names its format.
type Hit struct {
	Start, End int
	What       string
}

// Tokens finds every known credential format in s.
func Tokens(s string) []Hit {
	var hits []Hit
	for _, t := range tokenShapes {
		if !containsAny(s, t.needles) {
			continue
		}
		for _, loc := range t.re.FindAllStringIndex(s, -1) {
			if t.ok == nil || t.ok(s[loc[0]:loc[1]]) {
				hits = append(hits, Hit{loc[0], loc[1], t.what})
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

// Entropy is the Shannon entropy of s in bits per character.
func Entropy(s string) float64 {
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

// Thresholds of RandomLooking: 16 characters of a random base64 or hex
// string have 3.5 to 4 bits per character; words, paths and version
// strings rarely reach it with two kinds of characters mixed in.
const (
	MinRandomLen = 16
	minEntropy   = 3.5
)

// RandomLooking reports whether a literal value looks like a generated
// credential: long, high entropy, mixing character classes, and not a
// template, a path, a URL or an algorithm-prefixed digest.
func RandomLooking(v string) bool {
	if utf8.RuneCountInString(v) < MinRandomLen || strings.Contains(v, "${") || strings.Contains(v, "://") ||
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
	return classes >= 2 && Entropy(v) >= minEntropy
}

// secretNameWords are the parts of a name that say its value is a
// credential; notSecretNameWords say it is about one (its file, its URL,
// its name or id), not one.
var (
	secretNameWords    = []string{"TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "APIKEY", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH"}
	notSecretNameWords = []string{"FILE", "PATH", "DIR", "URL", "URI", "NAME", "ID", "ENDPOINT", "HOST", "TYPE", "LENGTH", "TTL", "HEADER", "PUBLIC"}
)

// IsCredentialName reports whether name (an arg, env or label key; any case and
// separators) says it holds a credential.
func IsCredentialName(name string) bool {
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

// Mask shows the start of a secret-shaped value and hides the rest, so a
// diagnostic (which ends up in logs and CI output) never repeats it.
func Mask(s string) string {
	i := 0
	for n := 0; n < 4 && i < len(s); n++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i] + "…"
}

// PlainValue reports whether v is a literal worth warning about under a
// secret-like name: not empty, not a template, path or URL, not a flag.
func PlainValue(v string) bool {
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

// Shape says what credential a value looks like, for values that do not
// come from a file: frontend options and build args, which BuildKit
// records in provenance. name is the option's or arg's name (it only
// matters for high-entropy values, which count only under a credential
// name such as NPM_TOKEN); "" means the value is not a credential.
// Masked is the value as a message may show it.
func Shape(name, value string) (what, masked string) {
	if hits := Tokens(value); len(hits) > 0 {
		h := hits[0]
		return h.What, Mask(value[h.Start:h.End])
	}
	if name != "" && IsCredentialName(name) && PlainValue(value) && RandomLooking(value) {
		return "a high-entropy value under a credential name", Mask(value)
	}
	return "", ""
}
