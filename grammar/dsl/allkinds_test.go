package dsl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestEveryStepKindRoundTrips: a step of every kind of spec.StepKinds,
// with its main value and every option set, formats and parses back to
// itself, so a kind added to the table is written and read in full
// without code here.
func TestEveryStepKindRoundTrips(t *testing.T) {
	for _, k := range spec.StepKinds {
		t.Run(k.Verb, func(t *testing.T) {
			st := filledStep(t, k)
			f := &spec.File{Stages: []*spec.Stage{{Kind: spec.KindStage, Name: spec.Of("b"),
				From: spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("x")}, Steps: []spec.Step{st}}}}
			checkRoundTrip(t, f)
		})
	}
}

// filledStep is a step of the kind whose main value and options are all
// set, to values other than their defaults.
func filledStep(t *testing.T, k *spec.StepKind) spec.Step {
	st := k.New()
	switch m := k.MainField(st).(type) {
	case *spec.Value[string]:
		*m = spec.Of("/main")
	case *spec.Command:
		*m = spec.Command{Exec: spec.ListOf("prog", "arg")}
	case *spec.List[string]:
		*m = spec.ListOf("a", "b")
	case *spec.Add:
		m.Kind, m.URL = spec.AddGit, spec.Of("https://example.com/r.git")
	case *[]*spec.KeyValue:
		*m = []*spec.KeyValue{{Key: spec.Of("A"), Value: spec.Of("1")}}
	default:
		t.Fatalf("%s: no test value for a main field of type %T", k.Verb, m)
	}
	fill(t, k.Verb, spec.StepFields(st))
	return st
}

func fill(t *testing.T, what string, fs []spec.Field) {
	for i, f := range fs {
		switch p := f.Ptr.(type) {
		case *spec.Value[string]:
			*p = spec.Of(fmt.Sprintf("/%s-%d", f.Key.Name, i))
		case *spec.Value[int]:
			*p = spec.Of(7)
		case *spec.Value[bool]:
			*p = spec.Of(true)
		case *spec.List[string]:
			*p = spec.ListOf("x", "y")
		case *[]spec.Value[string]:
			*p = spec.ListOf("n1", "n2").Items
		case *[]*spec.KeyValue:
			*p = []*spec.KeyValue{{Key: spec.Of("K"), Value: spec.Of("v")}}
		case *spec.Command:
			*p = spec.Command{Shell: spec.Of("true")}
		case *spec.Source:
			*p = spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of("other")}
		case *[]*spec.Bind:
			b := &spec.Bind{}
			fill(t, what+"."+f.Key.Name, spec.BindFields(b))
			*p = []*spec.Bind{b}
		case *[]*spec.Tmpfs:
			m := &spec.Tmpfs{}
			fill(t, what+"."+f.Key.Name, spec.TmpfsFields(m))
			*p = []*spec.Tmpfs{m}
		case *[]*spec.InlineFile:
			m := &spec.InlineFile{}
			fill(t, what+"."+f.Key.Name, spec.InlineFileFields(m))
			*p = []*spec.InlineFile{m}
		default:
			t.Fatalf("%s.%s: no test value for a field of type %T", what, f.Key.Name, p)
		}
	}
}

// TestUnknownStepListsKinds: the message about an unknown step lists the
// verbs of spec.StepKinds, and every verb has a hint form.
func TestUnknownStepListsKinds(t *testing.T) {
	_, diags := Parse("Securefile", []byte("stage a from \"x\" {\n  nosuch \"y\"\n}\n"))
	if len(diags) != 1 || diags[0].Code != "unknown-statement" {
		t.Fatalf("diagnostics %v", diags)
	}
	for _, k := range spec.StepKinds {
		if !strings.Contains(diags[0].Detail, k.Verb) {
			t.Errorf("%q does not name the step %q", diags[0].Detail, k.Verb)
		}
		if !strings.HasPrefix(forms[k.Verb], k.Verb+" ") {
			t.Errorf("form of %q is %q", k.Verb, forms[k.Verb])
		}
	}
}

// TestFormatStepOfNoKind: a step no kind describes is not left out of the
// output: Format refuses it.
func TestFormatStepOfNoKind(t *testing.T) {
	f := &spec.File{Stages: []*spec.Stage{{Kind: spec.KindStage, Name: spec.Of("b"), Steps: []spec.Step{&strayStep{}}}}}
	defer func() {
		if recover() == nil {
			t.Error("Format wrote a step of no kind")
		}
	}()
	Format(f)
}

type strayStep struct{ spec.Node }

func (*strayStep) Verb() string { return "stray" }
