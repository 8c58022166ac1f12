package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// isDeclName reports whether s is a valid stage, secret, ssh or cache name,
// [A-Za-z_][A-Za-z0-9_.-]*.
func isDeclName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// fixName suggests a valid name for an invalid one: invalid characters
// become "_", and a leading digit gets a "_" before it.
func fixName(s string, decl bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || decl && (c == '.' || c == '-')
		if i == 0 && !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			b.WriteByte('_')
			if !ok {
				continue
			}
		}
		if ok {
			b.WriteByte(c)
		} else if c < 0x80 {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// checkName reports an invalid declaration name; kind is "arg", "secret",
// "ssh", "cache" or "stage"/"image".
func (c *checker) checkName(kind string, name spec.Value[string], fb spec.Range) {
	r := or(name.Range, fb)
	pattern := "[A-Za-z_][A-Za-z0-9_.-]*"
	valid := isDeclName(name.V)
	why := "so that steps can reference it by name"
	if kind == "arg" {
		pattern = "[A-Za-z_][A-Za-z0-9_]*"
		valid = interp.IsName(name.V)
		why = "so that it can be referenced as ${NAME}"
	}
	if valid {
		return
	}
	if name.V == "" {
		c.errorf(r, "invalid-name", fmt.Sprintf("%s needs a name matching %s, %s.", sentenceKind(kind), pattern, why), "", "%s without a name", kind)
		return
	}
	hint := ""
	if s := fixName(name.V, kind != "arg"); s != "" && s != name.V {
		hint = fmt.Sprintf("rename it, for example to %q", s)
	}
	c.errorf(r, "invalid-name",
		fmt.Sprintf("%s names match %s, %s.", sentenceKind(kind), pattern, why),
		hint, "invalid %s name %q", kind, name.V)
}

func (c *checker) duplicate(code, kind string, name spec.Value[string], fb, first spec.Range) {
	c.errorf(or(name.Range, fb), code,
		fmt.Sprintf("%s %q is already declared at %s; each name can be declared once.", sentenceKind(kind), name.V, where(first)),
		"remove one of the declarations, or rename one", "duplicate %s %q", kind, name.V)
}

// collect indexes the declarations and stages by name and reports invalid,
// reserved and duplicate names. The first declaration of a name wins.
func (c *checker) collect() {
	f := c.f
	c.args = map[string]*spec.Arg{}
	for _, a := range f.Args {
		if a == nil {
			continue
		}
		fb := or(a.Range, c.f.Range)
		c.checkName("arg", a.Name, fb)
		if spec.IsAutomaticArg(a.Name.V) {
			why := "BuildKit sets it from the platform being built"
			switch {
			case a.Name.V == spec.TargetStageArg:
				why = "it is the name of the stage being built"
			case spec.IsProxyArg(a.Name.V):
				why = "a --build-arg of its name sets it, and run steps get it as their proxy setting"
			}
			c.errorf(or(a.Name.Range, fb), "reserved-name",
				fmt.Sprintf("%s is an automatic arg: %s, so it cannot be declared.", a.Name.V, why),
				fmt.Sprintf("remove the declaration; ${%s} works without it, and --build-arg %s=… overrides it", a.Name.V, a.Name.V),
				"arg %q is reserved", a.Name.V)
		}
		if first, ok := c.args[a.Name.V]; ok {
			c.duplicate("duplicate-arg", "arg", a.Name, fb, or(first.Name.Range, first.Range))
			continue
		}
		c.args[a.Name.V] = a
		c.argNames = append(c.argNames, a.Name.V)
	}
	c.argNames = append(c.argNames, spec.AutomaticArgs()...)

	// secrets, ssh and caches: names checked, the first of each name kept.
	first := declare(c, "secret", f.Secrets, func(s *spec.Secret) *spec.Value[string] { return &s.Name }, func(s *spec.Secret) spec.Range { return s.Range })
	c.secrets, c.secretNames = map[string]*spec.Secret{}, first.names
	for n, i := range first.index {
		c.secrets[n] = f.Secrets[i]
	}
	first = declare(c, "ssh", f.SSH, func(s *spec.SSH) *spec.Value[string] { return &s.Name }, func(s *spec.SSH) spec.Range { return s.Range })
	c.ssh, c.sshNames = first.index, first.names
	first = declare(c, "cache", f.Caches, func(cc *spec.Cache) *spec.Value[string] { return &cc.Name }, func(cc *spec.Cache) spec.Range { return cc.Range })
	c.caches, c.cacheNames = map[string]*spec.Cache{}, first.names
	for n, i := range first.index {
		c.caches[n] = f.Caches[i]
	}

	c.stages = map[string]*spec.Stage{}
	c.stagesFold = map[string]*spec.Stage{}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		fb := or(s.Range, c.f.Range)
		kind := s.Kind.String()
		c.checkName(kind, s.Name, fb)
		lower := strings.ToLower(s.Name.V)
		if lower == "scratch" || lower == spec.DefaultContextName {
			what := "the empty filesystem"
			if lower != "scratch" {
				what = "the main build context"
			}
			c.errorf(or(s.Name.Range, fb), "reserved-name",
				fmt.Sprintf("%q is reserved: as a source it means %s, so a %s with that name could never be referenced.", lower, what, kind),
				"rename it", "%s name %q is reserved", kind, s.Name.V)
		}
		if first, ok := c.stagesFold[lower]; ok {
			detail := fmt.Sprintf("%s %q is already declared at %s; each name can be declared once.", capitalize(first.Kind.String()), first.Name.V, where(or(first.Name.Range, first.Range)))
			if first.Name.V != s.Name.V {
				detail = fmt.Sprintf("%s %q (%s) differs only in case; stage and image names must be unique ignoring case.", capitalize(first.Kind.String()), first.Name.V, where(or(first.Name.Range, first.Range)))
			}
			c.errorf(or(s.Name.Range, fb), "duplicate-stage", detail, "rename one of them", "duplicate %s name %q", kind, s.Name.V)
			continue
		}
		c.stagesFold[lower] = s
		c.stages[s.Name.V] = s
		c.stageNames = append(c.stageNames, s.Name.V)
	}

	// Names any env step or run env sets: a "$NAME" in a command that
	// refers to one of them is the shell's, not a forgotten arg.
	c.envNames = map[string]bool{}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			switch st := st.(type) {
			case *spec.Env:
				if st != nil {
					for _, kv := range st.Vars {
						if kv != nil {
							c.envNames[kv.Key.V] = true
						}
					}
				}
			case *spec.Run:
				if st != nil {
					for _, kv := range st.Env {
						if kv != nil {
							c.envNames[kv.Key.V] = true
						}
					}
				}
			default:
				// Other kinds set no environment variable.
				c.otherStep(st, or(s.Range, c.fileRange))
			}
		}
	}
	for _, s := range f.Secrets {
		if s != nil && s.Env.Set {
			c.envNames[s.Env.V] = true
		}
	}
}

