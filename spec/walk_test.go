package spec

import (
	"errors"
	"reflect"
	"testing"
)

func at(line int32) Range {
	return Range{Filename: "f", Start: Pos{Line: line, Column: 1}, End: Pos{Line: line, Column: 2}}
}

func stageFrom(line int32, name string) Source {
	return Source{Node: Node{Range: at(line)}, Set: true, Kind: SourceStage, Name: At(name, at(line))}
}

func TestStageDeps(t *testing.T) {
	seeded := &Cache{Name: At("gomod", at(1)), From: stageFrom(2, "seed")}
	plain := &Cache{Name: At("tmp", at(3))}
	f := &File{Caches: []*Cache{nil, seeded, plain}}
	var nilRun *Run
	cp := &Copy{Node: Node{Range: at(11)}, From: stageFrom(11, "build")}
	ctxCopy := &Copy{Node: Node{Range: at(12)}}
	bind := &Bind{Node: Node{Range: at(13)}, From: stageFrom(13, "tools")}
	r := &Run{
		Node:   Node{Range: at(13)},
		Caches: []Value[string]{At("gomod", at(14)), At("tmp", at(15)), At("undeclared", at(16)), At("gomod", at(17))},
		Binds:  []*Bind{nil, bind},
	}
	s := &Stage{Node: Node{Range: at(10)}, From: stageFrom(10, "base"),
		Steps: []Step{cp, nilRun, &Add{}, ctxCopy, &Workdir{}, &Env{}, &User{}, r}}
	got, err := StageDeps(f, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Dep{
		{Kind: DepBase, Source: s.From, Range: at(10)},
		{Kind: DepCopy, Source: cp.From, Step: cp, Range: at(11)},
		{Kind: DepCopy, Source: Source{}, Step: ctxCopy, Range: at(12)},
		{Kind: DepBind, Source: bind.From, Step: r, Bind: bind, Range: at(13)},
		{Kind: DepCache, Source: seeded.From, Step: r, Cache: seeded, CacheRef: r.Caches[0], Range: at(14)},
		{Kind: DepCache, Source: seeded.From, Step: r, Cache: seeded, CacheRef: r.Caches[3], Range: at(17)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("StageDeps =\n%+v\nwant\n%+v", got, want)
	}
	var stages []string
	for _, d := range got {
		if d.IsStage() {
			stages = append(stages, d.Source.Name.V)
		}
	}
	if want := []string{"base", "build", "tools", "seed", "seed"}; !reflect.DeepEqual(stages, want) {
		t.Errorf("stage deps %q, want %q", stages, want)
	}
}

func TestStageDepsWithoutBase(t *testing.T) {
	got, err := StageDeps(nil, &Stage{Steps: []Step{&Run{Caches: []Value[string]{At("x", Range{})}}}})
	if err != nil || len(got) != 0 {
		t.Fatalf("StageDeps = %v, %v; want none", got, err)
	}
}

// fakeStep is a step kind the walk does not know, as a kind added to the
// model without the walk would be.
type fakeStep struct{ Node }

func (*fakeStep) Verb() string { return "mkdir" }

func TestStageDepsFailsClosed(t *testing.T) {
	s := &Stage{Steps: []Step{&Copy{}, &fakeStep{Node{Range: at(7)}}}}
	_, err := StageDeps(&File{}, s)
	var u *UnknownStepError
	if !errors.As(err, &u) {
		t.Fatalf("StageDeps of an unknown step kind: err = %v, want an *UnknownStepError", err)
	}
	if want := `internal error: the dependency walk does not know the "mkdir" step (*spec.fakeStep); every pass must handle every step kind`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if u.Range() != at(7) {
		t.Errorf("range = %v", u.Range())
	}
	var nilFake *fakeStep
	if !IsNilStep(nilFake) || IsNilStep(&fakeStep{}) || !IsNilStep(nil) {
		t.Error("IsNilStep")
	}
	if _, err := StageDeps(&File{}, &Stage{Steps: []Step{nilFake}}); err != nil {
		t.Errorf("a typed-nil step is skipped, got %v", err)
	}
}

func TestStageDepsFailsClosedOnSourceKinds(t *testing.T) {
	odd := Source{Node: Node{Range: at(4)}, Set: true, Kind: SourceScratch + 1, Name: At("x", at(4))}
	for _, s := range []*Stage{
		{From: odd},
		{Steps: []Step{&Copy{From: odd}}},
		{Steps: []Step{&Run{Binds: []*Bind{{From: odd}}}}},
		{Steps: []Step{&Run{Caches: []Value[string]{At("c", Range{})}}}},
	} {
		_, err := StageDeps(&File{Caches: []*Cache{{Name: At("c", Range{}), From: odd}}}, s)
		var u *UnknownSourceError
		if !errors.As(err, &u) || u.Range() != at(4) {
			t.Errorf("StageDeps of a source of an unknown kind: err = %v, want an *UnknownSourceError at it", err)
		}
	}
}
