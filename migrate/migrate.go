// Package migrate converts a Dockerfile into the Securefile model. What has
// no equivalent is reported as a Finding, never silently dropped.
package migrate

import (
	"bytes"
	"errors"
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

var platformArgs = map[string]bool{
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true,
}

type conv struct {
	f        *spec.File
	findings []Finding
	args     map[string]*spec.Arg
	stageIdx map[string]string // lower-case Dockerfile name or index -> our name
	secrets  map[string]*spec.Secret
	ssh      map[string]*spec.SSH
	caches   map[string]*spec.Cache
	platform map[string]bool // platform args some ARG declares
}

func (c *conv) find(line int, format string, a ...any) {
	c.findings = append(c.findings, Finding{Line: line, Message: fmt.Sprintf(format, a...)})
}

func lineOf(cmd interface{ Location() []parser.Range }) int {
	if loc := cmd.Location(); len(loc) > 0 {
		return loc[0].Start.Line
	}
	return 0
}

// Dockerfile converts src (named name, for messages) to a Securefile model.
// The error is a *ParseError when the Dockerfile does not parse.
func Dockerfile(name string, src []byte) (f *spec.File, findings []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			if pe, ok := r.(*ParseError); ok {
				f, findings, err = nil, nil, pe
				return
			}
			f, findings, err = nil, nil, &ParseError{Err: fmt.Errorf("%s: cannot convert: %v", name, r)}
		}
	}()
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, nil, parseErr(err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, nil, parseErr(err)
	}
	c := &conv{
		f:        &spec.File{},
		args:     map[string]*spec.Arg{},
		stageIdx: map[string]string{},
		secrets:  map[string]*spec.Secret{},
		ssh:      map[string]*spec.SSH{},
		caches:   map[string]*spec.Cache{},
		platform: map[string]bool{},
	}
	for i := range metaArgs {
		c.arg(&metaArgs[i], "")
	}
	used := map[string]bool{}
	for i, st := range stages {
		name := sanitize(st.Name)
		if name == "" || st.Name == "" {
			name = fmt.Sprintf("stage%d", i)
		}
		for used[name] {
			name += "_"
		}
		used[name] = true
		// Args declared inside stages are file-level args here; collect
		// them first so interpolation in this stage can see them.
		for _, cmd := range st.Commands {
			if a, ok := cmd.(*instructions.ArgCommand); ok {
				c.arg(a, name)
			}
		}
		s := c.stage(st, name, i == len(stages)-1)
		c.stageIdx[strings.ToLower(st.Name)] = name
		c.stageIdx[strconv.Itoa(i)] = name
		c.f.Stages = append(c.f.Stages, s)
	}
	c.unusedArgs(src, metaArgs, stages)
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].Line < c.findings[j].Line })
	return c.f, c.findings, nil
}

