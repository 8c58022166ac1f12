package lower

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// mkdirStep is a step kind the lowering does not know, as one added to the
// model and forgotten here would be.
type mkdirStep struct {
	spec.Node
	Path spec.Value[string]
}

func (*mkdirStep) Verb() string { return "mkdir" }

func withMkdir(t *testing.T) (*spec.File, *mkdirStep) {
	f := load(t, "image app from scratch {\n  workdir \"/app\"\n}\n")
	st := &mkdirStep{Node: spec.Node{Range: spec.Range{Filename: "Securefile", Start: spec.Pos{Line: 3, Column: 3}, End: spec.Pos{Line: 3, Column: 8}}}, Path: spec.At("${netrc}", spec.Range{})}
	f.Stages[0].Steps = append(f.Stages[0].Steps, st)
	return f, st
}

func wantUnknown(t *testing.T, err error, pass string) {
	t.Helper()
	var u *spec.UnknownStepError
	if !errors.As(err, &u) {
		t.Fatalf("err = %v, want an internal error for the unknown step kind", err)
	}
	if u.Pass != pass {
		t.Errorf("reported by %q, want %q", u.Pass, pass)
	}
}

// TestUnknownStepKindFailsLowering: a kind the lowering does not know is
// an error at the step, never a step left out of the image.
func TestUnknownStepKindFailsLowering(t *testing.T) {
	f, _ := withMkdir(t)
	_, err := Lower(context.Background(), f, opts())
	wantUnknown(t, err, "the dependency walk")
	var le *Error
	if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), "Securefile:3:3: internal error:") {
		t.Errorf("err = %q, want a *lower.Error at the step", err)
	}
}

func TestUnknownStepKindFailsPrepare(t *testing.T) {
	f, st := withMkdir(t)
	l, err := newLowerer(f, opts())
	if err != nil {
		t.Fatal(err)
	}
	wantUnknown(t, l.prepareStep(st, arm64), "the lowering's source collection")
}

func TestUnknownStepKindFailsLowerStep(t *testing.T) {
	f, st := withMkdir(t)
	l, err := newLowerer(f, opts())
	if err != nil {
		t.Fatal(err)
	}
	b := &stageBuilder{l: l, s: f.Stages[0], platform: arm64}
	wantUnknown(t, b.lowerStep(context.Background(), st), "the lowering")
}

// TestUnknownSourceKindFailsLowering: a source of a kind the lowering
// does not know is an error at it, never an empty filesystem.
func TestUnknownSourceKindFailsLowering(t *testing.T) {
	f := load(t, "image app from scratch {\n  workdir \"/app\"\n}\n")
	at := spec.Range{Filename: "Securefile", Start: spec.Pos{Line: 1, Column: 16}, End: spec.Pos{Line: 1, Column: 23}}
	f.Stages[0].From = spec.Source{Node: spec.Node{Range: at}, Set: true, Kind: spec.SourceScratch + 1}
	_, err := Lower(context.Background(), f, opts())
	var u *spec.UnknownSourceError
	if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "Securefile:1:16: internal error:") {
		t.Fatalf("err = %v, want an internal error at the source", err)
	}
	l, err := newLowerer(f, opts())
	if err != nil {
		t.Fatal(err)
	}
	b := &stageBuilder{l: l, s: f.Stages[0], platform: arm64}
	if err := b.initBase(f.Stages[0]); !errors.As(err, &u) || u.Pass != "the lowering" {
		t.Fatalf("initBase = %v, want an internal error of the lowering", err)
	}
}
