package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

func describeSource(src spec.Source) string {
	switch src.Kind {
	case spec.SourceContext:
		return "the main build context"
	case spec.SourceScratch:
		return "scratch (the empty filesystem)"
	case spec.SourceNamedContext:
		return fmt.Sprintf("named context %q", src.Name.V)
	case spec.SourceImage:
		return fmt.Sprintf("image %q", src.Name.V)
	case spec.SourceStage:
		return fmt.Sprintf("stage %q", src.Name.V)
	}
	return "an unknown source"
}

// source checks a stage, image or named-context source; what begins the
// detail sentences ("The copy step copies from"). The stages a stage
// depends on are found by spec.StageDeps (checkStageGraph).
func (c *checker) source(src spec.Source, fb spec.Range, what string) {
	name := src.Name
	r := or(name.Range, fb)
	switch src.Kind {
	case spec.SourceStage:
		if name.V == "" {
			c.errorf(r, "empty-value", what+" a stage without a name.", "name the stage", "empty stage name")
			return
		}
		if _, ok := c.stages[name.V]; ok {
			return
		}
		hint := hintName("a stage", name.V, c.stageNames)
		if s, ok := c.stagesFold[strings.ToLower(name.V)]; ok {
			hint = fmt.Sprintf("did you mean %q? stage names are case-sensitive", s.Name.V)
		} else if strings.ContainsAny(name.V, ":/@") {
			hint = fmt.Sprintf("%q looks like an image reference: write it as an image source, not a stage", name.V)
		}
		c.errorf(r, "undefined-stage",
			fmt.Sprintf("%s stage %q, but no stage or image with that name is declared.", what, name.V),
			hint, "undefined stage %q", name.V)
	case spec.SourceImage:
		if strings.TrimSpace(name.V) == "" {
			c.errorf(r, "empty-value", what+" an image without a reference.", "write an image reference, such as \"alpine:3.20\"", "empty image reference")
			return
		}
		lit, ok := c.template(name, fb, nil)
		if !ok {
			c.defaultImage(name, r)
			return
		}
		if s, isStage := c.stages[lit]; isStage {
			c.warnf(r, "image-named-like-stage",
				fmt.Sprintf("%q is written as an image reference, so it is pulled from a registry; it does not refer to %s %q (%s).", lit, s.Kind, lit, where(or(s.Name.Range, s.Range))),
				fmt.Sprintf("to use the %s, reference it as a stage, not as an image", s.Kind),
				"image %q has the name of a %s", lit, s.Kind)
			return
		}
		c.imageRef(lit, r)
	case spec.SourceNamedContext:
		if strings.TrimSpace(name.V) == "" {
			c.errorf(r, "empty-value", what+" a named context without a name.", "write the name the client passes with --build-context NAME=…", "empty named context name")
		}
	case spec.SourceContext, spec.SourceScratch:
		// Where they are wrong, the callers say so.
	default:
		c.unknownSource(src, fb)
	}
}

// defaultImage warns when an image reference with interpolation is not a
// valid reference once its args take their default values: a plain build
// (without --build-arg) would fail.
func (c *checker) defaultImage(name spec.Value[string], r spec.Range) {
	t, err := interp.Parse(name.V)
	if err != nil {
		return
	}
	incomplete := false
	ref, err := t.Eval(func(n string) (string, bool) {
		v, ok := c.defaultValue(n, 0)
		if !ok {
			incomplete = true
		}
		return v, ok
	})
	if incomplete || err != nil {
		return
	}
	why, _ := imageRefProblem(ref)
	if why == "" {
		return
	}
	c.warnf(r, "invalid-default-image",
		fmt.Sprintf("With the default values of its args (and the platform args of a linux/amd64 build), %q expands to %q, which is not a valid image reference: %s. A build that does not set the args with --build-arg fails.", name.V, ref, why),
		`give the args defaults that make a valid reference, or write a fallback such as ${NAME:-alpine:3.20}`,
		"image reference %q is invalid with the default arg values", name.V)
}

var platformDefaults = map[string]string{
	"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
	"TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
}

