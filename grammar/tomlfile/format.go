package tomlfile

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// maxWidth is the line length beyond which lists go one item per line and
// maps become sub-tables.
const maxWidth = 100

// Format prints the canonical TOML form of f; idempotent; Parse(Format(f))
// equals f ignoring Range fields.
func Format(f *spec.File) []byte {
	p := &printer{}
	if len(f.Header) > 0 {
		p.comments(f.Header)
		// The blank line is what makes these lines the header again.
		p.b.WriteByte('\n')
	}
	if f.Platforms.Set {
		p.block()
		p.comments(f.Comments)
		p.fields("", spec.FileKeys, fieldsOf(spec.FileFields(f)), "")
	} else {
		// Without the platforms key the file's comments can only stand
		// above whatever comes first.
		p.pending = append(p.pending, f.Comments...)
	}
	if len(f.Args) > 0 {
		p.block()
		p.b.WriteString("[args]\n")
		for _, a := range f.Args {
			p.comments(a.Comments)
			p.line(quoteKey(a.Name.V), stringValue(a.Default.V))
		}
	}
	for _, s := range f.Secrets {
		p.table(s.Comments, "secret."+quoteKey(s.Name.V), spec.SecretKeys, fieldsOf(spec.SecretFields(s)))
	}
	for _, s := range f.SSH {
		p.table(s.Comments, "ssh."+quoteKey(s.Name.V), spec.SSHKeys, fieldsOf(spec.SSHFields(s)))
	}
	for _, c := range f.Caches {
		p.table(c.Comments, "cache."+quoteKey(c.Name.V), spec.CacheKeys, fieldsOf(spec.CacheFields(c)))
	}
	for _, st := range f.Stages {
		path := st.Kind.String() + "." + quoteKey(st.Name.V)
		p.table(st.Comments, path, stageKeys, fieldsOf(stageFields(st)))
		var fs []spec.Field // the bindings of each step in turn
		for _, step := range st.Steps {
			kind, ok := spec.KindOf(step)
			if !ok {
				// The decoders make only steps of the kinds; a model
				// built otherwise is a programming error, not a step to
				// leave out.
				panic(fmt.Sprintf("tomlfile: %T is a step of no kind", step))
			}
			fs = kind.AppendFields(fs[:0], step)
			p.block()
			p.comments(step.NodeInfo().Comments)
			fmt.Fprintf(&p.b, "[[%s.steps]]\n", path)
			// The verb is what makes the table a step: it is written even
			// when empty (env = {}).
			p.fields(path+".steps", stepKeys(kind.Verb), func(k string) any { return stepField(kind, step, fs, k) }, kind.Verb)
		}
	}
	if len(f.Trailing) > 0 || len(p.pending) > 0 {
		p.block()
		p.comments(f.Trailing)
	}
	return p.b.Bytes()
}

type printer struct {
	b       bytes.Buffer
	pending []string // comments waiting for the next node
}

// block starts a new table: one blank line after what came before.
func (p *printer) block() {
	if p.b.Len() > 0 && !bytes.HasSuffix(p.b.Bytes(), []byte("\n\n")) {
		p.b.WriteByte('\n')
	}
}

func (p *printer) comments(cs []string) {
	all := append(p.pending, cs...)
	p.pending = nil
	for _, c := range all {
		for _, l := range strings.Split(c, "\n") {
			p.b.WriteString("#" + strings.TrimSuffix(l, "\r") + "\n")
		}
	}
}

func (p *printer) line(key, value string) {
	p.b.WriteString(key + " = " + value + "\n")
}

func (p *printer) table(comments []string, path string, keys []spec.Key, field func(string) any) {
	p.block()
	p.comments(comments)
	fmt.Fprintf(&p.b, "[%s]\n", path)
	p.fields(path, keys, field, "")
}

// fields prints the set fields of the table at path in key order, and the
// key named always even when unset. Maps that do not fit on their line
// become sub-tables after the table's keys.
func (p *printer) fields(path string, keys []spec.Key, field func(string) any, always string) {
	var subs []func()
	for _, k := range keys {
		dst := field(k.Name)
		if dst == nil {
			continue
		}
		name := quoteKey(k.Name)
		sub := path + "." + name
		switch v := dst.(type) {
		case *[]*spec.KeyValue:
			if len(*v) == 0 && k.Name != always {
				continue
			}
			if inl := inlineMap(*v); fits(name, inl) {
				p.line(name, inl)
				continue
			}
			subs = append(subs, func() {
				p.subTable(sub)
				for _, kv := range *v {
					p.line(quoteKey(kv.Key.V), stringValue(kv.Value.V))
				}
			})
		case **spec.Healthcheck:
			if *v == nil {
				continue
			}
			hf := fieldsOf(spec.HealthcheckFields(*v))
			if inl := inlineTable(spec.HealthcheckKeys, hf); fits(name, inl) {
				p.line(name, inl)
				continue
			}
			subs = append(subs, func() {
				p.subTable(sub)
				p.fields(sub, spec.HealthcheckKeys, hf, "")
			})
		default:
			if s, ok := value(dst, len(name)+3, false); ok || k.Name == always {
				p.line(name, s)
			}
		}
	}
	for _, s := range subs {
		s()
	}
}

func (p *printer) subTable(path string) {
	p.block()
	fmt.Fprintf(&p.b, "[%s]\n", path)
}

func fits(key, value string) bool {
	return !strings.Contains(value, "\n") && utf8.RuneCountInString(key)+3+utf8.RuneCountInString(value) <= maxWidth
}