func (c *checker) checkPlatforms() {
	l := c.f.Platforms
	fb := or(l.Range, c.f.Range)
	if l.Set && len(l.Items) == 0 {
		c.errorf(fb, "empty-value",
			"\"platforms\" is set to an empty list, so there would be nothing to build.",
			"remove it to build for the platform of the BuildKit worker, or list the platforms", "empty platforms")
		return
	}
	seen := map[string]spec.Range{}
	for _, it := range l.Items {
		norm, ok := c.platform(it, fb, "platform")
		if !ok || norm == "" {
			continue
		}
		r := or(it.Range, fb)
		if first, dup := seen[norm]; dup {
			c.warnf(r, "duplicate-platform",
				fmt.Sprintf("%q is the same platform as the one at %s (%s), so it would be built twice.", it.V, where(first), norm),
				"remove one of them", "duplicate platform %q", it.V)
			continue
		}
		seen[norm] = r
	}
}

func (c *checker) checkArgs() {
	for _, a := range c.f.Args {
		if a == nil {
			continue
		}
		fb := or(a.Range, c.f.Range)
		if a.Default.Set {
			c.template(a.Default, fb, a)
		}
		if s, ok := c.secrets[a.Name.V]; ok && a.Name.V != "" {
			c.warnf(or(a.Name.Range, fb), "arg-secret-clash",
				fmt.Sprintf("Arg %q has the name of secret %q (%s). ${%s} always reads the arg, never the secret: no expression reads a secret's value, and sharing the name makes it easy to believe otherwise.", a.Name.V, s.Name.V, where(or(s.Name.Range, s.Range)), a.Name.V),
				"rename the arg or the secret", "arg %q has the name of a secret", a.Name.V)
		}
	}
}

