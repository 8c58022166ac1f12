package check

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/internal/credentials"
	"github.com/ourorg/securefile/spec"
)

// The secret-value rules: every place a value is written is checked with
// the shapes of internal/credentials (known credential formats, then
// random-looking literals under credential names).

const secretValueHint = "remove the value from the file and rotate the credential; declare a secret and mount it in the run step that needs it, as a file or as an environment variable (its env setting)"

// valueDesc says what a checked value is ("the default of arg \"X\""):
// prefix, then name quoted when quoted is set. It is built into a string
// only for a finding: the value rules look at every env var and command
// of a file, and almost none has one.
type valueDesc struct {
	prefix, name string
	quoted       bool
}

func (d valueDesc) String() string {
	if !d.quoted {
		return d.prefix
	}
	return d.prefix + strconv.Quote(d.name)
}

// secretShapes reports every known credential format in v and says
// whether there was one. desc says what v is.
func (c *checker) secretShapes(v spec.Value[string], fb spec.Range, desc valueDesc) bool {
	hits := credentials.Tokens(v.V)
	var where string
	if len(hits) > 0 {
		where = desc.String()
	}
	for _, h := range hits {
		m := credentials.Mask(v.V[h.Start:h.End])
		c.errorf(subRange(v, fb, h.Start, h.End), "secret-value",
			fmt.Sprintf("%s holds what looks like %s (%s). Anything written in the build file is in the build definition and the build cache, and often in the image; a credential there is leaked to anyone who can read them.", capitalize(where), h.What, m),
			secretValueHint, "%s in %s", h.What, where)
	}
	return len(hits) > 0
}

// highEntropy reports a random-looking literal assigned to a credential
// name, at v[start:end], and says whether it did.
func (c *checker) highEntropy(name string, v spec.Value[string], fb spec.Range, start, end int, desc valueDesc) bool {
	val := v.V[start:end]
	// RandomLooking first: it is the cheaper test, and it rules out the
	// short values most names are given. (Both are pure, so the order
	// changes nothing else.)
	if !credentials.RandomLooking(val) || !credentials.IsCredentialName(name) {
		return false
	}
	where := desc.String()
	c.errorf(subRange(v, fb, start, end), "high-entropy-secret",
		fmt.Sprintf("%q names a credential, and the literal it is given in %s looks generated (%s, %d characters at %.1f bits each). Anything written in the build file is in the build definition and the build cache, and often in the image.", name, where, credentials.Mask(val), utf8.RuneCountInString(val), credentials.Entropy(val)),
		secretValueHint+"; if the value is not a credential, suppress the finding with a comment: # securefile:ignore high-entropy-secret",
		"%q is assigned a random-looking literal", name)
	return true
}

// namedValue checks a name = value pair of an arg (kind "arg") or an
// environment variable ("env"): a known credential format, then a
// random-looking literal under a credential name, then, as a warning, any
// literal under a name that says it is a secret.
func (c *checker) namedValue(name, value spec.Value[string], fb spec.Range, kind string) {
	if !value.Set {
		return
	}
	what := valueDesc{prefix: "the default of arg ", name: name.V, quoted: true}
	if kind == "env" {
		what.prefix = "the value of environment variable "
	}
	if c.secretShapes(value, fb, what) || c.highEntropy(name.V, value, fb, 0, len(value.V), what) {
		return
	}
	if looksSecret(name.V) && credentials.PlainValue(value.V) {
		c.secretLikeName(name, fb, kind)
	}
}

// label checks a label's value: labels are in the image config.
func (c *checker) labelValue(kv *spec.KeyValue, fb spec.Range) {
	what := valueDesc{prefix: "label ", name: kv.Key.V, quoted: true}
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
func (c *checker) commandValue(v spec.Value[string], fb spec.Range, what valueDesc) {
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
	if len(s) < credentials.MinRandomLen {
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
func (c *checker) commandSecrets(cmd spec.Command, fb spec.Range, whatText string) {
	what := valueDesc{prefix: whatText}
	fb = or(cmd.Range, fb)
	if cmd.Shell.Set {
		c.commandValue(cmd.Shell, fb, what)
	}
	items := cmd.Exec.Items
	lfb := or(cmd.Exec.Range, fb)
	for i, it := range items {
		ifb := or(it.Range, lfb)
		c.commandValue(it, ifb, what)
		if i+1 < len(items) && strings.HasPrefix(it.V, "-") && !strings.Contains(it.V, "=") && len(credentials.Tokens(items[i+1].V)) == 0 {
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
			case *spec.Inline:
				// The content is written into the image: a credential
				// in it, or under a credential's name (password = …,
				// --token …), is in every copy of the image.
				if st != nil && st.Content.Set {
					c.commandValue(st.Content, or(st.Range, sfb), valueDesc{prefix: "the content of file ", name: st.Dest.V, quoted: true})
				}
				if st != nil {
					for _, f := range st.Files {
						if f != nil && f.Content.Set {
							c.commandValue(f.Content, or(f.Range, st.Range, sfb), valueDesc{prefix: "the content of file ", name: path.Join(st.Dest.V, f.Path.V), quoted: true})
						}
					}
				}
			default:
				// The values of the other kinds are paths, URLs, owners
				// and modes, not values a credential is assigned to. A
				// new kind whose strings are values belongs above.
				c.otherStep(st, sfb)
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