// unusedArgs reports args without a default that nothing refers to.
func (c *conv) unusedArgs(src []byte, metaArgs []instructions.ArgCommand, stages []instructions.Stage) {
	check := func(a *instructions.ArgCommand) {
		for _, kv := range a.Args {
			if kv.Value != nil || platformArgs[kv.Key] {
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

func parseErr(err error) error {
	var le *parser.LocationError
	line := 0
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	return &ParseError{Line: line, Err: err}
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

var argNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (c *conv) arg(a *instructions.ArgCommand, stage string) {
	line := lineOf(a)
	for _, kv := range a.Args {
		if platformArgs[kv.Key] {
			c.platform[kv.Key] = true // automatic in the Securefile
			continue
		}
		if !argNameRE.MatchString(kv.Key) {
			c.find(line, "ARG %s: not a valid arg name; dropped", kv.Key)
			continue
		}
		def := ""
		if kv.Value != nil {
			def = *kv.Value
		}
		if prev, ok := c.args[kv.Key]; ok {
			if prev.Default.V != def && kv.Value != nil {
				c.find(line, "ARG %s: declared again with default %q; args are file-wide in a Securefile, keeping the first default %q", kv.Key, def, prev.Default.V)
			}
			continue
		}
		sa := &spec.Arg{Name: spec.Of(kv.Key)}
		c.args[kv.Key] = sa // declared before its default is translated: defaults may refer to earlier args only
		if def != "" {
			sa.Default = spec.Of(c.interp(line, def))
		}
		c.f.Args = append(c.f.Args, sa)
	}
}

// interp rewrites Dockerfile variable references in a non-RUN value: args
// become ${NAME}; anything else (ENV variables) cannot be expressed and is
// kept literally, with a Finding.
func (c *conv) interp(line int, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\\' && i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			if i+2 < len(s) && s[i+2] == '{' {
				b.WriteByte('$')
			}
			i++
			continue
		}
		if ch != '$' {
			b.WriteByte(ch)
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString("$$")
				continue
			}
			inner := s[i+2 : i+end]
			name := inner
			if k := strings.IndexAny(inner, ":-+?#%/"); k >= 0 {
				name = inner[:k]
			}
			mod := inner[len(name):]
			if c.known(name) && mod != "" && !strings.HasPrefix(mod, ":-") && !strings.HasPrefix(mod, ":+") {
				c.find(line, "${%s}: only the :- and :+ forms exist in a Securefile; kept literally", inner)
				b.WriteString("$" + s[i:i+end+1])
			} else if c.known(name) {
				b.WriteString(s[i : i+end+1])
			} else {
				c.find(line, "${%s} is not a build arg (an ENV variable?); the Securefile has no reference to env values, kept literally", name)
				b.WriteString("$" + s[i:i+end+1])
			}
			i += end
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || j > i+1 && s[j] >= '0' && s[j] <= '9') {
			j++
		}
		name := s[i+1 : j]
		switch {
		case name == "":
			b.WriteByte('$')
		case c.known(name):
			b.WriteString("${" + name + "}")
		default:
			c.find(line, "$%s is not a build arg (an ENV variable?); the Securefile has no reference to env values, kept literally", name)
			b.WriteString("$" + name)
		}
		i = j - 1
	}
	return b.String()
}

func (c *conv) known(name string) bool {
	_, ok := c.args[name]
	return ok || platformArgs[name]
}

func (c *conv) stage(st instructions.Stage, name string, last bool) *spec.Stage {
	s := &spec.Stage{Name: spec.Of(name)}
	line := 0
	if len(st.Location) > 0 {
		line = st.Location[0].Start.Line
	}
	s.Comments = []string{fmt.Sprintf(" from Dockerfile line %d", line)}
	if last {
		s.Kind = spec.KindImage
	}
	base := st.BaseName
	switch {
	case strings.EqualFold(base, "scratch"):
		s.From = spec.Source{Set: true, Kind: spec.SourceScratch}
	case c.stageIdx[strings.ToLower(base)] != "":
		s.From = spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of(c.stageIdx[strings.ToLower(base)])}
	default:
		s.From = spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of(c.interp(line, base))}
	}
	if st.Platform != "" {
		s.Platform = spec.Of(c.interp(line, st.Platform))
	}
	for _, cmd := range st.Commands {
		c.command(s, cmd)
	}
	return s
}

func (c *conv) command(s *spec.Stage, cmd instructions.Command) {
	line := lineOf(cmd)
	switch x := cmd.(type) {
	case *instructions.ArgCommand:
		// handled as file-level args
	case *instructions.EnvCommand:
		e := &spec.Env{}
		for _, kv := range x.Env {
			e.Vars = append(e.Vars, &spec.KeyValue{Key: spec.Of(kv.Key), Value: spec.Of(c.interp(line, unquoteWord(kv.Value)))})
		}
		s.Steps = append(s.Steps, e)
	case *instructions.WorkdirCommand:
		s.Steps = append(s.Steps, &spec.Workdir{Path: spec.Of(c.interp(line, x.Path))})
	case *instructions.UserCommand:
		s.Steps = append(s.Steps, &spec.User{User: spec.Of(c.interp(line, x.User))})
	case *instructions.RunCommand:
		c.run(s, x, line)
	case *instructions.CopyCommand:
		c.copyCmd(s, x, line)
	case *instructions.AddCommand:
		c.add(s, x, line)
	case *instructions.LabelCommand:
		for _, kv := range x.Labels {
			s.Config.Labels = append(s.Config.Labels, &spec.KeyValue{Key: spec.Of(unquoteWord(kv.Key)), Value: spec.Of(c.interp(line, unquoteWord(kv.Value)))})
		}
	case *instructions.MaintainerCommand:
		s.Config.Labels = append(s.Config.Labels, &spec.KeyValue{Key: spec.Of("maintainer"), Value: spec.Of(c.interp(line, x.Maintainer))})
		c.find(line, "MAINTAINER is deprecated; converted to the label \"maintainer\"")
	case *instructions.ExposeCommand:
		for _, p := range x.Ports {
			s.Config.Expose = appendList(s.Config.Expose, c.interp(line, p))
		}
	case *instructions.VolumeCommand:
		for _, v := range x.Volumes {
			s.Config.Volumes = appendList(s.Config.Volumes, c.interp(line, v))
		}
	case *instructions.EntrypointCommand:
		s.Config.Entrypoint = command(x.ShellDependantCmdLine)
	case *instructions.CmdCommand:
		s.Config.Cmd = command(x.ShellDependantCmdLine)
	case *instructions.HealthCheckCommand:
		s.Config.Healthcheck = c.health(x, line)
	case *instructions.StopSignalCommand:
		s.Config.StopSignal = spec.Of(c.interp(line, x.Signal))
	case *instructions.ShellCommand:
		c.find(line, "SHELL %s has no equivalent; run steps use /bin/sh -c (write the shell into each run command instead)", strings.Join(x.Shell, " "))
	case *instructions.OnbuildCommand:
		c.find(line, "ONBUILD %s has no equivalent; dropped", x.Expression)
	default:
		c.find(line, "%s has no equivalent; dropped", strings.ToUpper(cmd.Name()))
	}
}

