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
// that the conversion changed; Line is 1-based (0 when unknown). Changed
// says the converted file does not do what the Dockerfile does (something
// is dropped, a value differs, or the result needs an edit before it
// builds); a finding without it explains a conversion that keeps the
// meaning. securefile convert refuses a conversion with a changed finding
// unless the user accepts it.
type Finding struct {
	Line    int
	Message string
	Changed bool
}

// String is the finding as convert prints it after the file name.
func (f Finding) String() string {
	kind := "note"
	if f.Changed {
		kind = "changed"
	}
	return fmt.Sprintf("%d: %s: %s", f.Line, kind, f.Message)
}

// Lossy reports whether any of findings says the meaning changed.
func Lossy(findings []Finding) bool {
	for _, f := range findings {
		if f.Changed {
			return true
		}
	}
	return false
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
	// argVals are the args' defaults, as the conversion expands them
	// (eval.go); an arg without a default has none.
	argVals  map[string]evald
	global   *scope            // what FROM and the global ARGs see
	scopes   map[string]*scope // by our stage name, at the stage's end
	stageIdx map[string]string // lower-case Dockerfile name or index -> our name
	secrets  map[string]*spec.Secret
	ssh      map[string]*spec.SSH
	caches   map[string]*spec.Cache
	// triggers are the ONBUILD instructions of each stage (our name);
	// inherited says a later stage is built on it (onbuild.go).
	// flags are the flags of the instruction at each line, as written
	// (a RUN's --mount fields, which the instructions keep expanded only).
	flags map[int][]string
	// used are the stage names taken, reserved those of the Dockerfile's
	// stages.
	used, reserved map[string]bool
	triggers       map[string][]trigger
	// imagesSeen are the base images a note about their triggers named.
	imagesSeen map[string]bool
	inherited  map[string]bool
}

// note records, once, a finding about a conversion that keeps the
// Dockerfile's meaning.
func (c *conv) note(line int, format string, a ...any) {
	c.find(Finding{Line: line, Message: fmt.Sprintf(format, a...)})
}

// changed records, once, a finding about a conversion that changes what
// the build does.
func (c *conv) changed(line int, format string, a ...any) {
	c.find(Finding{Line: line, Message: fmt.Sprintf(format, a...), Changed: true})
}

func (c *conv) find(fd Finding) {
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
		f:          &spec.File{},
		seen:       map[Finding]bool{},
		esc:        res.EscapeToken,
		names:      map[string]bool{},
		args:       map[string]*spec.Arg{},
		argVals:    map[string]evald{},
		global:     newScope(true),
		scopes:     map[string]*scope{},
		stageIdx:   map[string]string{},
		secrets:    map[string]*spec.Secret{},
		ssh:        map[string]*spec.SSH{},
		caches:     map[string]*spec.Cache{},
		flags:      map[int][]string{},
		used:       map[string]bool{},
		reserved:   map[string]bool{},
		triggers:   map[string][]trigger{},
		imagesSeen: map[string]bool{},
		inherited:  map[string]bool{},
	}
	for _, n := range res.AST.Children {
		c.flags[n.StartLine] = n.Flags
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
	c.triggerFindings()
	c.unusedArgs(src, metaArgs, stages)
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].Line < c.findings[j].Line })
	return c.f, c.findings, nil
}

