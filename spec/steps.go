package spec

import "fmt"

// The step-kind table below is the single description of each kind of
// step: its verb, how its main value is written, its option keys and
// their bindings, and how to make an empty one. The decoders and
// printers of both syntaxes and the TOML schema read it instead of
// naming the kinds, so a new simple kind is its model type (model.go),
// its entry here, its checks and its lowering.

// MainShape is how a step's main value, the one that follows its verb, is
// written. Each shape fixes the Go type of the field the main value sets
// (StepKind.Main) and, in the DSL, the words of the step's line.
type MainShape int

const (
	// MainString is one string: DSL `VERB "VALUE"`, TOML `VERB = "VALUE"`.
	// The main field is a *Value[string].
	MainString MainShape = iota
	// MainCommand is a command: DSL `VERB "COMMAND"` or `VERB ["PROGRAM",
	// "ARG"]`, TOML `VERB = "COMMAND"` or a list. The main field is a
	// *Command.
	MainCommand
	// MainPaths is source paths, then where to: DSL `VERB "SRC"... [from
	// SOURCE] to "DEST"`, TOML `VERB = "SRC"` or a list, with the keys from
	// and to. The main field is a *List[string]; the kind's keys must hold
	// "to" (a required string) and may hold "from" (a source).
	MainPaths
	// MainRemote is a URL or a git repository, then where to: DSL `VERB
	// "URL" to "DEST"` or `VERB git "URL" to "DEST"`, TOML `VERB = "URL"`
	// or `VERB = { git = "URL" }`, with the key to. The main field is the
	// *Add itself, whose Kind and URL the value sets.
	MainRemote
	// MainVars is variables: DSL `VERB NAME = "value", NAME2 = "value2"`,
	// TOML `VERB = { NAME = "value" }`. The main field is a *[]*KeyValue.
	MainVars
)

func (s MainShape) String() string {
	switch s {
	case MainString:
		return "string"
	case MainCommand:
		return "command"
	case MainPaths:
		return "paths"
	case MainRemote:
		return "remote"
	case MainVars:
		return "vars"
	}
	return fmt.Sprintf("MainShape(%d)", int(s))
}

// Type is the key type of a main value of the shape as TOML writes it,
// for messages and the schema.
func (s MainShape) Type() KeyType {
	switch s {
	case MainString:
		return TString
	case MainCommand:
		return TCommand
	case MainPaths:
		return TStringOrList
	case MainRemote:
		// TSource stands in: the value is a URL string or { git = "URL" }.
		return TSource
	case MainVars:
		return TStringMap
	}
	panic(fmt.Sprintf("spec: main shape %v has no key type", s))
}

// LineKeys are the option keys the DSL writes on the step's line, as part
// of the main value, rather than in its block.
func (s MainShape) LineKeys() []string {
	switch s {
	case MainPaths:
		return []string{"from", "to"}
	case MainRemote:
		return []string{"to"}
	}
	return nil
}

// StepKind describes one kind of step.
type StepKind struct {
	// Verb is the keyword that starts the step in either syntax.
	Verb string
	// Doc says what the step does, for the schema and the docs.
	Doc string
	// Main is how the step's main value is written.
	Main MainShape
	// Placeholder names the main value of a MainString step in hints, as
	// in `workdir "PATH"`.
	Placeholder string
	// MainTemplate reports that the main value's strings are templates
	// (interpolated: ${NAME}); for MainVars, the values.
	MainTemplate bool
	// ConfigOnly marks a kind that changes only the image config and the
	// environment of later steps (env, user), not the filesystem: it makes
	// no layer.
	ConfigOnly bool
	// Keys are the step's options, in canonical order.
	Keys []Key
	// New returns an empty step of the kind.
	New func() Step
	// MainField returns the field of st that the main value sets (see
	// MainShape for its Go type). st must be of the kind.
	MainField func(st Step) any
	// AppendFields appends the bindings of the options of st to dst, in
	// Keys order; st must be of the kind.
	AppendFields func(dst []Field, st Step) []Field

	// is reports whether st is of the kind.
	is func(st Step) bool
}

