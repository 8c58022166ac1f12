package lower

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/spec"
)

// Lower turns the target stage of f, and every stage it needs, into an LLB
// graph for opt.TargetPlatform, together with the target's image config.
//
// Lowering happens in three passes, none of which evaluates or reads
// anything built by the graph itself:
//
//  1. the stages reachable from the target are put in dependency order
//     and every image and named context they use is collected;
//  2. those sources are resolved concurrently, each (reference, platform)
//     once;
//  3. the stages are lowered in order, each once.
//
// Each stage keeps its env, working directory and user in plain Go values
// and every op starts from llb.NewState of the previous op's output, so the
// llb.State value chains stay a few links long whatever the number of
// steps: lowering and marshalling are linear in the size of the file.
//
// The result is the same for the same file and options, byte for byte once
// marshalled, with one exception that belongs to BuildKit: a main context
// without a session (the llb.Local used when Options.MainContext is nil)
// gets a random local.unique attribute at Marshal time unless
// llb.LocalUniqueID is passed to Marshal.
func Lower(ctx context.Context, f *spec.File, opt Options) (*Result, error) {
	l, err := newLowerer(f, opt)
	if err != nil {
		return nil, err
	}
	target, err := l.target()
	if err != nil {
		return nil, err
	}
	order, err := l.reachable(target)
	if err != nil {
		return nil, err
	}
	if err := l.prepare(order); err != nil {
		return nil, err
	}
	if err := l.resolve(ctx); err != nil {
		return nil, err
	}
	for _, s := range order {
		if err := l.lowerStage(ctx, s); err != nil {
			return nil, err
		}
	}
	r := l.stages[target]
	st := llb.NewState(r.out)
	defaults := []llb.ConstraintsOpt{llb.Platform(l.targetPlatform)}
	if opt.LLBCaps != nil {
		defaults = append(defaults, llb.WithCaps(*opt.LLBCaps))
	}
	uses := slices.Clone(l.secretUses)
	for i := range uses {
		if d, ok := l.rotations[uses[i].ID]; ok {
			d = d.SetMarshalDefaults(defaults...)
			uses[i].Digest = &d
		}
	}
	agents := slices.Clone(l.sshUses)
	for i := range agents {
		if agents[i].Check != nil {
			c := agents[i].Check.SetMarshalDefaults(defaults...)
			agents[i].Check = &c
		}
	}
	img := cloneImage(r.img)
	if opt.Epoch != nil {
		t := *opt.Epoch
		img.Created = &t
	}
	return &Result{
		State:     st.SetMarshalDefaults(defaults...),
		Image:     img,
		BaseImage: cloneImagePtr(r.baseImg),
		Stage:     target,
		Steps:     r.steps,
		History:   historyOf(r, len(img.History)),
		Secrets:   uses,
		SSH:       agents,
	}, nil
}

// lowerer is the state of one Lower call.
type lowerer struct {
	f    *spec.File
	opt  Options
	args *argValues

	targetPlatform ocispecs.Platform
	buildPlatform  ocispecs.Platform

	byName    map[string]*spec.Stage
	platforms map[*spec.Stage]ocispecs.Platform
	stages    map[*spec.Stage]*stageResult

	sources     map[sourceKey]*source
	sourceOrder []*source

	// Main-context paths the reachable steps use; everything means one
	// of them is the root, so the whole context is needed.
	ctxPaths      map[string]struct{}
	ctxEverything bool
	mainCtx       *llb.State

	// Secrets mounted by the lowered steps (chain.go).
	secretUses  []SecretUse
	sshIndex    map[string]int
	sshUses     []SSHUse
	secretIndex map[string]int

	// The digest step of each rotated secret, by secret id (rotate.go).
	rotations map[string]llb.State

	// fieldBuf holds the bindings of the step prepareStep reads.
	fieldBuf []spec.Field
}

func newLowerer(f *spec.File, opt Options) (*lowerer, error) {
	if f == nil {
		return nil, &Error{Err: fmt.Errorf("no build file")}
	}
	build := normPlatform(opt.BuildPlatform, platforms.DefaultSpec())
	target := normPlatform(opt.TargetPlatform, build)
	stage := opt.Target
	if stage == "" {
		if s := f.DefaultTarget(); s != nil {
			stage = s.Name.V
		}
	}
	args, err := newArgValues(f, opt.BuildArgs, target, build, stage)
	if err != nil {
		return nil, err
	}
	l := &lowerer{
		f:              f,
		opt:            opt,
		args:           args,
		targetPlatform: target,
		buildPlatform:  build,
		byName:         map[string]*spec.Stage{},
		platforms:      map[*spec.Stage]ocispecs.Platform{},
		stages:         map[*spec.Stage]*stageResult{},
		sources:        map[sourceKey]*source{},
		ctxPaths:       map[string]struct{}{},
	}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		if _, dup := l.byName[s.Name.V]; !dup {
			l.byName[s.Name.V] = s
		}
	}
	return l, nil
}

