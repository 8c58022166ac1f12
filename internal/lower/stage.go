package lower

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/util/system"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/spec"
)

// historyComment marks the history entries this frontend writes, as
// "buildkit.dockerfile.v0" marks a Dockerfile's.
const historyComment = "buildkit.securefile.v0"

// stageResult is a lowered stage. Only the output is kept, not an
// llb.State, so that whoever continues from it starts a fresh, short
// value chain.
type stageResult struct {
	out     llb.Output
	img     *dockerspec.DockerOCIImage
	baseImg *dockerspec.DockerOCIImage
	steps   []Step
	history []HistorySource
	// envKnown: img's env is the base's whole config (scope.go).
	envKnown bool
	// extended: a stage built on this one appends to steps, history and
	// img.History in place (initBase).
	extended bool
}

func (r *stageResult) state() llb.State { return llb.NewState(r.out) }

// stageBuilder lowers the steps of one stage. The image config is the
// single record of the stage's env, working directory and user: steps read
// them from here, never from an llb.State.
type stageBuilder struct {
	l        *lowerer
	s        *spec.Stage
	platform ocispecs.Platform
	out      llb.Output
	img      *dockerspec.DockerOCIImage
	baseImg  *dockerspec.DockerOCIImage

	step  int             // 1-based index of the step being lowered
	steps []Step          // the chain so far (chain.go)
	hist  []HistorySource // parallel to img.History

	// envIdx indexes img.Config.Env by name; envKnown is false when the
	// base's config was not resolved (scope.go).
	envIdx   map[string]int
	envKnown bool

	// labelText is label's answer for step labelStep, labelFor.
	labelText string
	labelStep int
	labelFor  spec.Step

	// cur and prev are llb.NewState of the last two outputs (state).
	cur, prev stateMemo
}

// stateMemo is llb.NewState(out), made once.
type stateMemo struct {
	out llb.Output
	st  llb.State
	ok  bool
}

// state is llb.NewState(b.out), the state the next op starts from. It is
// made once per output and shared by the op and the chain (chainStep
// records it as one step's After and the next's Before): NewState adds
// two links to the value chain each time, a tenth of the lowering of a
// long stage when every op and every chain entry made its own.
// llb.State is an immutable value, so sharing one changes nothing in
// what is marshalled.
func (b *stageBuilder) state() llb.State { return b.stateOf(b.out) }

func (b *stageBuilder) stateOf(out llb.Output) llb.State {
	switch {
	case b.cur.ok && b.cur.out == out:
		return b.cur.st
	case b.prev.ok && b.prev.out == out:
		return b.prev.st
	}
	b.prev, b.cur = b.cur, stateMemo{out: out, st: llb.NewState(out), ok: true}
	return b.cur.st
}

func (l *lowerer) lowerStage(ctx context.Context, s *spec.Stage) error {
	p := l.platforms[s]
	b := &stageBuilder{l: l, s: s, platform: p}
	if err := b.initBase(s); err != nil {
		return err
	}
	for i, st := range s.Steps {
		b.step = i + 1
		before := b.out
		if err := b.lowerStep(ctx, st); err != nil {
			return unknownStep(err, s)
		}
		if err := l.useSecrets(st); err != nil {
			return err
		}
		if b.out != before {
			b.steps = append(b.steps, b.chainStep(st, before))
		}
	}
	if err := b.applyConfig(); err != nil {
		return err
	}
	b.img.OS = p.OS
	b.img.Architecture = p.Architecture
	b.img.Variant = p.Variant
	b.img.OSVersion = p.OSVersion
	b.img.OSFeatures = append([]string(nil), p.OSFeatures...)
	l.stages[s] = &stageResult{out: b.out, img: b.img, baseImg: b.baseImg, steps: b.steps, history: b.hist, envKnown: b.envKnown}
	return nil
}

