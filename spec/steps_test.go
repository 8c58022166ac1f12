package spec

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// mainTypes is the Go type of the main field each shape binds.
var mainTypes = map[MainShape]string{
	MainString:  "*spec.Value[string]",
	MainCommand: "*spec.Command",
	MainPaths:   "*spec.List[string]",
	MainRemote:  "*spec.Add",
	MainVars:    "*[]*spec.KeyValue",
}

// TestStepKinds: every kind's keys and bindings agree (each key bound, in
// order, to a field of the step whose type fits), its main field has the
// type of its shape and is not among the options, its keys hold what its
// shape writes on the DSL line, and KindOf finds it for its own steps.
func TestStepKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range StepKinds {
		if k.Verb == "" || seen[k.Verb] {
			t.Fatalf("kind %q: empty or repeated verb", k.Verb)
		}
		seen[k.Verb] = true
		if k.Doc == "" {
			t.Errorf("%s: no doc", k.Verb)
		}
		if _, ok := Lookup(k.Keys, k.Verb); ok {
			t.Errorf("%s: an option named like the verb", k.Verb)
		}
		if (k.Placeholder != "") != (k.Main == MainString) {
			t.Errorf("%s: a placeholder is for, and needed by, a %v main value only", k.Verb, MainString)
		}
		st := k.New()
		if st.Verb() != k.Verb {
			t.Errorf("%s: New gives a step whose Verb is %q", k.Verb, st.Verb())
		}
		if got, ok := KindOf(st); !ok || got != k {
			t.Errorf("%s: KindOf(New()) = %v, %v", k.Verb, got, ok)
		}
		if kv, ok := KindByVerb(k.Verb); !ok || kv != k {
			t.Errorf("%s: KindByVerb = %v, %v", k.Verb, kv, ok)
		}
		main := k.MainField(st)
		if got := fmt.Sprintf("%T", main); got != mainTypes[k.Main] {
			t.Errorf("%s: main field of type %s; a %v main value is a %s", k.Verb, got, k.Main, mainTypes[k.Main])
		}
		fs := k.AppendFields(nil, st)
		checkFields(t, k.Verb, st, k.Keys, fs)
		for _, f := range fs {
			if f.Ptr == main {
				t.Errorf("%s: option %q is bound to the main field", k.Verb, f.Key.Name)
			}
		}
		if fs2 := StepFields(st); len(fs2) != len(fs) {
			t.Errorf("%s: StepFields binds %d keys, AppendFields %d", k.Verb, len(fs2), len(fs))
		}
		for _, name := range k.Main.LineKeys() {
			key, ok := Lookup(k.Keys, name)
			switch {
			case name == "to" && (!ok || key.Type != TString || !key.Required):
				t.Errorf("%s: a %v step needs a required string key \"to\"", k.Verb, k.Main)
			case name == "from" && ok && key.Type != TSource:
				t.Errorf("%s: its key \"from\" is not a source", k.Verb)
			}
		}
		for _, key := range k.Keys {
			if key.DSLStatement && slices.Contains(k.Main.LineKeys(), key.Name) {
				t.Errorf("%s.%s: both a statement and on the line", k.Verb, key.Name)
			}
		}
	}
	if !slices.Equal(StepVerbs, verbsOf(StepKinds)) {
		t.Errorf("StepVerbs = %v", StepVerbs)
	}
}

// checkFields: fs binds keys in order, each to a distinct field of the
// node st whose Go type fits the key's type.
func checkFields(t *testing.T, what string, st Step, keys []Key, fs []Field) {
	t.Helper()
	want := map[KeyType]string{
		TString: "*spec.Value[string]", TInt: "*spec.Value[int]", TBool: "*spec.Value[bool]",
		TStringList: "*spec.List[string]", TStringOrList: "*spec.List[string]", TNameList: "*[]spec.Value[string]",
		TStringMap: "*[]*spec.KeyValue", TCommand: "*spec.Command", TSource: "*spec.Source",
		THealthcheck: "**spec.Healthcheck", TBindList: "*[]*spec.Bind", TTmpfsList: "*[]*spec.Tmpfs",
		TFileList: "*[]*spec.InlineFile",
	}
	if len(fs) != len(keys) {
		t.Errorf("%s: %d fields for %d keys", what, len(fs), len(keys))
		return
	}
	names := fieldNames(reflect.ValueOf(st).Elem())
	used := map[uintptr]bool{}
	for i, f := range fs {
		if f.Key.Name != keys[i].Name {
			t.Errorf("%s: field %d is %q, the key table has %q", what, i, f.Key.Name, keys[i].Name)
		}
		if got := fmt.Sprintf("%T", f.Ptr); got != want[keys[i].Type] {
			t.Errorf("%s.%s (%v): field of type %s", what, keys[i].Name, keys[i].Type, got)
		}
		p := reflect.ValueOf(f.Ptr).Pointer()
		if _, ok := names[p]; !ok {
			t.Errorf("%s.%s is bound to no field of the step", what, keys[i].Name)
		}
		if used[p] {
			t.Errorf("%s.%s is bound to a field another key sets", what, keys[i].Name)
		}
		used[p] = true
	}
}

// TestEveryStepTypeHasOneKind: each type of the package that is a Step
// (has a Verb method) is made by exactly one kind, so no step type can be
// added without its description.
func TestEveryStepTypeHasOneKind(t *testing.T) {
	types := stepTypes(t)
	if len(types) == 0 {
		t.Fatal("found no step types")
	}
	for _, name := range types {
		n := 0
		for _, k := range StepKinds {
			if reflect.TypeOf(k.New()).Elem().Name() == name {
				n++
			}
		}
		if n != 1 {
			t.Errorf("step type %s is made by %d kinds, want 1", name, n)
		}
	}
	if len(StepKinds) != len(types) {
		t.Errorf("%d kinds for %d step types %v", len(StepKinds), len(types), types)
	}
}

// stepTypes lists the receiver types of the Verb methods declared in the
// package's source.
func stepTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "Verb" || len(fd.Recv.List) != 1 {
				continue
			}
			typ := fd.Recv.List[0].Type
			if s, ok := typ.(*ast.StarExpr); ok {
				typ = s.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				out = append(out, id.Name)
			}
		}
	}
	return out
}

// TestKindOfUnknown: a step no kind describes, and nil, have no kind, and
// binding one panics instead of binding nothing.
func TestKindOfUnknown(t *testing.T) {
	if _, ok := KindOf(nil); ok {
		t.Error("KindOf(nil) found a kind")
	}
	if _, ok := KindOf(&strayStep{}); ok {
		t.Error("KindOf found a kind for a foreign step")
	}
	if _, ok := KindOf(&lookAlike{}); ok {
		t.Error("KindOf found a kind for a step that only shares a verb")
	}
	if _, ok := KindByVerb("no such verb"); ok {
		t.Error("KindByVerb found an unknown verb")
	}
	defer func() {
		if recover() == nil {
			t.Error("StepFields of a step of no kind did not panic")
		}
	}()
	StepFields(&strayStep{})
}

type strayStep struct{ Node }

func (*strayStep) Verb() string { return "mkdir" }

type lookAlike struct{ Node }

func (*lookAlike) Verb() string { return "run" }
