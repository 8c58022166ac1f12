package dsl

import (
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// Format prints the canonical DSL form of f. Format(Parse(Format(f))) ==
// Format(f) (idempotent), and Parse(Format(f)) gives a model equal to f
// ignoring Range fields.
func Format(f *spec.File) []byte {
	if f == nil {
		return nil
	}
	p := &printer{}
	if len(f.Header) > 0 {
		p.comments(f.Header, "")
		p.b.WriteByte('\n') // the blank line that makes it a header
	}
	if f.Platforms.Set || len(f.Comments) > 0 {
		p.item()
		p.comments(f.Comments, "")
		if f.Platforms.Set {
			p.composite("", "platforms = ", listOf(f.Platforms))
		}
	}
	if len(f.Args) > 0 {
		p.item()
		for _, a := range f.Args {
			if a != nil {
				p.arg(a)
			}
		}
	}
	for _, s := range f.Secrets {
		if s != nil {
			p.item()
			p.secret(s)
		}
	}
	for _, s := range f.SSH {
		if s != nil {
			p.item()
			p.ssh(s)
		}
	}
	for _, c := range f.Caches {
		if c != nil {
			p.item()
			p.cache(c)
		}
	}
	for _, s := range f.Stages {
		if s != nil {
			p.item()
			p.stage(s)
		}
	}
	if len(f.Trailing) > 0 {
		p.item()
		p.comments(f.Trailing, "")
	}
	return []byte(p.b.String())
}

type printer struct {
	b       strings.Builder
	written bool // an item was written; the next one needs a blank line
}

// item starts a top-level item.
func (p *printer) item() {
	if p.written {
		p.b.WriteByte('\n')
	}
	p.written = true
}

func (p *printer) comments(cs []string, indent string) {
	for _, c := range cs {
		for _, line := range strings.Split(c, "\n") {
			p.b.WriteString(indent + "#" + strings.TrimRight(line, "\r") + "\n")
		}
	}
}

func (p *printer) line(indent, text string) {
	p.b.WriteString(indent + text + "\n")
}

// composite writes prefix and c on a line of its own.
func (p *printer) composite(indent, prefix string, c composite) {
	p.b.WriteString(indent + prefix)
	c.write(&p.b, utf8.RuneCountInString(indent+prefix), indent)
	p.b.WriteByte('\n')
}

// block writes head, then body between braces when it writes anything.
func (p *printer) block(indent, head string, body func(q *printer, indent string)) {
	q := &printer{}
	body(q, indent+"  ")
	if q.b.Len() == 0 {
		p.line(indent, head)
		return
	}
	p.b.WriteString(indent + head + " {\n")
	p.b.WriteString(q.b.String())
	p.line(indent, "}")
}

// attrs writes the attributes of a block.
type attrs struct {
	q      *printer
	indent string
}

func (f attrs) str(name string, v spec.Value[string]) {
	if v.Set {
		f.q.line(f.indent, name+" = "+quote(v.V))
	}
}

func (f attrs) int(name string, v spec.Value[int]) {
	if v.Set {
		f.q.line(f.indent, name+" = "+itoa(v.V))
	}
}

func (f attrs) bool(name string, v spec.Value[bool]) {
	if v.Set {
		f.q.line(f.indent, name+" = "+boolStr(v.V))
	}
}

func (f attrs) list(name string, v spec.List[string]) {
	if v.Set {
		f.q.composite(f.indent, name+" = ", listOf(v))
	}
}

func (f attrs) command(name string, c spec.Command) {
	if !c.IsSet() {
		return
	}
	if s, l := commandOf(c); l == nil {
		f.q.line(f.indent, name+" = "+s)
	} else {
		f.q.composite(f.indent, name+" = ", *l)
	}
}

func (p *printer) arg(a *spec.Arg) {
	p.comments(a.Comments, "")
	if a.Default.Set {
		p.line("", "arg "+a.Name.V+" = "+quote(a.Default.V))
		return
	}
	p.line("", "arg "+a.Name.V)
}

func (p *printer) secret(s *spec.Secret) {
	p.comments(s.Comments, "")
	p.block("", "secret "+s.Name.V, func(q *printer, in string) {
		f := attrs{q, in}
		f.str("id", s.ID)
		f.str("target", s.Target)
		f.str("env", s.Env)
		f.str("mode", s.Mode)
		f.int("uid", s.UID)
		f.int("gid", s.GID)
		f.bool("required", s.Required)
		f.bool("rotate", s.Rotate)
	})
}

func (p *printer) ssh(s *spec.SSH) {
	p.comments(s.Comments, "")
	p.block("", "ssh "+s.Name.V, func(q *printer, in string) {
		f := attrs{q, in}
		f.str("id", s.ID)
		f.str("target", s.Target)
		f.bool("required", s.Required)
		f.str("mode", s.Mode)
		f.int("uid", s.UID)
		f.int("gid", s.GID)
		f.list("known_hosts", s.KnownHosts)
	})
}

func (p *printer) cache(c *spec.Cache) {
	p.comments(c.Comments, "")
	p.block("", "cache "+c.Name.V, func(q *printer, in string) {
		f := attrs{q, in}
		f.str("target", c.Target)
		f.str("id", c.ID)
		f.str("sharing", c.Sharing)
		f.str("mode", c.Mode)
		f.int("uid", c.UID)
		f.int("gid", c.GID)
		f.bool("readonly", c.ReadOnly)
		if c.From.Set {
			q.line(in, "from = "+source(c.From))
		}
	})
}

func (p *printer) stage(s *spec.Stage) {
	p.comments(s.Comments, "")
	head := s.Kind.String() + " " + s.Name.V
	if s.Default.V {
		head = "default " + head
	}
	if s.From.Set {
		head += " from " + source(s.From)
	}
	p.block("", head, func(q *printer, in string) {
		f := attrs{q, in}
		f.str("platform", s.Platform)
		f.command("entrypoint", s.Config.Entrypoint)
		f.command("cmd", s.Config.Cmd)
		if len(s.Config.Labels) > 0 {
			q.composite(in, "labels = ", mapOf(s.Config.Labels))
		}
		f.list("expose", s.Config.Expose)
		f.list("volumes", s.Config.Volumes)
		if h := s.Config.Healthcheck; h != nil {
			q.composite(in, "healthcheck = ", healthcheckOf(h))
		}
		f.str("stop_signal", s.Config.StopSignal)
		if q.b.Len() > 0 && len(s.Steps) > 0 {
			q.b.WriteByte('\n')
		}
		for _, st := range s.Steps {
			if st != nil {
				q.step(st, in)
			}
		}
	})
}

func healthcheckOf(h *spec.Healthcheck) composite {
	c := composite{open: "{", close: "}"}
	add := func(name, v string) { c.parts = append(c.parts, name+" = "+v) }
	if h.Test.IsSet() {
		if s, l := commandOf(h.Test); l == nil {
			add("cmd", s)
		} else {
			add("cmd", l.inline())
		}
	}
	if h.None.Set {
		add("none", boolStr(h.None.V))
	}
	for _, kv := range []struct {
		name string
		v    spec.Value[string]
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start_period", h.StartPeriod}, {"start_interval", h.StartInterval}} {
		if kv.v.Set {
			add(kv.name, quote(kv.v.V))
		}
	}
	if h.Retries.Set {
		add("retries", itoa(h.Retries.V))
	}
	return c
}

func (p *printer) step(st spec.Step, in string) {
	p.comments(st.NodeInfo().Comments, in)
	switch s := st.(type) {
	case *spec.Run:
		p.run(s, in)
	case *spec.Copy:
		head := "copy"
		for _, src := range s.Sources.Items {
			head += " " + quote(src.V)
		}
		if hasFrom(s.From) {
			head += " from " + source(s.From)
		}
		p.block(in, head+" to "+quote(s.Dest.V), func(q *printer, in string) {
			f := attrs{q, in}
			f.str("chown", s.Chown)
			f.str("chmod", s.Chmod)
			f.list("include", s.Include)
			f.list("exclude", s.Exclude)
			f.bool("link", s.Link)
			f.bool("parents", s.Parents)
			f.bool("allow-credentials", s.AllowCredentials)
		})
	case *spec.Add:
		head := "add "
		if s.Kind == spec.AddGit {
			head += "git "
		}
		p.block(in, head+quote(s.URL.V)+" to "+quote(s.Dest.V), func(q *printer, in string) {
			f := attrs{q, in}
			f.str("checksum", s.Checksum)
			f.str("ref", s.Ref)
			f.str("commit", s.Commit)
			f.bool("keep_git_dir", s.KeepGitDir)
			f.str("chown", s.Chown)
			f.str("chmod", s.Chmod)
		})
	case *spec.Workdir:
		p.line(in, "workdir "+quote(s.Path.V))
	case *spec.Env:
		p.line(in, "env "+envVars(s.Vars))
	case *spec.User:
		p.line(in, "user "+quote(s.User.V))
	}
}

func envVars(vars []*spec.KeyValue) string {
	parts := make([]string, len(vars))
	for i, kv := range vars {
		parts[i] = key(kv.Key.V) + " = " + quote(kv.Value.V)
	}
	return strings.Join(parts, ", ")
}

func (p *printer) run(r *spec.Run, in string) {
	head, l := commandOf(r.Command)
	body := func(q *printer, in string) {
		for _, n := range r.Secrets {
			q.line(in, "secret "+n.V)
		}
		for _, n := range r.SSH {
			q.line(in, "ssh "+n.V)
		}
		for _, n := range r.Caches {
			q.line(in, "cache "+n.V)
		}
		for _, b := range r.Binds {
			q.comments(b.Comments, in)
			line := "bind " + quote(b.Path.Or(spec.DefaultBindPath))
			if hasFrom(b.From) {
				line += " from " + source(b.From)
			}
			line += " to " + quote(b.Target.V)
			if b.ReadWrite.Set {
				line += " { rw = " + boolStr(b.ReadWrite.V) + " }"
			}
			q.line(in, line)
		}
		for _, t := range r.Tmpfs {
			q.comments(t.Comments, in)
			line := "tmpfs " + quote(t.Target.V)
			if t.Size.Set {
				line += " { size = " + quote(t.Size.V) + " }"
			}
			q.line(in, line)
		}
		if len(r.Env) > 0 {
			q.line(in, "env "+envVars(r.Env))
		}
		attrs{q, in}.str("network", r.Network)
		attrs{q, in}.str("security", r.Security)
	}
	if l == nil {
		p.block(in, "run "+head, body)
		return
	}
	// An exec-form command may span lines; the block opens after it.
	var hb strings.Builder
	hb.WriteString("run ")
	l.write(&hb, utf8.RuneCountInString(in+"run "), in)
	p.block(in, hb.String(), body)
}