func appendList(l spec.List[string], v string) spec.List[string] {
	l.Set = true
	l.Items = append(l.Items, spec.Of(v))
	return l
}

func command(cl instructions.ShellDependantCmdLine) spec.Command {
	if cl.PrependShell {
		return spec.Command{Shell: spec.Of(strings.Join(cl.CmdLine, " "))}
	}
	return spec.Command{Exec: spec.ListOf(cl.CmdLine...)}
}

func (c *conv) health(x *instructions.HealthCheckCommand, line int) *spec.Healthcheck {
	h := &spec.Healthcheck{}
	hc := x.Health
	if hc == nil {
		return h
	}
	switch {
	case len(hc.Test) > 0 && hc.Test[0] == "NONE":
		h.None = spec.Of(true)
		return h
	case len(hc.Test) > 1 && hc.Test[0] == "CMD-SHELL":
		h.Test = spec.Command{Shell: spec.Of(strings.Join(hc.Test[1:], " "))}
	case len(hc.Test) > 0 && hc.Test[0] == "CMD":
		h.Test = spec.Command{Exec: spec.ListOf(hc.Test[1:]...)}
	}
	if hc.Interval > 0 {
		h.Interval = spec.Of(hc.Interval.String())
	}
	if hc.Timeout > 0 {
		h.Timeout = spec.Of(hc.Timeout.String())
	}
	if hc.StartPeriod > 0 {
		h.StartPeriod = spec.Of(hc.StartPeriod.String())
	}
	if hc.StartInterval > 0 {
		h.StartInterval = spec.Of(hc.StartInterval.String())
	}
	if hc.Retries > 0 {
		h.Retries = spec.Of(hc.Retries)
	}
	return h
}

func (c *conv) source(line int, from string) spec.Source {
	if from == "" {
		return spec.Source{}
	}
	if n, ok := c.stageIdx[strings.ToLower(from)]; ok {
		return spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of(n)}
	}
	return spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of(c.interp(line, from))}
}

