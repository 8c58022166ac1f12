package lower

import (
	"slices"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/spec"
)

// Step is one step of the exported image's chain that changed the
// filesystem: llb.Diff(Before, After) is what it added. The chain starts
// at the first base that is not a stage (an image, a named context or
// scratch), so the base image's own layers are not in it; a stage based on
// a stage carries that stage's steps first. A copy from another stage is
// one step, whose diff is everything it brought.
type Step struct {
	// Name is the step's progress name without its text, e.g.
	// "[build 2/5] RUN".
	Name  string
	Stage string
	Range spec.Range
	// Before and After are the filesystem before and after the step.
	Before, After llb.State
}

// SecretUse is a secret that a step of a lowered stage mounts.
type SecretUse struct {
	// ID is the id the client provides the value under.
	ID string
	// Optional is true when every declaration mounting this id is
	// optional: the build runs without it.
	Optional bool
	// Range is the first declaration with this id.
	Range spec.Range
	// Digest is the step that computes the digest of the value
	// (rotate.go), nil when the build has none for this id. It is the
	// first vertex that asks the client for the secret, so the frontend
	// solves the digests of the required secrets before the build: a
	// missing one then fails before any step has run.
	Digest *llb.State
}

// useSecrets records the secrets a run step mounts, once per id, in the
// order first used.
func (l *lowerer) useSecrets(st spec.Step) error {
	r, ok := st.(*spec.Run)
	if !ok || r == nil {
		return nil
	}
	for _, n := range r.Secrets {
		d := l.f.Secret(n.V)
		if d == nil {
			continue // the step's own lowering reports it
		}
		id, err := l.expandOr(d.ID, d.Name.V, d.Range)
		if err != nil {
			return err
		}
		if i, seen := l.secretIndex[id]; seen {
			l.secretUses[i].Optional = l.secretUses[i].Optional && !d.IsRequired()
			continue
		}
		if l.secretIndex == nil {
			l.secretIndex = map[string]int{}
		}
		l.secretIndex[id] = len(l.secretUses)
		l.secretUses = append(l.secretUses, SecretUse{ID: id, Optional: !d.IsRequired(), Range: d.Range})
	}
	return nil
}

// chainStep records the step just lowered, which changed the filesystem
// from before to b.out.
func (b *stageBuilder) chainStep(st spec.Step, before llb.Output) Step {
	return Step{
		Name:   b.label(st),
		Stage:  b.s.Name.V,
		Range:  st.NodeInfo().Range,
		Before: b.stateOf(before),
		After:  b.state(),
	}
}

// HistorySource is the step that wrote one history entry of the image;
// the zero value marks an entry of the base image.
type HistorySource struct {
	Name  string // e.g. "[build 2/5] RUN"
	Stage string
	Range spec.Range
}

// historySource is the current step, for the entry it writes.
func (b *stageBuilder) historySource() HistorySource {
	if b.step < 1 || b.step > len(b.s.Steps) || b.s.Steps[b.step-1] == nil {
		return HistorySource{Stage: b.s.Name.V, Range: b.s.Range}
	}
	st := b.s.Steps[b.step-1]
	return HistorySource{Name: b.label(st), Stage: b.s.Name.V, Range: st.NodeInfo().Range}
}

// historyOf is r's history sources, as long as the image's history: a
// stage without steps writes no entry, so the base's entries may be
// missing from the list.
func historyOf(r *stageResult, n int) []HistorySource {
	h := slices.Clip(r.history)
	if len(h) < n {
		h = append(make([]HistorySource, n-len(h)), h...)
	}
	return h
}