func (c *checker) checkSecrets() {
	for _, s := range c.f.Secrets {
		if s == nil {
			continue
		}
		fb := or(s.Range, c.f.Range)
		what := fmt.Sprintf("secret %q", s.Name.V)
		c.id(s.ID, fb, what)
		c.validate(spec.SecretFields(s), fb, what)
		if !s.AsFile() {
			for _, o := range []struct {
				key string
				set bool
				r   spec.Range
			}{{"mode", s.Mode.Set, s.Mode.Range}, {"uid", s.UID.Set, s.UID.Range}, {"gid", s.GID.Set, s.GID.Range}} {
				if o.set {
					c.warnf(or(o.r, fb), "ignored-option",
						fmt.Sprintf("Secret %q is delivered only as environment variable %q, so there is no file for %s to apply to.", s.Name.V, s.Env.V, o.key),
						fmt.Sprintf("remove %s, or also set target to mount the secret as a file", o.key),
						"%s has no effect on secret %q", o.key, s.Name.V)
				}
			}
		}
	}
}

func (c *checker) checkSSH() {
	for _, s := range c.f.SSH {
		if s == nil {
			continue
		}
		fb := or(s.Range, c.f.Range)
		what := fmt.Sprintf("ssh %q", s.Name.V)
		c.id(s.ID, fb, what)
		c.validate(spec.SSHFields(s), fb, what)
		lfb := or(s.KnownHosts.Range, fb)
		for _, h := range s.KnownHosts.Items {
			c.knownHost(h, lfb)
		}
	}
}

func (c *checker) checkCaches() {
	byID := map[string]*spec.Cache{}
	for _, cc := range c.f.Caches {
		if cc == nil {
			continue
		}
		fb := or(cc.Range, c.f.Range)
		what := fmt.Sprintf("cache %q", cc.Name.V)
		c.id(cc.ID, fb, what)
		c.validate(spec.CacheFields(cc), fb, what)
		if cc.From.Set {
			src := cc.From
			sfb := or(src.Range, fb)
			switch src.Kind {
			case spec.SourceStage, spec.SourceImage:
				c.source(src, sfb, fmt.Sprintf("Cache %q is seeded from", cc.Name.V))
			case spec.SourceContext, spec.SourceNamedContext, spec.SourceScratch:
				c.errorf(sfb, "invalid-source",
					fmt.Sprintf("Cache %q is seeded from %s, but a cache can only be seeded from a stage or an image.", cc.Name.V, describeSource(src)),
					"seed it from a stage (which can copy from anywhere), or remove from", "a cache cannot be seeded from %s", describeSource(src))
			default:
				c.unknownSource(src, sfb)
			}
			// As in a Dockerfile (RUN --mount=type=cache,from=…), a seeded
			// cache is the seed's directory: mode and owner are not applied.
			for _, o := range []struct {
				key string
				set bool
				r   spec.Range
			}{{"mode", cc.Mode.Set, cc.Mode.Range}, {"uid", cc.UID.Set, cc.UID.Range}, {"gid", cc.GID.Set, cc.GID.Range}} {
				if o.set {
					c.warnf(or(o.r, fb), "ignored-option",
						fmt.Sprintf("Cache %q is seeded from %s, so it starts as that directory, with its mode and owner; %s is not applied (as in a Dockerfile's cache mount with from).", cc.Name.V, describeSource(src), o.key),
						fmt.Sprintf("remove %s, or set the mode and owner in the seed", o.key),
						"%s has no effect on seeded cache %q", o.key, cc.Name.V)
				}
			}
		}
		// Caches that share an id share storage: settings that only apply
		// when the cache is created, or that serialise its users, must
		// agree.
		id := cc.EffectiveID()
		if strings.Contains(id, "${") || cc.Name.V == "" && !cc.ID.Set {
			continue
		}
		first, ok := byID[id]
		if !ok {
			byID[id] = cc
			continue
		}
		var diffs []string
		if first.EffectiveSharing() != cc.EffectiveSharing() {
			diffs = append(diffs, fmt.Sprintf("sharing (%q and %q)", first.EffectiveSharing(), cc.EffectiveSharing()))
		}
		if a, b := first.Mode.Or(spec.DefaultCacheMode), cc.Mode.Or(spec.DefaultCacheMode); a != b {
			diffs = append(diffs, fmt.Sprintf("mode (%q and %q)", a, b))
		}
		if a, b := first.UID.Or(0), cc.UID.Or(0); a != b {
			diffs = append(diffs, fmt.Sprintf("uid (%d and %d)", a, b))
		}
		if a, b := first.GID.Or(0), cc.GID.Or(0); a != b {
			diffs = append(diffs, fmt.Sprintf("gid (%d and %d)", a, b))
		}
		if len(diffs) > 0 {
			c.warnf(or(cc.ID.Range, cc.Name.Range, fb), "cache-id-conflict",
				fmt.Sprintf("Caches %q (%s) and %q both use id %q, so they share storage, but they set %s differently. Mode and owner apply only when the cache is first created, and locking only works when every user locks, so the result depends on which step runs first.", first.Name.V, where(or(first.Name.Range, first.Range)), cc.Name.V, id, strings.Join(diffs, ", ")),
				"give the caches different ids, or the same settings", "cache %q shares id %q with cache %q but not its settings", cc.Name.V, id, first.Name.V)
		}
	}
}