// stages converts the stages in order, each under a name that is unique
// and valid in a Securefile, so that a later FROM or --from finds an
// earlier stage by its Dockerfile name or index (stageIdx).
func (c *conv) stages(stages []instructions.Stage, src []byte) error {
	used := c.used
	// A stage the conversion adds (shell.go) takes none of the names.
	for _, st := range stages {
		if n := sanitize(st.Name); n != "" {
			c.reserved[n] = true
		}
	}
	for i, st := range stages {
		last := i == len(stages)-1
		name := sanitize(st.Name)
		if name == "" || st.Name == "" {
			name = fmt.Sprintf("stage%d", i)
			if last && !used["default"] && targetStageRE.Match(src) {
				name = "default"
				c.note(stageLine(st), "the last stage has no name; named \"default\", the value a Dockerfile build without --target gives TARGETSTAGE")
			}
		}
		if used[name] {
			taken := name
			for used[name] {
				name += "_"
			}
			c.changed(stageLine(st), "stage name %q is already used by an earlier stage (as %q); renamed %q, and a later --from=%s names this stage (BuildKit rejects the duplicate: give the stages different names)", st.Name, taken, name, st.Name)
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
				c.note(lineOf(a), "ARG %s has no default and is not used; declared anyway (set it with --build-arg or remove it)", kv.Key)
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
	parent := c.stageIdx[strings.ToLower(base)]
	if parent == "" && strings.Contains(base, "$") {
		p, err := c.fromStage(base, line)
		if err != nil {
			return nil, &ParseError{Line: line, Err: err}
		}
		parent = p
	}
	switch {
	case strings.EqualFold(base, "scratch"):
		s.From = spec.Source{Set: true, Kind: spec.SourceScratch}
	case parent != "":
		s.From = spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of(parent)}
		// A stage built on another sees that stage's args and env.
		sc = c.scopes[parent].inherit()
	default:
		s.From = spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of(c.val(c.global, line, base))}
		c.imageTriggers(base, line)
	}
	if st.Platform != "" {
		s.Platform = spec.Of(c.val(c.global, line, st.Platform))
	}
	sc.finalShell = sc.shell
	if sh := lastShell(st.Commands); sh != nil {
		sc.finalShell = sh
	}
	if s.From.Kind == spec.SourceStage {
		if err := c.runTriggers(s, sc, s.From.Name.V); err != nil {
			return nil, err
		}
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
		c.changed(line, "MAINTAINER is deprecated; converted to the label \"maintainer\"")
	case *instructions.ExposeCommand:
		for _, p := range x.Ports {
			c.expose(s, sc, p, line)
		}
	case *instructions.VolumeCommand:
		for _, v := range x.Volumes {
			s.Config.Volumes = appendList(s.Config.Volumes, c.setting(sc, line, "VOLUME", v))
		}
	case *instructions.EntrypointCommand:
		s.Config.Entrypoint = c.containerCommand(sc, line, "ENTRYPOINT", x.ShellDependantCmdLine)
	case *instructions.CmdCommand:
		s.Config.Cmd = c.containerCommand(sc, line, "CMD", x.ShellDependantCmdLine)
	case *instructions.HealthCheckCommand:
		s.Config.Healthcheck = c.health(x, line)
	case *instructions.StopSignalCommand:
		s.Config.StopSignal = spec.Of(c.setting(sc, line, "STOPSIGNAL", x.Signal))
	case *instructions.ShellCommand:
		c.shell(s, sc, x, line)
	case *instructions.OnbuildCommand:
		c.addTrigger(s, x, line)
	default:
		c.changed(line, "%s has no equivalent; dropped", strings.ToUpper(cmd.Name()))
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
	c.copyStep(s, sc, x, false, line)
	// BuildKit copies the heredocs after the paths.
	c.heredocs(s, sc, "COPY", x.SourcesAndDest, x.Chown, x.Chmod, x.Link, x.ExcludePatterns, line)
}

// copyStep converts the paths of a COPY, or of the local sources of an ADD
// (unpack: extract archives).
func (c *conv) copyStep(s *spec.Stage, sc *scope, x *instructions.CopyCommand, unpack bool, line int) {
	if len(x.SourcePaths) == 0 {
		return
	}
	cp := &spec.Copy{From: c.source(line, x.From), Dest: spec.Of(c.val(sc, line, x.DestPath))}
	if unpack {
		cp.Unpack = spec.Of(true)
	}
	for _, p := range x.SourcePaths {
		cp.Sources = appendList(cp.Sources, c.val(sc, line, p))
		if v, err := c.eval(sc, p); err == nil && spec.HasWildcard(v.v) {
			c.note(line, "%s: a wildcard source that matches nothing fails the Securefile's copy, where the Dockerfile copies nothing for it", p)
		}
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
			local = append(local, src)
		}
	}
	if len(local) > 0 {
		// ADD extracts a local source that is a tar archive (by its
		// content, whatever its name) unless --unpack=false; copy with
		// unpack does the same.
		unpack := x.Unpack == nil || *x.Unpack
		if unpack {
			c.note(line, "ADD of local files converted to copy with unpack = true (a tar archive is extracted, as ADD does)")
		} else {
			c.note(line, "ADD of local files converted to copy (archives are not extracted)")
		}
		if x.Unpack != nil && *x.Unpack {
			c.note(line, "ADD --unpack=true: ADD extracts local archives without it too")
		}
		if x.Checksum != "" {
			c.changed(line, "ADD --checksum=%s: BuildKit accepts a checksum only for one http(s) or git source, so this Dockerfile does not build; dropped for the local files %s", x.Checksum, strings.Join(local, " "))
		}
		if x.KeepGitDir != nil && *x.KeepGitDir {
			c.note(line, "ADD --keep-git-dir: no effect on local files (BuildKit ignores it there too); dropped for %s", strings.Join(local, " "))
		}
		cc := &instructions.CopyCommand{SourcesAndDest: instructions.SourcesAndDest{DestPath: x.DestPath, SourcePaths: local},
			Chown: x.Chown, Chmod: x.Chmod, Link: x.Link, ExcludePatterns: x.ExcludePatterns}
		c.copyStep(s, sc, cc, unpack, line)
	}
	c.heredocs(s, sc, "ADD", x.SourcesAndDest, x.Chown, x.Chmod, x.Link, x.ExcludePatterns, line)
	if len(remote) > 0 {
		c.remoteFlags(x, remote, line)
	}
}

