// Package migrate converts a Dockerfile into the Securefile model. What has
// no equivalent is reported as a Finding, never silently dropped.
package migrate

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/ourorg/securefile/spec"
)

// Finding is something of the Dockerfile that has no exact equivalent, or
// that the conversion changed; Line is 1-based (0 when unknown).
type Finding struct {
	Line    int
	Message string
}

// ParseError is a Dockerfile syntax error with its line (0 when unknown).
type ParseError struct {
	Line int
	Err  error
}

func (e *ParseError) Error() string { return e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

type conv struct {
	f        *spec.File
	findings []Finding
	seen     map[Finding]bool
	esc      rune            // the Dockerfile's escape character
	names    map[string]bool // the valid names some ARG declares
	args     map[string]*spec.Arg
	global   *scope            // what FROM and the global ARGs see
	scopes   map[string]*scope // by our stage name, at the stage's end
	stageIdx map[string]string // lower-case Dockerfile name or index -> our name
	secrets  map[string]*spec.Secret
	ssh      map[string]*spec.SSH
	caches   map[string]*spec.Cache
}

// find records a finding once.
func (c *conv) find(line int, format string, a ...any) {
	fd := Finding{Line: line, Message: fmt.Sprintf(format, a...)}
	if !c.seen[fd] {
		c.seen[fd] = true
		c.findings = append(c.findings, fd)
	}
}

func lineOf(cmd interface{ Location() []parser.Range }) int {
	if loc := cmd.Location(); len(loc) > 0 {
		return loc[0].Start.Line
	}
	return 0
}

// Dockerfile converts src (the file named name) to a Securefile model.
// The error is a *ParseError when the Dockerfile does not parse; its
// message and the findings carry lines, the caller names the file.
func Dockerfile(name string, src []byte) (*spec.File, []Finding, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, nil, parseErr(src, err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, nil, parseErr(src, err)
	}
	c := &conv{
		f:        &spec.File{},
		seen:     map[Finding]bool{},
		esc:      res.EscapeToken,
		names:    map[string]bool{},
		args:     map[string]*spec.Arg{},
		global:   newScope(true),
		scopes:   map[string]*scope{},
		stageIdx: map[string]string{},
		secrets:  map[string]*spec.Secret{},
		ssh:      map[string]*spec.SSH{},
		caches:   map[string]*spec.Cache{},
	}
	// Args are file-wide in a Securefile: every template refers to any of
	// them, whichever stage declares it.
	for i := range metaArgs {
		c.declare(&metaArgs[i])
	}
	for _, st := range stages {
		for _, cmd := range st.Commands {
			if a, ok := cmd.(*instructions.ArgCommand); ok {
				c.declare(a)
			}
		}
	}
	// FROM sees the platform args and TARGETSTAGE undeclared
	// (dockerfile2llb's defaultArgs), and the global ARGs.
	for _, name := range spec.PlatformArgs {
		c.global.addArg(name)
	}
	c.global.addArg(spec.TargetStageArg)
	for i := range metaArgs {
		c.arg(&metaArgs[i], c.global)
	}
	if err := c.stages(stages, src); err != nil {
		return nil, nil, err
	}
	c.unusedArgs(src, metaArgs, stages)
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].Line < c.findings[j].Line })
	return c.f, c.findings, nil
}

// stages converts the stages in order, each under a name that is unique
// and valid in a Securefile, so that a later FROM or --from finds an
// earlier stage by its Dockerfile name or index (stageIdx).
func (c *conv) stages(stages []instructions.Stage, src []byte) error {
	used := map[string]bool{}
	for i, st := range stages {
		last := i == len(stages)-1
		name := sanitize(st.Name)
		if name == "" || st.Name == "" {
			name = fmt.Sprintf("stage%d", i)
			if last && !used["default"] && targetStageRE.Match(src) {
				name = "default"
				c.find(stageLine(st), "the last stage has no name; named \"default\", the value a Dockerfile build without --target gives TARGETSTAGE")
			}
		}
		if used[name] {
			taken := name
			for used[name] {
				name += "_"
			}
			c.find(stageLine(st), "stage name %q is already used by an earlier stage (as %q); renamed %q, and a later --from=%s names this stage (BuildKit rejects the duplicate: give the stages different names)", st.Name, taken, name, st.Name)
		}
		used[name] = true
		s, err := c.stage(st, name, last)
		if err != nil {
			return err
		}
		c.stageIdx[strings.ToLower(st.Name)] = name
		c.stageIdx[strconv.Itoa(i)] = name
		c.f.Stages = append(c.f.Stages, s)
	}
	return nil
}