// defaultValue is the value of an arg when no --build-arg sets it; ok is
// false for names that are not args, and for args whose default cannot be
// worked out (a syntax error or a cycle, reported elsewhere).
func (c *checker) defaultValue(name string, depth int) (string, bool) {
	if v, ok := platformDefaults[name]; ok {
		return v, true
	}
	a, ok := c.args[name]
	if !ok || depth > 16 {
		return "", false
	}
	if v, ok := c.argDefaults[name]; ok {
		return v.v, v.ok
	}
	t, err := interp.Parse(a.Default.V)
	if err != nil {
		c.argDefaults[name] = argValue{}
		return "", false
	}
	complete := true
	v, err := t.Eval(func(n string) (string, bool) {
		v, ok := c.defaultValue(n, depth+1)
		complete = complete && ok
		return v, ok
	})
	complete = complete && err == nil
	c.argDefaults[name] = argValue{v: v, ok: complete}
	return v, complete
}

type argValue struct {
	v  string
	ok bool
}

func (c *checker) checkStages() {
	c.checkDefaults()
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		fb := or(s.Range, c.f.Range)
		what := fmt.Sprintf("%s %q", s.Kind, s.Name.V)
		c.scope = nil // the base's reference sees args only
		switch {
		case !s.From.Set:
			c.add(spec.MissingKey(or(s.Name.Range, fb), what, "from"))
		case s.From.Kind == spec.SourceContext:
			c.errorf(or(s.From.Range, s.Name.Range, fb), "invalid-source",
				fmt.Sprintf("%s is based on the main build context, but a base is an image, a stage, a named context or scratch.", capitalize(what)),
				"copy the files from the context into a stage based on scratch or an image", "the main build context cannot be a base")
		default:
			c.source(s.From, or(s.From.Range, fb), capitalize(what)+" is based on")
		}
		if s.Platform.Set {
			if strings.TrimSpace(s.Platform.V) == "" {
				c.errorf(or(s.Platform.Range, fb), "empty-value", fmt.Sprintf("The platform of %s is empty.", what), "remove it to build for the target platform, or set one", "empty platform")
			} else {
				c.platform(s.Platform, fb, "platform")
			}
			if s.Platform.V == "${TARGETPLATFORM}" {
				c.warnf(or(s.Platform.Range, fb), "redundant-platform",
					fmt.Sprintf("%s is built for the target platform anyway; setting platform to ${TARGETPLATFORM} changes nothing.", capitalize(what)),
					"remove platform", "platform ${TARGETPLATFORM} is the default")
			}
		}
		absWorkdir := c.baseHasAbsWorkdir(s)
		c.scope = c.stageScope(s)
		for _, st := range s.Steps {
			c.step(st, fb)
			if w, ok := st.(*spec.Workdir); ok && w != nil && !absWorkdir {
				if strings.HasPrefix(w.Path.V, "/") || strings.HasPrefix(w.Path.V, "${") {
					absWorkdir = true
				} else if strings.TrimSpace(w.Path.V) != "" {
					absWorkdir = true // warn once per stage
					c.warnf(or(w.Path.Range, w.Range, fb), "relative-workdir",
						fmt.Sprintf("Workdir %q is relative to the working directory of the base, which this file does not set: the result changes when the base image changes.", w.Path.V),
						fmt.Sprintf("write an absolute path, such as %q", path.Join("/", w.Path.V)), "relative workdir %q", w.Path.V)
				}
			}
		}
		c.config(s, fb)
		c.scope = nil
	}
}

// baseHasAbsWorkdir reports whether the working directory s starts with
// is known from this file: its base, followed through the stages of the
// file, is scratch (whose working directory is "/") or sets an absolute
// one.
func (c *checker) baseHasAbsWorkdir(s *spec.Stage) bool {
	if c.absWorkdir == nil {
		c.absWorkdir = map[*spec.Stage]bool{}
	}
	if s.From.Set && s.From.Kind == spec.SourceScratch {
		return true
	}
	if !s.From.Set || s.From.Kind != spec.SourceStage {
		return false
	}
	base := c.stages[s.From.Name.V]
	if base == nil {
		return false
	}
	if v, done := c.absWorkdir[base]; done {
		return v
	}
	c.absWorkdir[base] = false // cycles end here
	v := c.baseHasAbsWorkdir(base)
	for _, st := range base.Steps {
		if w, ok := st.(*spec.Workdir); ok && w != nil && (strings.HasPrefix(w.Path.V, "/") || strings.HasPrefix(w.Path.V, "${")) {
			v = true
		}
	}
	c.absWorkdir[base] = v
	return v
}