// remoteFlags reports the flags of an ADD that its add steps (for the
// remote sources) cannot carry: exclude, which add has only for git.
func (c *conv) remoteFlags(x *instructions.AddCommand, remote []string, line int) {
	var http []string
	for _, r := range remote {
		if !isGit(r) {
			http = append(http, r)
		}
	}
	if len(x.ExcludePatterns) > 0 && len(http) > 0 {
		c.changed(line, "ADD --exclude=%s: an http(s) add step has no exclude option; dropped for %s (BuildKit leaves the downloaded file out when its name matches)", strings.Join(x.ExcludePatterns, ","), strings.Join(http, " "))
	}
}

// addGit converts a git source of an ADD: its ref or commit from the
// fragment (or a commit --checksum), --keep-git-dir and the owner.
func (c *conv) addGit(sc *scope, x *instructions.AddCommand, src string, dest spec.Value[string], line int) *spec.Add {
	a := &spec.Add{Kind: spec.AddGit, Dest: dest}
	if x.Link {
		a.Link = spec.Of(true)
	}
	u, frag, _ := strings.Cut(src, "#")
	a.URL = spec.Of(c.val(sc, line, u))
	if strings.HasPrefix(u, "git@") || strings.HasPrefix(u, "ssh://") {
		c.changed(line, "ADD %s clones over ssh; BuildKit would trust whatever host key a scan returns, the Securefile requires a pinned one, so `securefile lint` reports it until an ssh declaration lists the host's key in known_hosts (ssh-keyscan once, check the fingerprint, commit the line)", u)
	}
	if ref, sub, _ := strings.Cut(frag, ":"); ref != "" {
		if commitRE.MatchString(ref) {
			a.Commit = spec.Of(ref)
		} else {
			a.Ref = spec.Of(c.val(sc, line, ref))
		}
		if sub != "" {
			a.Subdir = spec.Of(c.val(sc, line, sub))
		}
	} else if sub != "" {
		a.Subdir = spec.Of(c.val(sc, line, sub))
	}
	for _, e := range x.ExcludePatterns {
		a.Exclude = appendList(a.Exclude, escapeLit(e)) // not expanded by a Dockerfile
	}
	if x.KeepGitDir != nil && *x.KeepGitDir {
		a.KeepGitDir = spec.Of(true)
	}
	if x.Checksum != "" {
		if commitRE.MatchString(x.Checksum) && !a.Commit.Set {
			a.Commit = spec.Of(x.Checksum)
		} else {
			c.changed(line, "ADD %s: --checksum=%s not converted for git sources", src, x.Checksum)
		}
	}
	if x.Unpack != nil && *x.Unpack {
		c.note(line, "ADD --unpack=true: no effect on the git source %s (BuildKit ignores it there too); dropped", src)
	}
	c.addOwner(sc, a, x, line)
	return a
}