// initBase starts the stage from its base: the filesystem and the config
// to inherit.
func (b *stageBuilder) initBase(s *spec.Stage) error {
	l := b.l
	switch s.From.Kind {
	case spec.SourceStage:
		base := l.stages[l.byName[s.From.Name.V]]
		if base == nil {
			return &Error{Range: or(s.From.Range, s.Range), Err: fmt.Errorf("internal error: stage %q was not lowered before %q", s.From.Name.V, s.Name.V)}
		}
		b.out = base.out
		// The base's chain and history stay as they are: appending to
		// a clipped slice copies it. The first stage built on base
		// appends in place instead, which changes nothing base can see
		// (it is finished, and its slices end where they end); copying
		// for every stage of a chain of stages cost its depth squared.
		b.steps, b.hist = slices.Clip(base.steps), slices.Clip(base.history)
		hist := slices.Clip(base.img.History)
		if !base.extended {
			base.extended = true
			b.steps, b.hist, hist = base.steps, base.history, base.img.History
		}
		b.img = cloneConfig(base.img)
		b.img.History = hist
		b.baseImg = cloneImagePtr(base.baseImg)
		b.envKnown = base.envKnown
	case spec.SourceImage, spec.SourceNamedContext:
		src, err := l.lookupSource(s.From, b.platform, s.Range)
		if err != nil {
			return err
		}
		b.out = src.state.Output()
		// An image's env is known only when the caller resolves configs.
		b.envKnown = src.img != nil
		if src.img != nil {
			b.img = cloneImage(src.img)
			b.baseImg = cloneImage(src.img)
			// ONBUILD triggers are commands from the image's config, not
			// from the build file, and are never run here (values are
			// never code); a base that has some is refused unless the
			// stage says to build without them.
			if n := len(src.img.Config.OnBuild); n > 0 && !s.IgnoreOnbuild.Or(false) {
				return &Error{Range: or(s.From.Name.Range, s.From.Range, s.Range), Err: fmt.Errorf("base image %q has %d ONBUILD trigger(s) (%s), which a Securefile build does not run: they are commands from the image, not from the build file. Write the steps they stand for into stage %q, and set ignore_onbuild = true on it to build on this image without them", s.From.Name.V, n, strings.Join(src.img.Config.OnBuild, "; "), s.Name.V)}
			}
			// The image built here is not the one they were meant for.
			b.img.Config.OnBuild = nil
		}
	case spec.SourceScratch, spec.SourceContext:
		// The empty filesystem; the checker refuses the main context as
		// a base.
	default:
		return &Error{Range: or(s.From.Range, s.Range), Err: &spec.UnknownSourceError{Source: s.From, Pass: "the lowering"}}
	}
	if b.img == nil {
		b.img = emptyImage(b.platform)
		b.envKnown = b.envKnown || s.From.Kind == spec.SourceScratch
	}
	// Steps run with this PATH when the base sets none, as in a
	// Dockerfile build; the image records it too, so that the container
	// runs with the environment the build had.
	if b.platform.OS != "windows" {
		if _, ok := getEnv(b.img.Config.Env, "PATH"); !ok {
			b.img.Config.Env = append(b.img.Config.Env, "PATH="+system.DefaultPathEnv(b.platform.OS))
		}
	}
	// The stage's shell runs all its shell-form commands, its runs too,
	// so it is the config's before the first step; without one the
	// base's (a stage's, or an image config's Shell) is kept, as a
	// Dockerfile stage inherits SHELL.
	if s.Config.Shell.Set {
		b.img.Config.Shell = make([]string, len(s.Config.Shell.Items))
		for i, it := range s.Config.Shell.Items {
			b.img.Config.Shell[i] = it.V
		}
	}
	b.img.History = slices.Grow(b.img.History, len(s.Steps))
	// At most one chain entry and one history entry per step: grown once
	// rather than doubled along a long stage.
	b.steps = slices.Grow(b.steps, len(s.Steps))
	b.hist = slices.Grow(b.hist, len(s.Steps))
	b.indexEnv()
	return nil
}

// workingDir is where relative paths of the current step resolve. An
// image that sets none works in "/", but its config keeps WorkingDir
// empty, as a Dockerfile build leaves it.
func (b *stageBuilder) workingDir() string {
	if wd := b.img.Config.WorkingDir; wd != "" {
		return wd
	}
	return "/"
}

func (b *stageBuilder) lowerStep(ctx context.Context, st spec.Step) error {
	switch st := st.(type) {
	case *spec.Run:
		if st != nil {
			return b.run(ctx, st)
		}
	case *spec.Copy:
		if st != nil {
			return b.copy(ctx, st)
		}
	case *spec.Add:
		if st != nil {
			return b.add(st)
		}
	case *spec.Inline:
		if st != nil {
			return b.inline(st)
		}
	case *spec.Workdir:
		if st != nil {
			return b.workdir(st)
		}
	case *spec.Env:
		if st != nil {
			return b.env(st)
		}
	case *spec.User:
		if st != nil {
			return b.user(st)
		}
	default:
		if !spec.IsNilStep(st) {
			return &spec.UnknownStepError{Step: st, Pass: "the lowering"}
		}
	}
	return nil
}