func (c *checker) checkDefaults() {
	var images []*spec.Stage
	var first *spec.Stage
	stages := 0
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		stages++
		if s.Kind == spec.KindImage {
			images = append(images, s)
		}
		if !s.IsDefault() {
			continue
		}
		fb := or(s.Range, c.f.Range)
		r := or(s.Default.Range, s.Name.Range, fb)
		if s.Kind != spec.KindImage {
			c.errorf(r, "default-on-stage",
				fmt.Sprintf("Stage %q is marked default, but the default target is what a plain build produces and exports, and a stage is an intermediate result.", s.Name.V),
				fmt.Sprintf("make %q an image, or mark an image as the default", s.Name.V),
				"only an image can be the default target")
			continue
		}
		if first != nil {
			c.errorf(r, "multiple-defaults",
				fmt.Sprintf("Image %q is marked default, but image %q (%s) already is; a build has one default target.", s.Name.V, first.Name.V, where(or(first.Default.Range, first.Name.Range, first.Range))),
				"mark only one image as the default", "more than one default target")
			continue
		}
		first = s
	}
	if stages == 0 {
		r := c.fileRange
		r.Start = spec.Pos{Line: 1, Column: 1}
		r.End = r.Start
		c.errorf(r, "no-stages", "A build needs at least one stage or image: the default target is built from it.",
			"add an image", "no stages")
		return
	}
	if first == nil && len(images) >= 2 {
		names := make([]string, len(images))
		for i, s := range images {
			names[i] = s.Name.V
		}
		second := images[1]
		c.errorf(or(second.Name.Range, second.Range, c.f.Range), "ambiguous-default",
			fmt.Sprintf("The file has %d images (%s) and none is marked default, so which one a build without --target produces would not be obvious from the file.", len(images), quoteList(names)),
			"mark one image as the default", "no default among %d images", len(images))
	}
}

// step checks one step by its kind. A kind it does not know is an
// internal error: a step left unchecked could interpolate a secret.
func (c *checker) step(st spec.Step, fb spec.Range) {
	switch st := st.(type) {
	case *spec.Run:
		if st != nil {
			c.checkRun(st, or(st.Range, fb))
		}
	case *spec.Copy:
		if st != nil {
			c.checkCopy(st, or(st.Range, fb))
		}
	case *spec.Add:
		if st != nil {
			c.checkAdd(st, or(st.Range, fb))
		}
	case *spec.Inline:
		if st != nil {
			c.checkInline(st, or(st.Range, fb))
		}
	case *spec.Workdir:
		if st != nil {
			sfb := or(st.Range, fb)
			if strings.TrimSpace(st.Path.V) == "" {
				c.errorf(or(st.Path.Range, sfb), "empty-value", "A workdir step needs a directory.", "write the directory, such as \"/src\"", "empty workdir")
			} else {
				c.template(st.Path, sfb, nil)
			}
		}
	case *spec.Env:
		if st != nil {
			sfb := or(st.Range, fb)
			for _, kv := range st.Vars {
				c.envVar(kv, sfb)
			}
		}
	case *spec.User:
		if st != nil {
			sfb := or(st.Range, fb)
			if strings.TrimSpace(st.User.V) == "" {
				c.errorf(or(st.User.Range, sfb), "empty-value", "A user step needs a user, a name or a numeric id, optionally with a group.", "write the user, such as \"1000:1000\"", "empty user")
			} else if lit, ok := c.template(st.User, sfb, nil); ok {
				c.ownerSpec(lit, or(st.User.Range, sfb), "user")
			}
		}
	default:
		c.unknownStep(st, fb)
	}
}

func (c *checker) envVar(kv *spec.KeyValue, fb spec.Range) {
	if kv == nil {
		return
	}
	fb = or(kv.Range, fb)
	c.envName(kv.Key, fb, "environment variable", false)
	c.template(kv.Value, fb, nil)
}