// normPlatform fills an unset platform from def, so that a caller that
// knows neither platform still gets a build for the machine it runs on.
func normPlatform(p, def ocispecs.Platform) ocispecs.Platform {
	if p.OS == "" && p.Architecture == "" {
		p = def
	}
	return platforms.Normalize(p)
}

func (l *lowerer) fileRange() spec.Range {
	return spec.Range{Filename: l.f.Range.Filename}
}

func (l *lowerer) target() (*spec.Stage, error) {
	if l.opt.Target == "" {
		if s := l.f.DefaultTarget(); s != nil {
			return s, nil
		}
		return nil, &Error{Range: l.fileRange(), Err: fmt.Errorf("the file has no stages to build")}
	}
	if s, ok := l.byName[l.opt.Target]; ok {
		return s, nil
	}
	// As the Dockerfile frontend, and this one's outline (lookupStage),
	// match a target ignoring case: a converted Dockerfile's stages are
	// built with the --target its users already type. Stage names are
	// unique ignoring case (the checker's duplicate-stage).
	for _, s := range l.f.Stages {
		if s != nil && strings.EqualFold(s.Name.V, l.opt.Target) {
			return s, nil
		}
	}
	// At most ten names: a file of thousands of stages must not make a
	// message of thousands of lines' worth.
	var names []string
	more := 0
	for _, s := range l.f.Stages {
		switch {
		case s == nil:
		case len(names) < 10:
			names = append(names, s.Name.V)
		default:
			more++
		}
	}
	list := strings.Join(names, ", ")
	if more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return nil, &Error{Range: l.fileRange(), Err: fmt.Errorf("target %q not found; stages: %s", l.opt.Target, list)}
}

// stageRef is a use of another stage by a stage.
type stageRef struct {
	name string
	r    spec.Range
}

// deps lists the stages s uses, in the order they are written
// (spec.StageDeps). A cache seed is placed at the seed's name in the cache
// declaration, the others where the stage writes the reference.
func (l *lowerer) deps(s *spec.Stage) ([]stageRef, error) {
	ds, err := spec.StageDeps(l.f, s)
	if err != nil {
		return nil, unknownStep(err, s)
	}
	var out []stageRef
	for _, d := range ds {
		if d.IsStage() {
			out = append(out, stageRef{name: d.Source.Name.V, r: or(d.Source.Name.Range, d.Source.Range, d.Range)})
		}
	}
	return out, nil
}

// unknownStep places a *spec.UnknownStepError at its step, and a
// *spec.UnknownSourceError at its source, else at the stage.
func unknownStep(err error, s *spec.Stage) error {
	var u *spec.UnknownStepError
	if errors.As(err, &u) {
		return &Error{Range: or(u.Range(), s.Range), Err: err}
	}
	var us *spec.UnknownSourceError
	if errors.As(err, &us) {
		return &Error{Range: or(us.Range(), s.Range), Err: err}
	}
	return err
}

// reachable returns the stages the target needs, the target last, each
// after every stage it uses. It walks with an explicit stack so that a
// long chain of stages cannot exhaust the goroutine stack.
func (l *lowerer) reachable(target *spec.Stage) ([]*spec.Stage, error) {
	const (
		inProgress = 1
		done       = 2
	)
	state := map[*spec.Stage]int{}
	type frame struct {
		s    *spec.Stage
		deps []stageRef
		i    int
	}
	var order []*spec.Stage
	deps, err := l.deps(target)
	if err != nil {
		return nil, err
	}
	stack := []frame{{s: target, deps: deps}}
	state[target] = inProgress
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i == len(top.deps) {
			state[top.s] = done
			order = append(order, top.s)
			stack = stack[:len(stack)-1]
			continue
		}
		ref := top.deps[top.i]
		top.i++
		dep, ok := l.byName[ref.name]
		if !ok {
			return nil, &Error{Range: ref.r, Err: fmt.Errorf("stage %q not found", ref.name)}
		}
		switch state[dep] {
		case done:
		case inProgress:
			return nil, &Error{Range: ref.r, Err: fmt.Errorf("stage %q depends on itself", ref.name)}
		default:
			state[dep] = inProgress
			deps, err := l.deps(dep)
			if err != nil {
				return nil, err
			}
			stack = append(stack, frame{s: dep, deps: deps})
		}
	}
	return order, nil
}