// name is the progress name of the current step's op: "[build 2/5] RUN
// go build ./...", and in a multi-platform build "[linux/arm64 build 2/5]",
// or "[linux/amd64->arm64 build 2/5]" for a stage that runs on another
// platform than the target, as dockerfile2llb's prefixCommand names them.
// The text is the step as written, after interpolation; secrets never
// appear in it because the model holds no secret values.
func (b *stageBuilder) name(verb, text string) string {
	var sb strings.Builder
	sb.Grow(len(b.s.Name.V) + len(verb) + len(text) + 24)
	sb.WriteString("[")
	if b.l.opt.MultiPlatform {
		sb.WriteString(platforms.FormatAll(b.platform))
		sb.WriteString(crossTarget(b.platform, b.l.targetPlatform))
		sb.WriteString(" ")
	}
	sb.WriteString(b.s.Name.V)
	sb.WriteString(" ")
	sb.WriteString(strconv.Itoa(b.step))
	sb.WriteString("/")
	sb.WriteString(strconv.Itoa(len(b.s.Steps)))
	sb.WriteString("] ")
	sb.WriteString(verb)
	sb.WriteString(" ")
	sb.WriteString(text)
	return sb.String()
}

// label is the current step's name without its text, "[build 2/5] RUN",
// which its history entry and its chain entry both record: made once per
// step.
func (b *stageBuilder) label(st spec.Step) string {
	if b.labelStep != b.step || b.labelFor != st {
		name := b.name(strings.ToUpper(st.Verb()), "")
		b.labelText, b.labelStep, b.labelFor = name[:len(name)-1], b.step, st
	}
	return b.labelText
}

// crossTarget is what a step of a stage running on p for the build's
// target platform adds to its platform: "->arm64" when only the
// architecture (and variant) differs, "->windows/amd64" when the OS does,
// nothing when p is the target. It is dockerfile2llb's
// formatTargetPlatform, whose variant-only difference adds nothing too.
func crossTarget(p, target ocispecs.Platform) string {
	target = platforms.Normalize(target)
	switch {
	case target.OS == p.OS && target.Architecture != p.Architecture:
		arch := target.Architecture
		if target.Variant != "" {
			arch += "/" + target.Variant
		}
		return "->" + arch
	case target.OS != p.OS:
		return "->" + platforms.FormatAll(target)
	}
	return ""
}

// constraints are what every op of the current step carries: the stage
// platform, the progress name and the step's place in the file.
func (b *stageBuilder) constraints(name string, r spec.Range) []llb.ConstraintsOpt {
	opts := make([]llb.ConstraintsOpt, 2, 3)
	opts[0], opts[1] = llb.Platform(b.platform), llb.WithCustomName(name)
	if loc := b.l.location(r); loc != nil {
		opts = append(opts, loc)
	}
	return opts
}

func (b *stageBuilder) history(createdBy string, layer bool) {
	if len(b.hist) < len(b.img.History) { // the base image's own entries
		b.hist = append(b.hist, make([]HistorySource, len(b.img.History)-len(b.hist))...)
	}
	b.hist = append(b.hist, b.historySource())
	b.img.History = append(b.img.History, ocispecs.History{
		Created:    b.l.opt.Epoch,
		CreatedBy:  createdBy,
		Comment:    historyComment,
		EmptyLayer: !layer,
	})
}

func (b *stageBuilder) workdir(w *spec.Workdir) error {
	v, err := b.expand(w.Path, w.Range)
	if err != nil {
		return err
	}
	wd := path.Clean(v)
	if !path.IsAbs(wd) {
		wd = path.Join(b.workingDir(), wd)
	}
	b.img.Config.WorkingDir = wd
	if wd == "/" {
		b.history("WORKDIR "+wd, false)
		return nil
	}
	// The directory is created, as a Dockerfile's WORKDIR does, so that
	// the steps after it can rely on it and the image has it.
	opts := []llb.MkdirOption{llb.WithParents(true)}
	if u := b.img.Config.User; u != "" {
		opts = append(opts, llb.WithUser(u))
	}
	if e := b.l.opt.Epoch; e != nil {
		opts = append(opts, llb.WithCreatedTime(*e))
	}
	st := b.state().File(llb.Mkdir(wd, 0o755, opts...), b.constraints(b.name("WORKDIR", wd), w.Range)...)
	b.out = st.Output()
	b.history("WORKDIR "+wd, true)
	return nil
}

func (b *stageBuilder) env(e *spec.Env) error {
	parts := make([]string, 0, len(e.Vars))
	for _, kv := range e.Vars {
		if kv == nil {
			continue
		}
		v, err := b.expand(kv.Value, or(kv.Range, e.Range))
		if err != nil {
			return err
		}
		b.setStageEnv(kv.Key.V, v)
		parts = append(parts, kv.Key.V+"="+v)
	}
	b.history("ENV "+strings.Join(parts, " "), false)
	return nil
}

func (b *stageBuilder) user(u *spec.User) error {
	v, err := b.expand(u.User, u.Range)
	if err != nil {
		return err
	}
	b.img.Config.User = v
	b.history("USER "+v, false)
	return nil
}

func getEnv(env []string, k string) (string, bool) {
	for _, kv := range env {
		if name, v, _ := strings.Cut(kv, "="); name == k {
			return v, true
		}
	}
	return "", false
}