// value renders what dst points to; ok is false when it is unset. indent
// is the width before the value on its line; inline forbids line breaks
// (inside inline tables).
func value(dst any, indent int, inline bool) (string, bool) {
	switch v := dst.(type) {
	case *spec.Value[string]:
		return stringValue(v.V), v.Set
	case *spec.Value[int]:
		return strconv.Itoa(v.V), v.Set
	case *spec.Value[bool]:
		return strconv.FormatBool(v.V), v.Set
	case *spec.List[string]:
		return array(quoteAll(v.Items), indent, inline), v.Set
	case *[]spec.Value[string]:
		return array(quoteAll(*v), indent, inline), len(*v) > 0
	case *[]*spec.KeyValue:
		return inlineMap(*v), len(*v) > 0
	case *spec.Command:
		if v.Shell.Set {
			return stringValue(v.Shell.V), true
		}
		return array(quoteAll(v.Exec.Items), indent, inline), v.Exec.Set
	case *spec.Source:
		return source(*v), v.Set && v.Kind != spec.SourceContext
	case **spec.Healthcheck:
		if *v == nil {
			return "", false
		}
		return inlineTable(spec.HealthcheckKeys, fieldsOf(spec.HealthcheckFields(*v))), true
	case *[]*spec.Bind:
		items := make([]string, len(*v))
		for i, b := range *v {
			items[i] = inlineTable(spec.BindKeys, fieldsOf(spec.BindFields(b)))
		}
		return array(items, indent, inline), len(items) > 0
	case *[]*spec.Tmpfs:
		items := make([]string, len(*v))
		for i, t := range *v {
			items[i] = inlineTable(spec.TmpfsKeys, fieldsOf(spec.TmpfsFields(t)))
		}
		return array(items, indent, inline), len(items) > 0
	case *[]*spec.InlineFile:
		items := make([]string, len(*v))
		for i, f := range *v {
			items[i] = inlineTable(spec.InlineFileKeys, fieldsOf(spec.InlineFileFields(f)))
		}
		return array(items, indent, inline), len(items) > 0
	case *spec.Add:
		if v.Kind == spec.AddGit {
			return "{ git = " + stringValue(v.URL.V) + " }", true
		}
		return stringValue(v.URL.V), v.URL.Set
	}
	// A key bound to a field of no known type would otherwise vanish from
	// the output: a programming error, caught by the first test.
	panic(fmt.Sprintf("tomlfile: no TOML value for a field of type %T", dst))
}

func quoteAll(vs []spec.Value[string]) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = stringValue(v.V)
	}
	return out
}

func source(s spec.Source) string {
	switch s.Kind {
	case spec.SourceStage:
		return "{ stage = " + stringValue(s.Name.V) + " }"
	case spec.SourceNamedContext:
		return "{ context = " + stringValue(s.Name.V) + " }"
	case spec.SourceScratch:
		return `"scratch"`
	}
	return stringValue(s.Name.V)
}

// array is one line when it fits, else one item per line.
func array(items []string, indent int, inline bool) string {
	one := "[" + strings.Join(items, ", ") + "]"
	if inline || len(items) == 0 || !strings.Contains(one, "\n") && indent+utf8.RuneCountInString(one) <= maxWidth {
		return one
	}
	var b strings.Builder
	b.WriteString("[\n")
	for _, it := range items {
		b.WriteString("  " + it + ",\n")
	}
	b.WriteString("]")
	return b.String()
}

func inlineMap(kvs []*spec.KeyValue) string {
	entries := make([]string, len(kvs))
	for i, kv := range kvs {
		entries[i] = quoteKey(kv.Key.V) + " = " + stringValue(kv.Value.V)
	}
	return braces(entries)
}

func inlineTable(keys []spec.Key, field func(string) any) string {
	var entries []string
	for _, k := range keys {
		if s, ok := value(field(k.Name), 0, true); ok {
			entries = append(entries, quoteKey(k.Name)+" = "+s)
		}
	}
	return braces(entries)
}

func braces(entries []string) string {
	if len(entries) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(entries, ", ") + " }"
}

// quoteKey writes a key bare when TOML allows it.
func quoteKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isBare(k[i]) {
			return quoteString(k)
		}
	}
	return k
}

// stringValue writes s as a basic string, or as a multi-line basic string
// when it has line breaks, so scripts stay readable.
func stringValue(s string) string {
	if !strings.Contains(s, "\n") {
		return quoteString(s)
	}
	var b strings.Builder
	b.WriteString("\"\"\"\n") // a newline right after the quotes is not part of the string
	for i, r := range s {
		switch {
		case r == '"':
			// Never three quotes in a row, nor one against the closing ones.
			if i+1 == len(s) || s[i+1] == '"' {
				b.WriteString(`\"`)
			} else {
				b.WriteByte('"')
			}
		case r == '\n', r == '\t':
			b.WriteRune(r)
		default:
			escape(&b, r)
		}
	}
	b.WriteString(`"""`)
	return b.String()
}

func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' {
			b.WriteString(`\"`)
			continue
		}
		escape(&b, r)
	}
	b.WriteByte('"')
	return b.String()
}

// escape writes r as TOML needs it in a basic string (quotes aside).
func escape(b *strings.Builder, r rune) {
	switch r {
	case '\\':
		b.WriteString(`\\`)
	case '\b':
		b.WriteString(`\b`)
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\f':
		b.WriteString(`\f`)
	case '\r':
		b.WriteString(`\r`)
	default:
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
}