// prepare computes the platform of every reachable stage and collects the
// images and named contexts they use and the main-context paths they
// read, before anything is lowered: resolution can then run concurrently,
// and the main context is requested once with the paths every step needs.
func (l *lowerer) prepare(order []*spec.Stage) error {
	for _, s := range order {
		p, err := l.stagePlatform(s)
		if err != nil {
			return err
		}
		l.platforms[s] = p
		if isExternal(s.From) {
			if _, err := l.use(s.From, p, or(s.From.Range, s.Range), true); err != nil {
				return err
			}
		}
		for _, st := range s.Steps {
			if err := l.prepareStep(st, p); err != nil {
				return unknownStep(err, s)
			}
		}
	}
	return nil
}

func (l *lowerer) prepareStep(st spec.Step, p ocispecs.Platform) error {
	if spec.IsNilStep(st) {
		return nil
	}
	k, ok := spec.KindOf(st)
	if !ok {
		return &spec.UnknownStepError{Step: st, Pass: "the lowering's source collection"}
	}
	// What a step reads is in its fields, whatever its kind: a source key
	// (the paths of its main value are in that source: a copy's), bind
	// mounts, and the caches it mounts (their seeds).
	at := st.NodeInfo().Range
	// Reused from step to step: a run's bindings are a few kilobytes,
	// and allocating them anew for every step of a long stage was a
	// fifth of the lowering's own time (docs/performance.md, "Offline").
	l.fieldBuf = k.AppendFields(l.fieldBuf[:0], st)
	fields := l.fieldBuf
	for _, fd := range fields {
		switch v := fd.Ptr.(type) {
		case *spec.Source:
			if err := l.prepareSource(*v, k, st, p, at); err != nil {
				return err
			}
		case *[]*spec.Bind:
			for _, b := range *v {
				if err := l.prepareBind(b, p, at); err != nil {
					return err
				}
			}
		}
	}
	for _, fd := range fields {
		names, ok := fd.Ptr.(*[]spec.Value[string])
		if !ok || fd.Key.Name != "caches" {
			continue
		}
		for _, n := range *names {
			if c := l.f.Cache(n.V); c != nil && isExternal(c.From) {
				if _, err := l.use(c.From, p, or(n.Range, at), false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// prepareSource collects what a step's source key needs: the context
// paths of its main value when the source is the main context, or the
// image or named context.
func (l *lowerer) prepareSource(src spec.Source, k *spec.StepKind, st spec.Step, p ocispecs.Platform, at spec.Range) error {
	if isMainContext(src) {
		paths, ok := k.MainField(st).(*spec.List[string])
		if !ok {
			return &Error{Range: at, Err: fmt.Errorf("internal error: a %q step reads the main context but its main value is not a list of paths", k.Verb)}
		}
		for _, item := range paths.Items {
			v, err := l.args.expand(item, or(paths.Range, at))
			if err != nil {
				return err
			}
			l.addContextPath(v)
		}
		return nil
	}
	if isExternal(src) {
		_, err := l.use(src, p, at, false)
		return err
	}
	return nil
}

// prepareBind collects what a bind mount needs: its path of the main
// context, or its image or named context.
func (l *lowerer) prepareBind(b *spec.Bind, p ocispecs.Platform, at spec.Range) error {
	if b == nil {
		return nil
	}
	fb := or(b.Range, at)
	if isMainContext(b.From) {
		v, err := l.args.expand(b.Path, fb)
		if err != nil {
			return err
		}
		if !b.Path.Set {
			v = spec.DefaultBindPath
		}
		l.addContextPath(v)
		return nil
	}
	if isExternal(b.From) {
		if _, err := l.use(b.From, p, fb, false); err != nil {
			return err
		}
	}
	return nil
}

// stagePlatform is the platform a stage is built for: its own platform
// setting, else that of the stage it is based on (its files are for that
// platform), else the target platform.
func (l *lowerer) stagePlatform(s *spec.Stage) (ocispecs.Platform, error) {
	if s.Platform.Set {
		v, err := l.args.expand(s.Platform, s.Range)
		if err != nil {
			return ocispecs.Platform{}, err
		}
		p, err := platforms.Parse(strings.TrimSpace(v))
		if err != nil {
			return ocispecs.Platform{}, &Error{Range: or(s.Platform.Range, s.Range), Err: fmt.Errorf("invalid platform %q: %w", v, err)}
		}
		return platforms.Normalize(p), nil
	}
	if s.From.Set && s.From.Kind == spec.SourceStage {
		if base, ok := l.byName[s.From.Name.V]; ok {
			if p, ok := l.platforms[base]; ok {
				return p, nil
			}
		}
	}
	return l.targetPlatform, nil
}