var (
	secretWords    = []string{"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"}
	notSecretWords = []string{"public", "file", "version", "name", "id", "path", "dir", "url"}
)

// looksSecret reports whether one of the "_"-separated words of name says
// it holds a secret and none says otherwise (the rule of BuildKit's
// SecretsUsedInArgOrEnv check).
func looksSecret(name string) bool {
	secret := false
	for w := range strings.SplitSeq(name, "_") {
		for _, x := range notSecretWords {
			if strings.EqualFold(w, x) {
				return false
			}
		}
		for _, x := range secretWords {
			secret = secret || strings.EqualFold(w, x)
		}
	}
	return secret
}

// secretLikeName warns about an arg or environment variable whose name
// says it holds a secret (BuildKit's SecretsUsedInArgOrEnv) and whose
// value is a literal (see namedValue): that value is stored in the build
// definition, the cache and, for env, the image. A name alone is no
// finding: "arg KEY_NAME" or a value that is "${…}" or a path holds no
// credential (moby/buildkit#5775).
func (c *checker) secretLikeName(name spec.Value[string], fb spec.Range, kind string) {
	if !looksSecret(name.V) {
		return
	}
	what, where := "arg", "the build definition and the build cache"
	if kind == "env" {
		what, where = "environment variable", "the build definition, the build cache and, for an env step, the image config"
	}
	c.warnf(or(name.Range, fb), "secret-in-"+kind,
		fmt.Sprintf("%q looks like the name of a secret and is given a literal value. The value of an %s is stored in %s, where anyone who can read them can read it.", name.V, what, where),
		"declare a secret and mount it in the run step that needs it (as a file or an environment variable)",
		"%s %q looks like a secret", what, name.V)
}

// mountConflicts reports two mounts of one step at the same path, and a
// mount over the root filesystem.
func (c *checker) mountConflicts(mounts []mount) {
	if len(mounts) == 0 {
		return
	}
	at := make(map[string]mount, len(mounts))
	for _, m := range mounts {
		if m.target == "" || strings.Contains(m.target, "${") || !strings.HasPrefix(m.target, "/") {
			continue
		}
		p := path.Clean(m.target)
		if p == "/" {
			c.errorf(m.r, "mount-conflict",
				fmt.Sprintf("%s is mounted at \"/\", which would replace the root filesystem of the step.", capitalize(m.desc())),
				"mount it at a directory below \"/\"", "mount target \"/\" replaces the root filesystem")
			continue
		}
		if first, ok := at[p]; ok {
			c.errorf(m.r, "mount-conflict",
				fmt.Sprintf("%s is mounted at %q, where %s (%s) is already mounted in this step; one would hide the other.", capitalize(m.desc()), p, first.desc(), where(first.r)),
				"give one of them a different target", "two mounts at %q", p)
			continue
		}
		at[p] = m
	}
}