// id checks a set declaration id.
func (c *checker) id(v spec.Value[string], fb spec.Range, what string) {
	if !v.Set {
		return
	}
	if strings.TrimSpace(v.V) == "" {
		c.errorf(or(v.Range, fb), "empty-value", fmt.Sprintf("The id of %s is empty; the client could not provide it.", what),
			"remove id to use the default, or set it", "empty id")
		return
	}
	c.template(v, fb, nil)
}

// mountTarget checks a set mount target: a template that must be an
// absolute path. It returns the literal path when there is one to compare
// with other mounts.
func (c *checker) mountTarget(v spec.Value[string], fb spec.Range, what string) (string, bool) {
	if !v.Set {
		return "", false
	}
	r := or(v.Range, fb)
	if v.V == "" {
		c.errorf(r, "empty-value", fmt.Sprintf("The target of %s is empty; a mount needs an absolute path.", what), "set an absolute path, such as \"/run/x\"", "empty target")
		return "", false
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return "", false
	}
	if !strings.HasPrefix(lit, "/") {
		c.errorf(r, "relative-path",
			fmt.Sprintf("The target of %s is %q; a mount target must be an absolute path, because there is no working directory to resolve it against.", what, lit),
			fmt.Sprintf("write it as %q", path.Join("/", lit)), "target %q is not an absolute path", lit)
		return "", false
	}
	return lit, true
}

// declared is what declare found: the index of the first declaration of
// each name, and the names in file order.
type declared struct {
	index map[string]int
	names []string
}

// declare checks the names of one kind of declaration (secret, ssh,
// cache): each must be a valid name, declared once; a later duplicate is
// reported at its name, pointing at the first.
func declare[T comparable](c *checker, kind string, items []T, name func(T) *spec.Value[string], rng func(T) spec.Range) declared {
	var zero T
	d := declared{index: map[string]int{}}
	for i, it := range items {
		if it == zero {
			continue
		}
		n := *name(it)
		fb := or(rng(it), c.f.Range)
		c.checkName(kind, n, fb)
		if j, ok := d.index[n.V]; ok {
			prev := items[j]
			c.duplicate("duplicate-"+kind, kind, n, fb, or(name(prev).Range, rng(prev)))
			continue
		}
		d.index[n.V] = i
		d.names = append(d.names, n.V)
	}
	return d
}