func (c *conv) copyCmd(s *spec.Stage, x *instructions.CopyCommand, line int) {
	if len(x.SourceContents) > 0 {
		c.find(line, "COPY of a heredoc has no equivalent; write the file with a run step instead; dropped")
	}
	if len(x.SourcePaths) == 0 {
		return
	}
	cp := &spec.Copy{From: c.source(line, x.From), Dest: spec.Of(c.interp(line, x.DestPath))}
	for _, p := range x.SourcePaths {
		cp.Sources = appendList(cp.Sources, c.interp(line, p))
	}
	if x.Chown != "" {
		cp.Chown = spec.Of(c.interp(line, x.Chown))
	}
	if x.Chmod != "" {
		cp.Chmod = spec.Of(c.interp(line, x.Chmod))
	}
	if x.Link {
		cp.Link = spec.Of(true)
	}
	if x.Parents {
		cp.Parents = spec.Of(true)
	}
	for _, e := range x.ExcludePatterns {
		cp.Exclude = appendList(cp.Exclude, c.interp(line, e))
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

func (c *conv) add(s *spec.Stage, x *instructions.AddCommand, line int) {
	if len(x.SourceContents) > 0 {
		c.find(line, "ADD of a heredoc has no equivalent; write the file with a run step instead; dropped")
	}
	dest := spec.Of(c.interp(line, x.DestPath))
	var local []string
	for _, src := range x.SourcePaths {
		switch {
		case isGit(src):
			a := &spec.Add{Kind: spec.AddGit, Dest: dest}
			u, frag, _ := strings.Cut(src, "#")
			a.URL = spec.Of(c.interp(line, u))
			if strings.HasPrefix(u, "git@") || strings.HasPrefix(u, "ssh://") {
				c.find(line, "ADD %s clones over ssh; BuildKit would trust whatever host key a scan returns, the Securefile requires a pinned one, so `securefile lint` reports it until an ssh declaration lists the host's key in known_hosts (ssh-keyscan once, check the fingerprint, commit the line)", u)
			}
			if ref, sub, _ := strings.Cut(frag, ":"); ref != "" {
				if commitRE.MatchString(ref) {
					a.Commit = spec.Of(ref)
				} else {
					a.Ref = spec.Of(c.interp(line, ref))
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
			c.addOwner(a, x, line)
			s.Steps = append(s.Steps, a)
		case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
			a := &spec.Add{Kind: spec.AddHTTP, URL: spec.Of(c.interp(line, src)), Dest: dest}
			if x.Checksum != "" {
				a.Checksum = spec.Of(c.interp(line, x.Checksum))
			} else {
				c.find(line, "ADD %s has no --checksum; the Securefile requires one, so the add step is emitted without it and `securefile lint` reports it until you add checksum = \"sha256:...\"", src)
			}
			c.addOwner(a, x, line)
			s.Steps = append(s.Steps, a)
		default:
			if archiveRE.MatchString(src) && (x.Unpack == nil || *x.Unpack) {
				c.find(line, "ADD %s: a local archive is auto-extracted by ADD, but copy does not extract; converted to copy (extract it in a run step)", src)
			}
			local = append(local, src)
		}
	}
	if len(local) > 0 {
		c.find(line, "ADD of local files converted to copy")
		cc := &instructions.CopyCommand{SourcesAndDest: instructions.SourcesAndDest{DestPath: x.DestPath, SourcePaths: local},
			Chown: x.Chown, Chmod: x.Chmod, Link: x.Link, ExcludePatterns: x.ExcludePatterns}
		c.copyCmd(s, cc, line)
	}
	if x.Link {
		c.find(line, "ADD --link: add steps have no link option; dropped for remote sources")
	}
}

func (c *conv) addOwner(a *spec.Add, x *instructions.AddCommand, line int) {
	if x.Chown != "" {
		a.Chown = spec.Of(c.interp(line, x.Chown))
	}
	if x.Chmod != "" {
		a.Chmod = spec.Of(c.interp(line, x.Chmod))
	}
}

func (c *conv) run(s *spec.Stage, x *instructions.RunCommand, line int) {
	r := &spec.Run{}
	if x.PrependShell {
		cmd := c.runArgs(strings.Join(x.CmdLine, " "))
		if len(x.Files) == 1 && len(x.CmdLine) == 1 && strings.TrimLeft(strings.TrimPrefix(x.CmdLine[0], "<<"), "-") == x.Files[0].Name {
			// RUN <<EOF: the heredoc is the script.
			r.Command.Shell = spec.Of(c.runArgs(x.Files[0].Data))
			x.Files = nil
			cmd = ""
		}
		for _, f := range x.Files {
			data := f.Data
			if !strings.HasSuffix(data, "\n") {
				data += "\n"
			}
			cmd += "\n" + data + f.Name
		}
		if cmd != "" {
			r.Command.Shell = spec.Of(cmd)
		}
	} else {
		r.Command.Exec = spec.ListOf(x.CmdLine...)
		if len(x.Files) > 0 {
			c.find(line, "RUN in exec form with a heredoc has no equivalent; the heredoc is dropped")
		}
	}
	// Mount options are only parsed on expansion; expand without changing
	// anything.
	if err := x.Expand(func(w string) (string, error) { return w, nil }); err != nil {
		// BuildKit rejects the step too; dropping a secret mount silently
		// would be worse than stopping.
		panic(&ParseError{Line: line, Err: fmt.Errorf("RUN --mount: %w", err)})
	} else {
		for _, m := range instructions.GetMounts(x) {
			c.mount(r, m, line)
		}
	}
	if n := instructions.GetNetwork(x); n != "" && n != "default" {
		r.Network = spec.Of(n)
	}
	if sec := instructions.GetSecurity(x); sec == "insecure" {
		r.Security = spec.Of(sec)
	}
	s.Steps = append(s.Steps, r)
}

var dollarName = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// runArgs rewrites $NAME to ${NAME} in a shell command when NAME is a
// declared arg: a Dockerfile passes args to RUN as environment variables,
// a Securefile substitutes ${NAME} only.
func (c *conv) runArgs(s string) string {
	return dollarName.ReplaceAllStringFunc(s, func(m string) string {
		if _, ok := c.args[m[1:]]; ok || c.platform[m[1:]] {
			return "${" + m[1:] + "}"
		}
		return m
	})
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

func (c *conv) mount(r *spec.Run, m *instructions.Mount, line int) {
	switch m.Type {
	case instructions.MountTypeSecret:
		id := m.CacheID
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
			r.Secrets = append(r.Secrets, prev.Name)
			return
		}
		name = unique(c.secrets, name)
		sec.Name = spec.Of(name)
		if name != id {
			sec.ID = spec.Of(id)
		}
		c.secrets[name] = sec
		c.f.Secrets = append(c.f.Secrets, sec)
		r.Secrets = append(r.Secrets, sec.Name)
		if !m.Required {
			c.find(line, "secret %s: optional, as BuildKit secret mounts are by default; declared with required = false (remove it to make a missing secret fail the build)", id)
		}
	case instructions.MountTypeSSH:
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
			r.SSH = append(r.SSH, prev.Name)
			return
		}
		name = unique(c.ssh, name)
		sh.Name = spec.Of(name)
		c.ssh[name] = sh
		c.f.SSH = append(c.f.SSH, sh)
		r.SSH = append(r.SSH, sh.Name)
		if !m.Required {
			c.find(line, "ssh %s: optional, as BuildKit ssh mounts are by default; declared with required = false", id)
		}
	case instructions.MountTypeCache:
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
			if m.Source != "" {
				c.find(line, "cache mount source=%s: a cache seeds from the root of its source; the subpath is dropped", m.Source)
			}
		}
		name := sanitize(base)
		if name == "" {
			name = "cache"
		}
		id := base
		if prev, ok := c.caches[name]; ok && prev.Target == ca.Target && prev.ID == ca.ID && prev.Sharing == ca.Sharing && prev.ReadOnly == ca.ReadOnly && prev.From.Name == ca.From.Name {
			r.Caches = append(r.Caches, prev.Name)
			return
		}
		name = unique(c.caches, name)
		ca.Name = spec.Of(name)
		if !ca.ID.Set && name != id {
			ca.ID = spec.Of(id)
		}
		c.caches[name] = ca
		c.f.Caches = append(c.f.Caches, ca)
		r.Caches = append(r.Caches, ca.Name)
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

func sameSecret(a, b *spec.Secret, id string) bool {
	aid := a.ID.Or(a.Name.V)
	return aid == id && a.Target == b.Target && a.Env == b.Env && a.Mode == b.Mode && a.UID == b.UID && a.GID == b.GID && a.Required == b.Required
}

// unquoteWord removes the shell quoting BuildKit's parser leaves in ENV and
// LABEL values (A="x y" keeps its quotes there; the Dockerfile frontend
// removes them when it expands the word). Quotes are removed and
// backslash escapes resolved; "$" is kept so that interp can still turn
// arg references into ${NAME}.
func unquoteWord(s string) string {
	if !strings.ContainsAny(s, `"'\`) {
		return s
	}
	var b strings.Builder
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '"' && r != '\\' && r != '$' {
				b.WriteRune('\\')
			}
			b.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
		case quote == 0 && (r == '"' || r == '\''):
			quote = r
		case r == quote:
			quote = 0
		default:
			b.WriteRune(r)
		}
	}
	if escaped {
		b.WriteRune('\\')
	}
	return b.String()
}
