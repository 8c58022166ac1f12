package dsl

import (
	"fmt"
	"slices"
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
			attrs{p, ""}.fields(spec.FileFields(f), spec.FileKeys)
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
			p.declaration("secret", s.Comments, s.Name.V, spec.SecretFields(s), spec.SecretKeys)
		}
	}
	for _, s := range f.SSH {
		if s != nil {
			p.item()
			p.declaration("ssh", s.Comments, s.Name.V, spec.SSHFields(s), spec.SSHKeys)
		}
	}
	for _, c := range f.Caches {
		if c != nil {
			p.item()
			p.declaration("cache", c.Comments, c.Name.V, spec.CacheFields(c), spec.CacheKeys)
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

// field writes a field written NAME = value, if set; its Go type says how
// (see spec.Field). Lists and exec-form commands go one item per line when
// they do not fit.
func (f attrs) field(name string, dst any) {
	switch v := dst.(type) {
	case *spec.List[string]:
		if v.Set {
			f.q.composite(f.indent, name+" = ", listOf(*v))
		}
	case *spec.Command:
		if !v.IsSet() {
			return
		}
		if s, l := commandOf(*v); l == nil {
			f.q.line(f.indent, name+" = "+s)
		} else {
			f.q.composite(f.indent, name+" = ", *l)
		}
	case *[]*spec.KeyValue:
		if len(*v) > 0 {
			f.q.composite(f.indent, name+" = ", mapOf(*v))
		}
	case *spec.Source:
		if v.Set {
			f.q.line(f.indent, name+" = "+source(*v))
		}
	case **spec.Healthcheck:
		if *v != nil {
			f.q.composite(f.indent, name+" = ", healthcheckOf(*v))
		}
	default:
		if s, ok := inlineValue(name, dst); ok {
			f.q.line(f.indent, name+" = "+s)
		}
	}
}

// fields writes the fields of a binding whose keys are among keys, in
// key-table order.
func (f attrs) fields(fs []spec.Field, keys []spec.Key) {
	for _, fd := range fs {
		if _, ok := spec.Lookup(keys, fd.Key.Name); ok {
			f.field(fd.Key.Name, fd.Ptr)
		}
	}
}

// inlineFields writes the set fields of a binding whose keys are among
// keys, in key-table order, as the parts of an inline map.
func inlineFields(fs []spec.Field, keys []spec.Key) composite {
	c := composite{open: "{", close: "}"}
	for _, fd := range fs {
		if _, ok := spec.Lookup(keys, fd.Key.Name); !ok {
			continue
		}
		if s, ok := inlineValue(fd.Key.Name, fd.Ptr); ok {
			c.parts = append(c.parts, fd.Key.Name+" = "+s)
		}
	}
	return c
}

// inlineValue writes a field's value on one line; ok is false when the
// field is unset.
func inlineValue(name string, dst any) (s string, ok bool) {
	switch v := dst.(type) {
	case *spec.Value[string]:
		return quote(v.V), v.Set
	case *spec.Value[int]:
		return itoa(v.V), v.Set
	case *spec.Value[bool]:
		return boolStr(v.V), v.Set
	case *spec.List[string]:
		return listOf(*v).inline(), v.Set
	case *spec.Command:
		if !v.IsSet() {
			return "", false
		}
		s, l := commandOf(*v)
		if l != nil {
			s = l.inline()
		}
		return s, true
	}
	panic(fmt.Sprintf("dsl: key %q has no inline setting of type %T", name, dst))
}

func (p *printer) arg(a *spec.Arg) {
	p.comments(a.Comments, "")
	if a.Default.Set {
		p.line("", "arg "+a.Name.V+" = "+quote(a.Default.V))
		return
	}
	p.line("", "arg "+a.Name.V)
}

// declaration writes "VERB NAME { settings }".
func (p *printer) declaration(verb string, comments []string, name string, fs []spec.Field, keys []spec.Key) {
	p.comments(comments, "")
	p.block("", verb+" "+name, func(q *printer, in string) {
		attrs{q, in}.fields(fs, keys)
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
		attrs{q, in}.fields(spec.StageFields(s), spec.StageKeys)
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
	return inlineFields(spec.HealthcheckFields(h), spec.HealthcheckKeys)
}

// step writes a step from its kind: the verb and main value on the line
// (with the options the line says), then its other options in a block.
// A step of no kind is a programming error: it panics rather than being
// left out of the output.
func (p *printer) step(st spec.Step, in string) {
	p.comments(st.NodeInfo().Comments, in)
	kind, ok := spec.KindOf(st)
	if !ok {
		panic(fmt.Sprintf("dsl: %T is a step of no kind", st))
	}
	fs := kind.AppendFields(nil, st)
	line := kind.Main.LineKeys()
	body := func(q *printer, in string) {
		for _, fd := range fs {
			switch {
			case slices.Contains(line, fd.Key.Name):
			case fd.Key.DSLStatement:
				q.statement(fd, in)
			default:
				attrs{q, in}.field(fd.Key.Name, fd.Ptr)
			}
		}
	}
	head := kind.Verb
	switch main := kind.MainField(st).(type) {
	case *spec.Value[string]: // MainString
		head += " " + quote(main.V)
	case *[]*spec.KeyValue: // MainVars
		head += " " + envVars(*main)
	case *spec.List[string]: // MainPaths
		for _, src := range main.Items {
			head += " " + quote(src.V)
		}
		head += lineTo(kind, fs)
	case *spec.Add: // MainRemote
		head += " "
		if main.Kind == spec.AddGit {
			head += "git "
		}
		head += quote(main.URL.V) + lineTo(kind, fs)
	case *spec.Command: // MainCommand
		s, l := commandOf(*main)
		if l == nil {
			head += " " + s
			break
		}
		// An exec-form command may span lines; the block opens after it.
		var hb strings.Builder
		hb.WriteString(head + " ")
		l.write(&hb, utf8.RuneCountInString(in+head+" "), in)
		head = hb.String()
	default:
		panic(fmt.Sprintf("dsl: the main field of a %s step is a %T, which the DSL does not write", kind.Verb, main))
	}
	p.block(in, head, body)
}

// lineTo writes the options a step's line says after its main value: [
// from SOURCE] to "DEST".
func lineTo(kind *spec.StepKind, fs []spec.Field) string {
	s := ""
	if from, ok := spec.FieldPtr(fs, "from").(*spec.Source); ok && hasFrom(*from) {
		s += " from " + source(*from)
	}
	to, ok := spec.FieldPtr(fs, "to").(*spec.Value[string])
	if !ok {
		panic(fmt.Sprintf("dsl: a %s step has no string option \"to\"", kind.Verb))
	}
	return s + " to " + quote(to.V)
}

func envVars(vars []*spec.KeyValue) string {
	parts := make([]string, len(vars))
	for i, kv := range vars {
		parts[i] = key(kv.Key.V) + " = " + quote(kv.Value.V)
	}
	return strings.Join(parts, ", ")
}

// statement writes a field the DSL writes as statements of a step's block
// (run's mounts and env), by the field's Go type.
func (q *printer) statement(fd spec.Field, in string) {
	if v, ok := fd.Ptr.(*[]*spec.InlineFile); ok { // a file step's files
		for _, x := range *v {
			q.comments(x.Comments, in)
			q.block(in, "file "+quote(x.Path.V), func(q *printer, in string) {
				attrs{q, in}.fields(spec.InlineFileFields(x), fileBlockKeys)
			})
		}
		return
	}
	verb, ok := statementOf[fd.Key.Name]
	if !ok {
		panic(fmt.Sprintf("dsl: key %q has no statement", fd.Key.Name))
	}
	switch v := fd.Ptr.(type) {
	case *[]spec.Value[string]: // secret, ssh, cache
		for _, n := range *v {
			q.line(in, verb+" "+n.V)
		}
	case *[]*spec.Bind:
		for _, b := range *v {
			q.comments(b.Comments, in)
			line := "bind " + quote(b.Path.Or(spec.DefaultBindPath))
			if hasFrom(b.From) {
				line += " from " + source(b.From)
			}
			q.line(in, line+" to "+quote(b.Target.V)+mountBlock(spec.BindFields(b), bindBlockKeys))
		}
	case *[]*spec.Tmpfs:
		for _, t := range *v {
			q.comments(t.Comments, in)
			q.line(in, "tmpfs "+quote(t.Target.V)+mountBlock(spec.TmpfsFields(t), tmpfsBlockKeys))
		}
	case *[]*spec.KeyValue: // env
		if len(*v) > 0 {
			q.line(in, verb+" "+envVars(*v))
		}
	default:
		panic(fmt.Sprintf("dsl: key %q has no statement of type %T", fd.Key.Name, fd.Ptr))
	}
}

// mountBlock writes the set fields of a mount's block on the mount's line: " {
// rw = true }", or nothing.
func mountBlock(fs []spec.Field, keys []spec.Key) string {
	c := inlineFields(fs, keys)
	if len(c.parts) == 0 {
		return ""
	}
	return " " + c.inline()
}