// unusedArgs reports args without a default that nothing refers to.
func (c *conv) unusedArgs(src []byte, metaArgs []instructions.ArgCommand, stages []instructions.Stage) {
	check := func(a *instructions.ArgCommand) {
		for _, kv := range a.Args {
			if kv.Value != nil || spec.IsAutomaticArg(kv.Key) {
				continue
			}
			re := regexp.MustCompile(`\$\{?` + regexp.QuoteMeta(kv.Key) + `\b`)
			if !re.Match(src) {
				c.find(lineOf(a), "ARG %s has no default and is not used; declared anyway (set it with --build-arg or remove it)", kv.Key)
			}
		}
	}
	for i := range metaArgs {
		check(&metaArgs[i])
	}
	for _, st := range stages {
		for _, cmd := range st.Commands {
			if a, ok := cmd.(*instructions.ArgCommand); ok {
				check(a)
			}
		}
	}
}

var nameRE = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// sanitize makes s a valid Securefile name ([A-Za-z_][A-Za-z0-9_.-]*).
func sanitize(s string) string {
	s = nameRE.ReplaceAllString(s, "_")
	if s == "" {
		return ""
	}
	if c := s[0]; !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
		s = "_" + s
	}
	return s
}

func stageLine(st instructions.Stage) int {
	if len(st.Location) > 0 {
		return st.Location[0].Start.Line
	}
	return 0
}

func (c *conv) stage(st instructions.Stage, name string, last bool) (*spec.Stage, error) {
	s := &spec.Stage{Name: spec.Of(name)}
	line := stageLine(st)
	s.Comments = []string{fmt.Sprintf(" from Dockerfile line %d", line)}
	if last {
		s.Kind = spec.KindImage
	}
	sc := newScope(false)
	base := st.BaseName
	switch parent := c.stageIdx[strings.ToLower(base)]; {
	case strings.EqualFold(base, "scratch"):
		s.From = spec.Source{Set: true, Kind: spec.SourceScratch}
	case parent != "":
		s.From = spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of(parent)}
		// A stage built on another sees that stage's args and env.
		sc = c.scopes[parent].inherit()
	default:
		s.From = spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of(c.val(c.global, line, base))}
	}
	if st.Platform != "" {
		s.Platform = spec.Of(c.val(c.global, line, st.Platform))
	}
	for _, cmd := range st.Commands {
		if err := c.command(s, sc, cmd); err != nil {
			return nil, err
		}
	}
	c.scopes[name] = sc
	return s, nil
}

