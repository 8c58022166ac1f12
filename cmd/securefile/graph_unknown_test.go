package main

import (
	"errors"
	"strings"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// mkdirStep is a step kind the graph does not know, as one added to the
// model and forgotten here would be.
type mkdirStep struct{ spec.Node }

func (*mkdirStep) Verb() string { return "mkdir" }

// TestGraphFailsOnUnknownStepKind: a stage with a step kind the walk does
// not know is an internal error, not a graph without what the step reads.
func TestGraphFailsOnUnknownStepKind(t *testing.T) {
	f, diags := grammar.Load("Securefile", []byte("image app from scratch {\n  workdir \"/app\"\n}\n"), grammar.DSL)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	at := spec.Range{Filename: "Securefile", Start: spec.Pos{Line: 3, Column: 3}, End: spec.Pos{Line: 3, Column: 8}}
	f.Stages[0].Steps = append(f.Stages[0].Steps, &mkdirStep{spec.Node{Range: at}})
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	_, err := graphOf(f, "", lower.Options{TargetPlatform: amd64, BuildPlatform: amd64})
	var u *spec.UnknownStepError
	if !errors.As(err, &u) {
		t.Fatalf("graphOf = %v, want an internal error for the unknown step kind", err)
	}
	if !strings.HasPrefix(err.Error(), "Securefile:3:3: internal error:") {
		t.Errorf("error %q does not name the step's position", err)
	}
}