func (c *checker) checkCopy(cp *spec.Copy, fb spec.Range) {
	if len(cp.Sources.Items) == 0 {
		c.errorf(or(cp.Sources.Range, fb), "missing-source", "A copy step needs at least one source path.",
			"list the paths to copy", "copy without a source")
	}
	lfb := or(cp.Sources.Range, fb)
	for _, src := range cp.Sources.Items {
		sr := or(src.Range, lfb)
		if src.V == "" {
			c.errorf(sr, "empty-value", "A copy source is an empty path.", `write the path, or "." for everything`, "empty copy source")
			continue
		}
		lit, ok := c.template(src, lfb, nil)
		if !ok {
			continue
		}
		if looksLikeURL(lit) {
			c.errorf(sr, "url-in-copy",
				fmt.Sprintf("%q is a URL, but copy copies paths from the build context, a stage, an image or a named context; it does not download.", lit),
				"use an add step to download a file (with a checksum) or to clone a git repository", "copy source %q is a URL", lit)
			continue
		}
		c.escapes(lit, sr, cp.From)
	}
	if cp.From.Set {
		switch cp.From.Kind {
		case spec.SourceScratch:
			c.errorf(or(cp.From.Range, fb), "invalid-source", "Scratch is the empty filesystem: there is nothing to copy from it.",
				"remove the copy step, or copy from a stage, an image or a context", "cannot copy from scratch")
		case spec.SourceContext:
		default:
			c.source(cp.From, or(cp.From.Range, fb), "The copy step copies from")
		}
	}
	if cp.Dest.Set {
		dr := or(cp.Dest.Range, fb)
		if cp.Dest.V == "" {
			c.errorf(dr, "empty-value", "The destination of a copy step is empty.", `write the destination, such as "/app/" or "."`, "empty copy destination")
		} else if dest, ok := c.template(cp.Dest, fb, nil); ok && len(cp.Sources.Items) > 1 &&
			!strings.HasSuffix(dest, "/") && dest != "." && dest != ".." && !strings.HasSuffix(dest, "/.") {
			c.warnf(dr, "copy-dest-not-dir",
				fmt.Sprintf("The step copies %d sources to %q. With several sources the destination should be a directory; without a trailing \"/\" a source that is a file is written to the path %q itself and the next one replaces it.", len(cp.Sources.Items), dest, dest),
				fmt.Sprintf("write %q", dest+"/"), "destination %q of several sources does not end with \"/\"", dest)
		}
	}
	c.chown(cp.Chown, fb, cp.Link.Or(false))
	c.chmod(cp.Chmod, fb)
	c.patterns(cp.Include, fb, "include")
	c.patterns(cp.Exclude, fb, "exclude")
}

func (c *checker) checkAdd(a *spec.Add, fb spec.Range) {
	ur := or(a.URL.Range, fb)
	url, urlOK := "", false
	if strings.TrimSpace(a.URL.V) == "" {
		c.errorf(ur, "empty-value", "An add step needs the URL to fetch.", "write the URL", "empty URL")
	} else {
		url, urlOK = c.template(a.URL, fb, nil)
	}
	notFor := func(v spec.Value[string], key, kind, detail, hint string) {
		if v.Set {
			c.errorf(or(v.Range, fb), "option-not-applicable", detail, hint, "%s applies only to %s sources", key, kind)
		}
	}
	switch a.Kind {
	case spec.AddHTTP:
		if urlOK {
			c.httpURL(url, ur)
		}
		if !a.Checksum.Set {
			shown := a.URL.V
			if urlOK {
				shown = redactURL(url)
			}
			c.errorf(ur, "missing-checksum",
				"An http(s) download must be pinned with a checksum: without one the build takes whatever the server returns that day, so it is neither reproducible nor safe against a changed or compromised server. BuildKit verifies the checksum before the file is used.",
				`set checksum to "sha256:" followed by the SHA-256 of the file in hex (for example from sha256sum)`,
				"missing checksum for %q", shown)
		} else if strings.TrimSpace(a.Checksum.V) == "" {
			c.errorf(or(a.Checksum.Range, fb), "invalid-checksum", `The checksum is empty; it must be "sha256:" followed by 64 hex digits.`,
				`set checksum to "sha256:" followed by the SHA-256 of the file in hex`, "empty checksum")
		} else if lit, ok := c.template(a.Checksum, fb, nil); ok {
			c.digest(lit, or(a.Checksum.Range, fb), "checksum")
		}
		gitOnly := "This add step downloads a file over http(s); ref, commit and keep_git_dir configure a git clone."
		notFor(a.Ref, "ref", "git", gitOnly, "remove it, or make the source a git source")
		notFor(a.Commit, "commit", "git", gitOnly, "remove it, or make the source a git source")
		if a.KeepGitDir.Set {
			c.errorf(or(a.KeepGitDir.Range, fb), "option-not-applicable", gitOnly, "remove it, or make the source a git source", "keep_git_dir applies only to git sources")
		}
	case spec.AddGit:
		if urlOK {
			c.gitURL(url, ur)
		}
		notFor(a.Checksum, "checksum", "http",
			"A git source is pinned with commit (the full commit id), not with a checksum.",
			"remove checksum and set commit")
		if a.Ref.Set {
			if strings.TrimSpace(a.Ref.V) == "" {
				c.errorf(or(a.Ref.Range, fb), "empty-value", "\"ref\" is empty; it names the branch or tag to clone.", "remove it to clone the default branch, or name a branch or tag", "empty ref")
			} else {
				c.template(a.Ref, fb, nil)
			}
		}
		if a.Commit.Set {
			if lit, ok := c.template(a.Commit, fb, nil); ok {
				c.commit(lit, or(a.Commit.Range, fb))
			}
		}
	}
	if a.Dest.Set {
		if a.Dest.V == "" {
			c.errorf(or(a.Dest.Range, fb), "empty-value", "The destination of an add step is empty.", "write the destination path", "empty add destination")
		} else {
			c.template(a.Dest, fb, nil)
		}
	}
	c.chown(a.Chown, fb, false)
	c.chmod(a.Chmod, fb)
	c.addGitOptions(a, fb)
}