// command converts one instruction of a stage; the error is a
// *ParseError for an instruction BuildKit rejects and the conversion
// cannot drop without changing what the build does.
func (c *conv) command(s *spec.Stage, sc *scope, cmd instructions.Command) error {
	line := lineOf(cmd)
	switch x := cmd.(type) {
	case *instructions.ArgCommand:
		c.arg(x, sc)
	case *instructions.EnvCommand:
		c.env(s, sc, x, line)
	case *instructions.WorkdirCommand:
		s.Steps = append(s.Steps, &spec.Workdir{Path: spec.Of(c.val(sc, line, x.Path))})
	case *instructions.UserCommand:
		s.Steps = append(s.Steps, &spec.User{User: spec.Of(c.val(sc, line, x.User))})
	case *instructions.RunCommand:
		return c.run(s, sc, x, line)
	case *instructions.CopyCommand:
		c.copyCmd(s, sc, x, line)
	case *instructions.AddCommand:
		c.add(s, sc, x, line)
	case *instructions.LabelCommand:
		for _, kv := range x.Labels {
			s.Config.Labels = append(s.Config.Labels, &spec.KeyValue{Key: spec.Of(c.setting(sc, line, "LABEL", kv.Key)), Value: spec.Of(c.setting(sc, line, "LABEL", kv.Value))})
		}
	case *instructions.MaintainerCommand:
		// Not expanded by a Dockerfile.
		s.Config.Labels = append(s.Config.Labels, &spec.KeyValue{Key: spec.Of("maintainer"), Value: spec.Of(escapeLit(x.Maintainer))})
		c.find(line, "MAINTAINER is deprecated; converted to the label \"maintainer\"")
	case *instructions.ExposeCommand:
		for _, p := range x.Ports {
			s.Config.Expose = appendList(s.Config.Expose, c.setting(sc, line, "EXPOSE", p))
		}
	case *instructions.VolumeCommand:
		for _, v := range x.Volumes {
			s.Config.Volumes = appendList(s.Config.Volumes, c.setting(sc, line, "VOLUME", v))
		}
	case *instructions.EntrypointCommand:
		s.Config.Entrypoint = c.containerCommand(line, "ENTRYPOINT", x.ShellDependantCmdLine)
	case *instructions.CmdCommand:
		s.Config.Cmd = c.containerCommand(line, "CMD", x.ShellDependantCmdLine)
	case *instructions.HealthCheckCommand:
		s.Config.Healthcheck = c.health(x, line)
	case *instructions.StopSignalCommand:
		s.Config.StopSignal = spec.Of(c.setting(sc, line, "STOPSIGNAL", x.Signal))
	case *instructions.ShellCommand:
		c.find(line, "SHELL %s has no equivalent; run steps use /bin/sh -c (write the shell into each run command instead)", strings.Join(x.Shell, " "))
	case *instructions.OnbuildCommand:
		c.find(line, "ONBUILD %s has no equivalent; dropped", x.Expression)
	default:
		c.find(line, "%s has no equivalent; dropped", strings.ToUpper(cmd.Name()))
	}
	return nil
}

func appendList(l spec.List[string], v string) spec.List[string] {
	l.Set = true
	l.Items = append(l.Items, spec.Of(v))
	return l
}

func (c *conv) source(line int, from string) spec.Source {
	if from == "" {
		return spec.Source{}
	}
	if n, ok := c.stageIdx[strings.ToLower(from)]; ok {
		return spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of(n)}
	}
	// Not expanded by a Dockerfile (a variable there is an error).
	return spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of(escapeLit(from))}
}

func (c *conv) copyCmd(s *spec.Stage, sc *scope, x *instructions.CopyCommand, line int) {
	if len(x.SourceContents) > 0 {
		c.find(line, "COPY of a heredoc has no equivalent; write the file with a run step instead; dropped")
	}
	if len(x.SourcePaths) == 0 {
		return
	}
	cp := &spec.Copy{From: c.source(line, x.From), Dest: spec.Of(c.val(sc, line, x.DestPath))}
	for _, p := range x.SourcePaths {
		cp.Sources = appendList(cp.Sources, c.val(sc, line, p))
	}
	if x.Chown != "" {
		cp.Chown = spec.Of(c.val(sc, line, x.Chown))
	}
	if x.Chmod != "" {
		cp.Chmod = spec.Of(c.val(sc, line, x.Chmod))
	}
	if x.Link {
		cp.Link = spec.Of(true)
	}
	if x.Parents {
		cp.Parents = spec.Of(true)
	}
	for _, e := range x.ExcludePatterns {
		cp.Exclude = appendList(cp.Exclude, escapeLit(e)) // not expanded by a Dockerfile
	}
	s.Steps = append(s.Steps, cp)
}

var archiveRE = regexp.MustCompile(`(?i)\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst|lz4))$`)

