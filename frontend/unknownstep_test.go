package frontend

import (
	"errors"
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// mkdirStep is a step kind the frontend does not know, as one added to the
// model and forgotten here would be.
type mkdirStep struct{ spec.Node }

func (*mkdirStep) Verb() string { return "mkdir" }

// TestOutlineFailsOnUnknownStepKind: the outline of a target whose stage
// holds a step kind the walk does not know is an internal error, not an
// outline without what that step uses.
func TestOutlineFailsOnUnknownStepKind(t *testing.T) {
	const file = "image app from scratch {\n  workdir \"/app\"\n}\n"
	f := loadClean(t, file)
	at := spec.Range{Filename: "Securefile", Start: spec.Pos{Line: 3, Column: 3}, End: spec.Pos{Line: 3, Column: 8}}
	f.Stages[0].Steps = append(f.Stages[0].Steps, &mkdirStep{spec.Node{Range: at}})
	_, err := outlineOf(f, "", []byte(file), nil, platformArgs(linuxAMD64, linuxAMD64))
	var u *spec.UnknownStepError
	if !errors.As(err, &u) {
		t.Fatalf("outlineOf = %v, want an internal error for the unknown step kind", err)
	}
	if !strings.HasPrefix(err.Error(), "Securefile:3:3: internal error:") {
		t.Errorf("error %q does not name the step's position", err)
	}
}

// TestUsageFailsOnUnknownStepKind: the declarations pass fails closed too,
// not only the walk of the stages.
func TestUsageFailsOnUnknownStepKind(t *testing.T) {
	var u *spec.UnknownStepError
	if err := mounted(&spec.File{}, &mkdirStep{}, nil, nil, nil); !errors.As(err, &u) || u.Pass != "the outline" {
		t.Fatalf("mounted = %v, want an internal error of the outline", err)
	}
}