func (c *checker) config(s *spec.Stage, fb spec.Range) {
	cfg := s.Config
	c.stageShell(s, fb)
	if cfg.Entrypoint.IsSet() {
		c.command(cfg.Entrypoint, fb, "entrypoint", nil)
	}
	if cfg.Cmd.IsSet() {
		c.command(cfg.Cmd, fb, "cmd", nil)
	}
	for _, kv := range cfg.Labels {
		if kv == nil {
			continue
		}
		lfb := or(kv.Range, fb)
		if strings.TrimSpace(kv.Key.V) == "" {
			c.errorf(or(kv.Key.Range, lfb), "empty-value", "A label needs a key.", `use a reverse-DNS key, such as "org.opencontainers.image.title"`, "empty label key")
		} else {
			c.template(kv.Key, lfb, nil)
		}
		c.template(kv.Value, lfb, nil)
	}
	efb := or(cfg.Expose.Range, fb)
	for _, p := range cfg.Expose.Items {
		if lit, ok := c.template(p, efb, nil); ok {
			c.port(lit, or(p.Range, efb))
		}
	}
	vfb := or(cfg.Volumes.Range, fb)
	for _, v := range cfg.Volumes.Items {
		r := or(v.Range, vfb)
		if strings.TrimSpace(v.V) == "" {
			c.errorf(r, "empty-value", "A volume is an empty path.", "write the absolute path of the volume", "empty volume")
			continue
		}
		if lit, ok := c.template(v, vfb, nil); ok && !strings.HasPrefix(lit, "/") {
			c.errorf(r, "relative-path", fmt.Sprintf("Volume %q is not an absolute path; a container runtime cannot create it.", lit),
				fmt.Sprintf("write it as %q", path.Join("/", lit)), "volume %q is not an absolute path", lit)
		}
	}
	if hc := cfg.Healthcheck; hc != nil {
		c.healthcheck(hc, or(hc.Range, fb))
	}
	if cfg.StopSignal.Set {
		if lit, ok := c.template(cfg.StopSignal, fb, nil); ok {
			c.signal(lit, or(cfg.StopSignal.Range, fb))
		}
	}
}

func (c *checker) healthcheck(hc *spec.Healthcheck, fb spec.Range) {
	fields := spec.HealthcheckFields(hc)
	if hc.None.Or(false) {
		var others []string
		for _, f := range fields {
			if f.Key.Name != "none" && f.IsSet() {
				others = append(others, f.Key.Name)
			}
		}
		if len(others) > 0 {
			c.errorf(or(hc.None.Range, fb), "healthcheck-conflict",
				fmt.Sprintf("With \"none\" set to true the health check is disabled, so %s would have no effect.", strings.Join(others, ", ")),
				"remove none, or remove the other settings", "healthcheck none cannot be combined with %s", strings.Join(others, ", "))
		}
	}
	if hc.Test.IsSet() {
		c.command(hc.Test, fb, "healthcheck", nil)
	}
	c.validate(fields, fb, "the healthcheck")
	if hc.Retries.Set && hc.Retries.V < 0 {
		c.errorf(or(hc.Retries.Range, fb), "invalid-retries",
			fmt.Sprintf("\"retries\" is %d; it counts the consecutive failures before the container is unhealthy, so it cannot be negative.", hc.Retries.V),
			"use 0 for the default (3), or a positive number", "invalid retries %d", hc.Retries.V)
	}
}