func isGit(u string) bool {
	return strings.HasPrefix(u, "git@") || strings.HasPrefix(u, "git://") ||
		strings.HasPrefix(u, "ssh://") ||
		(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && strings.Contains(strings.SplitN(u, "#", 2)[0], ".git")
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// add converts an ADD: a git or http(s) source becomes an add step, local
// sources one copy step. The flags an add step has no key for are
// reported for the remote sources, never dropped silently.
func (c *conv) add(s *spec.Stage, sc *scope, x *instructions.AddCommand, line int) {
	if len(x.SourceContents) > 0 {
		c.find(line, "ADD of a heredoc has no equivalent; write the file with a run step instead; dropped")
	}
	dest := spec.Of(c.val(sc, line, x.DestPath))
	var local, remote []string
	for _, src := range x.SourcePaths {
		switch {
		case isGit(src):
			s.Steps = append(s.Steps, c.addGit(sc, x, src, dest, line))
			remote = append(remote, src)
		case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
			s.Steps = append(s.Steps, c.addHTTP(sc, x, src, dest, line))
			remote = append(remote, src)
		default:
			if archiveRE.MatchString(src) && (x.Unpack == nil || *x.Unpack) {
				c.find(line, "ADD %s: a local archive is auto-extracted by ADD, but copy does not extract; converted to copy (extract it in a run step)", src)
			} else if x.Unpack != nil && *x.Unpack {
				c.find(line, "ADD --unpack=true %s: ADD extracts the file if it is an archive, copy does not extract; converted to copy (extract it in a run step)", src)
			}
			local = append(local, src)
		}
	}
	if len(local) > 0 {
		c.find(line, "ADD of local files converted to copy")
		if x.Checksum != "" {
			c.find(line, "ADD --checksum=%s: BuildKit accepts a checksum only for one http(s) or git source, so this Dockerfile does not build; dropped for the local files %s", x.Checksum, strings.Join(local, " "))
		}
		if x.KeepGitDir != nil && *x.KeepGitDir {
			c.find(line, "ADD --keep-git-dir: no effect on local files (BuildKit ignores it there too); dropped for %s", strings.Join(local, " "))
		}
		cc := &instructions.CopyCommand{SourcesAndDest: instructions.SourcesAndDest{DestPath: x.DestPath, SourcePaths: local},
			Chown: x.Chown, Chmod: x.Chmod, Link: x.Link, ExcludePatterns: x.ExcludePatterns}
		c.copyCmd(s, sc, cc, line)
	}
	if len(remote) > 0 {
		c.remoteFlags(x, remote, line)
	}
}

// remoteFlags reports the flags of an ADD that its add steps (for the
// remote sources) cannot carry: the Securefile's add has no link or
// exclude key.
func (c *conv) remoteFlags(x *instructions.AddCommand, remote []string, line int) {
	srcs := strings.Join(remote, " ")
	if x.Link {
		c.find(line, "ADD --link: add steps have no link option; dropped for %s, which is added as a layer on the stage's files, not as an independent layer", srcs)
	}
	if len(x.ExcludePatterns) > 0 {
		c.find(line, "ADD --exclude=%s: add steps have no exclude option; dropped for %s, which is added whole", strings.Join(x.ExcludePatterns, ","), srcs)
	}
}

// addGit converts a git source of an ADD: its ref or commit from the
// fragment (or a commit --checksum), --keep-git-dir and the owner.
func (c *conv) addGit(sc *scope, x *instructions.AddCommand, src string, dest spec.Value[string], line int) *spec.Add {
	a := &spec.Add{Kind: spec.AddGit, Dest: dest}
	u, frag, _ := strings.Cut(src, "#")
	a.URL = spec.Of(c.val(sc, line, u))
	if strings.HasPrefix(u, "git@") || strings.HasPrefix(u, "ssh://") {
		c.find(line, "ADD %s clones over ssh; BuildKit would trust whatever host key a scan returns, the Securefile requires a pinned one, so `securefile lint` reports it until an ssh declaration lists the host's key in known_hosts (ssh-keyscan once, check the fingerprint, commit the line)", u)
	}
	if ref, sub, _ := strings.Cut(frag, ":"); ref != "" {
		if commitRE.MatchString(ref) {
			a.Commit = spec.Of(ref)
		} else {
			a.Ref = spec.Of(c.val(sc, line, ref))
		}
		if sub != "" {
			c.find(line, "ADD %s: the subdirectory %q of a git source has no equivalent; the whole repository is added", src, sub)
		}
	}
	if x.KeepGitDir != nil && *x.KeepGitDir {
		a.KeepGitDir = spec.Of(true)
	}
	if x.Checksum != "" {
		if commitRE.MatchString(x.Checksum) && !a.Commit.Set {
			a.Commit = spec.Of(x.Checksum)
		} else {
			c.find(line, "ADD %s: --checksum=%s not converted for git sources", src, x.Checksum)
		}
	}
	if x.Unpack != nil && *x.Unpack {
		c.find(line, "ADD --unpack=true: no effect on the git source %s (BuildKit ignores it there too); dropped", src)
	}
	c.addOwner(sc, a, x, line)
	return a
}

// addHTTP converts an http(s) source of an ADD: its checksum, which the
// Securefile requires, and the owner.
func (c *conv) addHTTP(sc *scope, x *instructions.AddCommand, src string, dest spec.Value[string], line int) *spec.Add {
	a := &spec.Add{Kind: spec.AddHTTP, URL: spec.Of(c.val(sc, line, src)), Dest: dest}
	if x.Checksum != "" {
		a.Checksum = spec.Of(c.val(sc, line, x.Checksum))
	} else {
		c.find(line, "ADD %s has no --checksum; the Securefile requires one, so the add step is emitted without it and `securefile lint` reports it until you add checksum = \"sha256:...\"", src)
	}
	if x.KeepGitDir != nil && *x.KeepGitDir {
		c.find(line, "ADD --keep-git-dir: no effect on the http source %s (BuildKit ignores it there too); dropped", src)
	}
	if x.Unpack != nil && *x.Unpack {
		c.find(line, "ADD --unpack=true %s: BuildKit extracts a downloaded archive, the add step does not; dropped (extract it in a run step)", src)
	}
	c.addOwner(sc, a, x, line)
	return a
}

func (c *conv) addOwner(sc *scope, a *spec.Add, x *instructions.AddCommand, line int) {
	if x.Chown != "" {
		a.Chown = spec.Of(c.val(sc, line, x.Chown))
	}
	if x.Chmod != "" {
		a.Chmod = spec.Of(c.val(sc, line, x.Chmod))
	}
}

func (c *conv) run(s *spec.Stage, sc *scope, x *instructions.RunCommand, line int) error {
	r := &spec.Run{}
	var named []string
	if x.PrependShell {
		cmd := strings.Join(x.CmdLine, " ")
		if len(x.Files) == 1 && len(x.CmdLine) == 1 && strings.TrimLeft(strings.TrimPrefix(x.CmdLine[0], "<<"), "-") == x.Files[0].Name {
			// RUN <<EOF: the heredoc is the script.
			cmd = x.Files[0].Data
			x.Files = nil
		}
		for _, f := range x.Files {
			data := f.Data
			if !strings.HasSuffix(data, "\n") {
				data += "\n"
			}
			cmd += "\n" + data + f.Name
		}
		c.runNames(sc, line, spec.ShellNames(cmd))
		text := c.commandText(line, "RUN", cmd, false)
		r.Command.Shell = spec.Of(text)
		named = spec.ShellNames(text)
	} else {
		items := make([]string, len(x.CmdLine))
		for i, it := range x.CmdLine {
			items[i] = c.commandText(line, "RUN in exec form", it, true)
		}
		r.Command.Exec = spec.ListOf(items...)
		if len(x.Files) > 0 {
			c.find(line, "RUN in exec form with a heredoc has no equivalent; the heredoc is dropped")
		}
	}
	c.runEnv(sc, r, named)
	// Mount options are only parsed on expansion; expand without changing
	// anything (a variable in them is kept as text).
	if err := x.Expand(func(w string) (string, error) {
		if strings.Contains(w, "$") {
			c.find(line, "RUN --mount option %q: a variable in a mount option is not converted; kept as text", w)
		}
		return w, nil
	}); err != nil {
		// BuildKit rejects the step too; dropping a secret mount silently
		// would be worse than stopping.
		return &ParseError{Line: line, Err: fmt.Errorf("RUN --mount: %w", err)}
	}
	for _, m := range instructions.GetMounts(x) {
		c.mount(r, m, line)
	}
	for _, d := range instructions.GetDevices(x) {
		c.find(line, "RUN --device=%s has no equivalent (a run step gets no CDI device); dropped", d.Name)
	}
	if n := instructions.GetNetwork(x); n != "" && n != "default" {
		r.Network = spec.Of(n)
	}
	if sec := instructions.GetSecurity(x); sec == "insecure" {
		r.Security = spec.Of(sec)
	}
	s.Steps = append(s.Steps, r)
	return nil
}

func octal(p *uint64) spec.Value[string] {
	if p == nil {
		return spec.Value[string]{}
	}
	return spec.Of(fmt.Sprintf("%04o", *p))
}

func intv(p *uint64) spec.Value[int] {
	if p == nil {
		return spec.Value[int]{}
	}
	return spec.Of(int(*p))
}

func unique[T any](m map[string]T, base string) string {
	name := base
	for i := 2; ; i++ {
		if _, ok := m[name]; !ok {
			return name
		}
		name = fmt.Sprintf("%s_%d", base, i)
	}
}

// mount converts one RUN --mount: a secret, ssh or cache mount becomes a
// declaration of the file (one per distinct mount, reused by the runs that
// mount the same) that the run step names; a bind or tmpfs mount is the
// run step's own.
func (c *conv) mount(r *spec.Run, m *instructions.Mount, line int) {
	c.droppedMountOptions(m, line)
	switch m.Type {
	case instructions.MountTypeSecret:
		r.Secrets = append(r.Secrets, c.secretMount(m, line))
	case instructions.MountTypeSSH:
		r.SSH = append(r.SSH, c.sshMount(m, line))
	case instructions.MountTypeCache:
		r.Caches = append(r.Caches, c.cacheMount(m, line))
	case instructions.MountTypeBind:
		b := &spec.Bind{From: c.source(line, m.From), Target: spec.Of(m.Target)}
		if m.Source != "" && m.Source != "/" {
			b.Path = spec.Of(m.Source)
		}
		if !m.ReadOnly {
			b.ReadWrite = spec.Of(true)
		}
		r.Binds = append(r.Binds, b)
	case instructions.MountTypeTmpfs:
		t := &spec.Tmpfs{Target: spec.Of(m.Target)}
		if m.SizeLimit > 0 {
			t.Size = spec.Of(strconv.FormatInt(m.SizeLimit, 10))
		}
		r.Tmpfs = append(r.Tmpfs, t)
	default:
		c.find(line, "RUN --mount=type=%s has no equivalent; dropped", m.Type)
	}
}

// droppedMountOptions reports the options BuildKit accepts for a mount of
// its type that the Securefile has no key for: most have no use there in
// BuildKit either, but a conversion that drops one is never silent.
func (c *conv) droppedMountOptions(m *instructions.Mount, line int) {
	t := m.Type
	var dropped []string
	if m.CacheID != "" && (t == instructions.MountTypeBind || t == instructions.MountTypeTmpfs) {
		dropped = append(dropped, "id="+m.CacheID)
	}
	if m.Env != nil && t != instructions.MountTypeSecret {
		dropped = append(dropped, "env="+*m.Env)
	}
	if !m.ReadOnly && (t == instructions.MountTypeSecret || t == instructions.MountTypeSSH) {
		// A secret or an agent socket is mounted read-only whatever
		// readonly says.
		dropped = append(dropped, "readonly=false")
	}
	if m.From != "" && (t == instructions.MountTypeTmpfs || t == instructions.MountTypeSSH) {
		dropped = append(dropped, "from="+m.From)
	}
	if m.Source != "" && t == instructions.MountTypeTmpfs {
		dropped = append(dropped, "source="+m.Source)
	}
	if len(dropped) > 0 {
		c.find(line, "RUN --mount=type=%s: %s has no equivalent for a %s mount; dropped", t, strings.Join(dropped, ", "), t)
	}
	if m.ReadOnly && t == instructions.MountTypeTmpfs {
		c.find(line, "RUN --mount=type=tmpfs: readonly: a tmpfs mount of a run step has no read-only option, so it is writable; dropped")
	}
	if m.Source != "" && t == instructions.MountTypeSSH {
		c.find(line, "RUN --mount=type=ssh: source=%s: BuildKit rejects a source for an ssh mount, so this Dockerfile does not build; dropped", m.Source)
	}
}

// secretMount is the name of the secret declaration a secret mount uses:
// an earlier one that mounts the same secret the same way, else a new one.
func (c *conv) secretMount(m *instructions.Mount, line int) spec.Value[string] {
	id := m.CacheID
	if m.Source != "" {
		// BuildKit reads source= of a secret mount as its id.
		id = m.Source
	}
	if id == "" {
		id = path.Base(m.Target)
	}
	sec := &spec.Secret{}
	if m.Target != "" {
		sec.Target = spec.Of(m.Target)
	}
	if m.Env != nil && *m.Env != "" {
		sec.Env = spec.Of(*m.Env)
	}
	sec.Mode, sec.UID, sec.GID = octal(m.Mode), intv(m.UID), intv(m.GID)
	if !m.Required {
		sec.Required = spec.Of(false)
	}
	name := sanitize(id)
	if name == "" {
		name = "secret"
	}
	if prev, ok := c.secrets[name]; ok && sameSecret(prev, sec, id) {
		return prev.Name
	}
	name = unique(c.secrets, name)
	sec.Name = spec.Of(name)
	if name != id {
		sec.ID = spec.Of(id)
	}
	c.secrets[name] = sec
	c.f.Secrets = append(c.f.Secrets, sec)
	if !m.Required {
		c.find(line, "secret %s: optional, as BuildKit secret mounts are by default; declared with required = false (remove it to make a missing secret fail the build)", id)
	}
	return sec.Name
}

// sshMount is the name of the ssh declaration an ssh mount uses, as
// secretMount.
func (c *conv) sshMount(m *instructions.Mount, line int) spec.Value[string] {
	id := m.CacheID
	if id == "" {
		id = "default"
	}
	sh := &spec.SSH{}
	if id != "default" {
		sh.ID = spec.Of(id)
	}
	if m.Target != "" {
		sh.Target = spec.Of(m.Target)
	}
	sh.Mode, sh.UID, sh.GID = octal(m.Mode), intv(m.UID), intv(m.GID)
	if !m.Required {
		sh.Required = spec.Of(false)
	}
	name := sanitize(id)
	if prev, ok := c.ssh[name]; ok && prev.Target == sh.Target && prev.Required == sh.Required && prev.Mode == sh.Mode {
		return prev.Name
	}
	name = unique(c.ssh, name)
	sh.Name = spec.Of(name)
	c.ssh[name] = sh
	c.f.SSH = append(c.f.SSH, sh)
	if !m.Required {
		c.find(line, "ssh %s: optional, as BuildKit ssh mounts are by default; declared with required = false", id)
	}
	return sh.Name
}

// cacheMount is the name of the cache declaration a cache mount uses, as
// secretMount.
func (c *conv) cacheMount(m *instructions.Mount, line int) spec.Value[string] {
	ca := &spec.Cache{Target: spec.Of(m.Target)}
	base := m.CacheID
	if base == "" {
		base = path.Base(m.Target)
		// BuildKit's default cache id is the target path.
		ca.ID = spec.Of(m.Target)
	}
	if m.CacheSharing != "" && m.CacheSharing != instructions.MountSharingShared {
		ca.Sharing = spec.Of(string(m.CacheSharing))
	}
	ca.Mode, ca.UID, ca.GID = octal(m.Mode), intv(m.UID), intv(m.GID)
	if m.ReadOnly {
		ca.ReadOnly = spec.Of(true)
	}
	if m.From != "" {
		ca.From = c.source(line, m.From)
	}
	if m.Source != "" {
		c.find(line, "cache mount source=%s: a cache seeds from the root of its source; the subpath is dropped", m.Source)
	}
	name := sanitize(base)
	if name == "" {
		name = "cache"
	}
	id := base
	if prev, ok := c.caches[name]; ok && prev.Target == ca.Target && prev.ID == ca.ID && prev.Sharing == ca.Sharing && prev.ReadOnly == ca.ReadOnly && prev.From.Name == ca.From.Name {
		return prev.Name
	}
	name = unique(c.caches, name)
	ca.Name = spec.Of(name)
	if !ca.ID.Set && name != id {
		ca.ID = spec.Of(id)
	}
	c.caches[name] = ca
	c.f.Caches = append(c.f.Caches, ca)
	return ca.Name
}

func sameSecret(a, b *spec.Secret, id string) bool {
	aid := a.ID.Or(a.Name.V)
	return aid == id && a.Target == b.Target && a.Env == b.Env && a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Required == b.Required
}