// addHTTP converts an http(s) source of an ADD: its checksum, which the
// Securefile requires, and the owner.
func (c *conv) addHTTP(sc *scope, x *instructions.AddCommand, src string, dest spec.Value[string], line int) *spec.Add {
	a := &spec.Add{Kind: spec.AddHTTP, URL: spec.Of(c.val(sc, line, src)), Dest: dest}
	if x.Link {
		a.Link = spec.Of(true)
	}
	if x.Checksum != "" {
		a.Checksum = spec.Of(c.val(sc, line, x.Checksum))
	} else {
		c.changed(line, "ADD %s has no --checksum; the Securefile requires one, so the add step is emitted without it and `securefile lint` reports it until you add checksum = \"sha256:...\"", src)
	}
	if x.KeepGitDir != nil && *x.KeepGitDir {
		c.note(line, "ADD --keep-git-dir: no effect on the http source %s (BuildKit ignores it there too); dropped", src)
	}
	if x.Unpack != nil && *x.Unpack {
		c.changed(line, "ADD --unpack=true %s: BuildKit extracts a downloaded archive, the add step does not; dropped (extract it in a run step)", src)
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
		if len(x.Files) == 1 && len(x.CmdLine) == 1 && parser.MustParseHeredoc(x.CmdLine[0]) != nil {
			// RUN <<EOF: the heredoc is the script (dockerfile2llb's
			// dispatchRun), its tabs stripped for <<-EOF.
			hd := x.Files[0]
			data := hd.Data
			if hd.Chomp {
				data = parser.ChompHeredocContent(data)
			}
			if strings.HasPrefix(data, "#!") {
				cmd = c.shebang(s, r, hd.Name, data, line)
			} else {
				cmd = data
			}
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
		if sh, ok := sc.execShell(); ok {
			// A later SHELL of the stage sets the stage's shell; this RUN
			// runs with the one before it.
			c.note(line, "RUN: a later SHELL sets the stage's shell; this RUN runs with %q, written in exec form", sh)
			r.Command.Exec = spec.ListOf(append(escapeAll(sh), c.commandText(line, "RUN", cmd, true))...)
		} else {
			text := c.commandText(line, "RUN", cmd, false)
			r.Command.Shell = spec.Of(text)
			named = spec.ShellNames(text)
		}
	} else {
		items := make([]string, len(x.CmdLine))
		for i, it := range x.CmdLine {
			items[i] = c.commandText(line, "RUN in exec form", it, true)
		}
		r.Command.Exec = spec.ListOf(items...)
		if len(x.Files) > 0 {
			c.changed(line, "RUN in exec form with a heredoc has no equivalent; the heredoc is dropped")
		}
	}
	c.runEnv(sc, r, named)
	// Mount options are only parsed on expansion: BuildKit expands every
	// field with the stage's environment, and so does the conversion
	// (eval.go); a field that names what it cannot know is refused.
	if err := x.Expand(func(w string) (string, error) {
		v, err := c.eval(sc, w)
		if err != nil {
			return "", err
		}
		if !v.known() {
			return "", fmt.Errorf("%q refers to $%s, which is not an ARG or ENV of the Dockerfile at this line (a variable of the base image, or an automatic arg): the conversion cannot expand it; write the value out", w, strings.Join(v.unknown, ", $"))
		}
		return v.v, nil
	}); err != nil {
		// BuildKit rejects the step too; dropping a secret mount silently
		// would be worse than stopping.
		return &ParseError{Line: line, Err: fmt.Errorf("RUN --mount: %w", err)}
	}
	raw := c.mountFields(line)
	for i, m := range instructions.GetMounts(x) {
		var fields [][2]string
		if len(raw) == len(instructions.GetMounts(x)) {
			fields = raw[i]
		}
		c.mount(r, m, c.mountTemplates(sc, m, fields, line), line)
	}
	for _, d := range instructions.GetDevices(x) {
		r.Devices = appendList(r.Devices, escapeLit(d.Name))
		if !d.Required {
			c.changed(line, "RUN --device=%s: optional in BuildKit (a daemon without the device runs the step without it); a run step's device is required, so such a daemon fails the step (write --device=%s,required to make both the same)", d.Name, d.Name)
		}
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
func (c *conv) mount(r *spec.Run, m *instructions.Mount, t mountTmpl, line int) {
	c.droppedMountOptions(m, line)
	switch m.Type {
	case instructions.MountTypeSecret:
		r.Secrets = append(r.Secrets, c.secretMount(m, t, line))
	case instructions.MountTypeSSH:
		r.SSH = append(r.SSH, c.sshMount(m, t, line))
	case instructions.MountTypeCache:
		r.Caches = append(r.Caches, c.cacheMount(m, t, line))
	case instructions.MountTypeBind:
		b := &spec.Bind{From: c.source(line, m.From), Target: spec.Of(tmplOr(t.target, m.Target))}
		if m.Source != "" && m.Source != "/" {
			b.Path = spec.Of(tmplOr(t.source, m.Source))
		}
		if !m.ReadOnly {
			b.ReadWrite = spec.Of(true)
		}
		r.Binds = append(r.Binds, b)
	case instructions.MountTypeTmpfs:
		tf := &spec.Tmpfs{Target: spec.Of(tmplOr(t.target, m.Target))}
		if m.SizeLimit > 0 {
			tf.Size = spec.Of(strconv.FormatInt(m.SizeLimit, 10))
		}
		r.Tmpfs = append(r.Tmpfs, tf)
	default:
		c.changed(line, "RUN --mount=type=%s has no equivalent; dropped", m.Type)
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
		c.note(line, "RUN --mount=type=%s: %s has no equivalent for a %s mount, and BuildKit ignores it there too; dropped", t, strings.Join(dropped, ", "), t)
	}
	if m.ReadOnly && t == instructions.MountTypeTmpfs {
		c.changed(line, "RUN --mount=type=tmpfs: readonly: a tmpfs mount of a run step has no read-only option, so it is writable; dropped")
	}
	if m.Source != "" && t == instructions.MountTypeSSH {
		c.changed(line, "RUN --mount=type=ssh: source=%s: BuildKit rejects a source for an ssh mount, so this Dockerfile does not build; dropped", m.Source)
	}
}

// secretMount is the name of the secret declaration a secret mount uses:
// an earlier one that mounts the same secret the same way, else a new one.
func (c *conv) secretMount(m *instructions.Mount, t mountTmpl, line int) spec.Value[string] {
	id, idTmpl := m.CacheID, t.id
	if m.Source != "" {
		// BuildKit reads source= of a secret mount as its id.
		id, idTmpl = m.Source, t.source
	}
	if id == "" {
		id = path.Base(m.Target)
	}
	sec := &spec.Secret{}
	if m.Target != "" {
		sec.Target = spec.Of(tmplOr(t.target, m.Target))
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
	if name != id || idTmpl != "" {
		sec.ID = spec.Of(tmplOr(idTmpl, id))
	}
	c.secrets[name] = sec
	c.f.Secrets = append(c.f.Secrets, sec)
	if !m.Required {
		c.note(line, "secret %s: optional, as BuildKit secret mounts are by default; declared with required = false (remove it to make a missing secret fail the build)", id)
	}
	return sec.Name
}

// sshMount is the name of the ssh declaration an ssh mount uses, as
// secretMount.
func (c *conv) sshMount(m *instructions.Mount, t mountTmpl, line int) spec.Value[string] {
	id := m.CacheID
	if id == "" {
		id = "default"
	}
	sh := &spec.SSH{}
	if id != "default" || t.id != "" {
		sh.ID = spec.Of(tmplOr(t.id, id))
	}
	if m.Target != "" {
		sh.Target = spec.Of(tmplOr(t.target, m.Target))
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
		c.note(line, "ssh %s: optional, as BuildKit ssh mounts are by default; declared with required = false", id)
	}
	return sh.Name
}

// cacheMount is the name of the cache declaration a cache mount uses, as
// secretMount.
func (c *conv) cacheMount(m *instructions.Mount, t mountTmpl, line int) spec.Value[string] {
	ca := &spec.Cache{Target: spec.Of(tmplOr(t.target, m.Target))}
	base := m.CacheID
	if base == "" {
		base = path.Base(m.Target)
		// BuildKit's default cache id is the target path.
		ca.ID = ca.Target
	} else if t.id != "" {
		ca.ID = spec.Of(t.id)
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
		c.changed(line, "cache mount source=%s: a cache seeds from the root of its source; the subpath is dropped", m.Source)
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
		ca.ID = spec.Of(escapeLit(id))
	}
	c.caches[name] = ca
	c.f.Caches = append(c.f.Caches, ca)
	return ca.Name
}

// tmplOr is the template tmpl of a mount field, or else its expanded
// value lit written as a template.
func tmplOr(tmpl, lit string) string {
	if tmpl != "" {
		return tmpl
	}
	return escapeLit(lit)
}

func sameSecret(a, b *spec.Secret, id string) bool {
	aid := a.ID.Or(a.Name.V)
	return aid == id && a.Target == b.Target && a.Env == b.Env && a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Required == b.Required
}