// VerbKey is the key that makes a TOML table a step of the kind.
func (k *StepKind) VerbKey() Key {
	return Key{Name: k.Verb, Type: k.Main.Type(), Template: k.MainTemplate, Doc: k.Doc}
}

// newKind completes the entry k for steps of type PT: main binds the main
// value and fields the options (nil for a kind without options).
func newKind[T any, PT interface {
	*T
	Step
}](k StepKind, main func(PT) any, fields func(dst []Field, s PT) []Field) *StepKind {
	as := func(st Step) PT {
		s, ok := st.(PT)
		if !ok {
			panic(fmt.Sprintf("spec: a %T is not a %s step", st, k.Verb))
		}
		return s
	}
	k.New = func() Step { return PT(new(T)) }
	k.is = func(st Step) bool { _, ok := st.(PT); return ok }
	k.MainField = func(st Step) any { return main(as(st)) }
	k.AppendFields = func(dst []Field, st Step) []Field {
		s := as(st)
		if fields == nil {
			return dst
		}
		return fields(dst, s)
	}
	return &k
}

// StepKinds are the kinds of step, in the order the docs list them.
var StepKinds = []*StepKind{
	newKind(StepKind{Verb: "run", Main: MainCommand, MainTemplate: true, Keys: RunKeys,
		Doc: "run a command: a string runs with /bin/sh -c, a list is executed directly"},
		func(r *Run) any { return &r.Command }, appendRunFields),
	newKind(StepKind{Verb: "copy", Main: MainPaths, MainTemplate: true, Keys: CopyKeys,
		Doc: "copy files: the source paths (wildcards allowed)"},
		func(c *Copy) any { return &c.Sources }, appendCopyFields),
	newKind(StepKind{Verb: "add", Main: MainRemote, MainTemplate: true, Keys: AddKeys,
		Doc: `fetch a remote file (an http(s) URL string) or repository ({ git = "URL" })`},
		func(a *Add) any { return a }, appendAddFields),
	newKind(StepKind{Verb: "file", Main: MainString, Placeholder: "PATH", MainTemplate: true, Keys: InlineKeys,
		Doc: "write a file of the given content: the destination path"},
		func(f *Inline) any { return &f.Dest }, appendInlineFields),
	newKind(StepKind{Verb: "workdir", Main: MainString, Placeholder: "PATH", MainTemplate: true,
		Doc: "change the working directory for later steps and the image"},
		func(w *Workdir) any { return &w.Path }, nil),
	newKind(StepKind{Verb: "env", Main: MainVars, MainTemplate: true, ConfigOnly: true,
		Doc: "set environment variables for later steps and the image"},
		func(e *Env) any { return &e.Vars }, nil),
	newKind(StepKind{Verb: "user", Main: MainString, Placeholder: "USER[:GROUP]", MainTemplate: true, ConfigOnly: true,
		Doc: `change the user for later steps and the image, "user[:group]"`},
		func(u *User) any { return &u.User }, nil),
}

// StepVerbs are the keys that start a step; exactly one per step.
var StepVerbs = verbsOf(StepKinds)

var kindByVerb = func() map[string]*StepKind {
	m := make(map[string]*StepKind, len(StepKinds))
	for _, k := range StepKinds {
		m[k.Verb] = k
	}
	return m
}()

func verbsOf(kinds []*StepKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Verb
	}
	return out
}

// KindByVerb returns the kind of step the verb starts.
func KindByVerb(verb string) (*StepKind, bool) {
	k, ok := kindByVerb[verb]
	return k, ok
}

// KindOf returns the kind of st; ok is false for nil and for a type no
// kind describes, which a pass must treat as an internal error.
func KindOf(st Step) (*StepKind, bool) {
	if st == nil {
		return nil, false
	}
	k, ok := kindByVerb[st.Verb()]
	if !ok || !k.is(st) {
		return nil, false
	}
	return k, true
}
