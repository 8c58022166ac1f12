// Package check finds the mistakes in a build model that the parsers
// cannot see: undefined and unused names, dependency cycles, invalid values
// (modes, platforms, ports, checksums, …), interpolation that could leak a
// secret, and anything else that would make the lowering to LLB impossible
// or surprising. It works on the model only and never knows which syntax
// the file was written in, so its hints name settings, not syntax.
//
// Every diagnostic has a stable Code (the rule id, see rules.go), a terse
// Summary, a Detail that explains it and, where it helps, a Hint. Its Range
// is the value at fault (a name, a mode, the "${NAME}" inside a string),
// falling back to the nearest enclosing node with a known range.
//
// Required keys of the key tables (spec.*Keys with Required) are the
// parsers' to report (missing-key); Check only validates the values that
// are set, so a file never gets the same finding twice.
package check

import (
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// Check returns every diagnostic about f, sorted by position. It never
// panics, whatever the model: fields may be unset or zero, and values
// built in code may have no ranges.
func Check(f *spec.File) (diags spec.Diagnostics) {
	c := &checker{}
	defer func() {
		if p := recover(); p != nil {
			// A bug in a rule must not take the tool down; report it
			// with everything found so far.
			c.diags = append(c.diags, spec.Errorf(c.fileRange, "internal-error",
				fmt.Sprintf("The checker failed on this file (%v); the findings above may be incomplete.", p),
				"please report this as a bug", "internal checker error"))
			c.diags.Sort()
			diags = c.diags
		}
	}()
	if f == nil {
		f = &spec.File{}
	}
	c.run(f)
	c.diags.Sort()
	return c.diags
}

// checker holds the state of one Check.
type checker struct {
	f         *spec.File
	diags     spec.Diagnostics
	fileRange spec.Range // the file's range, or its first position

	args       map[string]*spec.Arg
	secrets    map[string]*spec.Secret
	ssh        map[string]int // name → index in f.SSH
	caches     map[string]*spec.Cache
	stages     map[string]*spec.Stage
	stagesFold map[string]*spec.Stage // lower-cased names

	argNames, secretNames, sshNames, cacheNames, stageNames []string

	used     map[use]bool
	envNames map[string]bool // names any env step or run env sets
	argEdges map[*spec.Arg][]argEdge

	// scope is the environment of the stage being checked, nil outside
	// stages (declarations, arg defaults): scope.go.
	scope *envScope

	argDefaults map[string]argValue  // memo of defaultValue
	absWorkdir  map[*spec.Stage]bool // memo of baseHasAbsWorkdir

	// inlineContent is set while the content of a file step is checked:
	// a "$NAME" there may be meant for the program that reads the file,
	// which raw = true writes as it is.
	inlineContent bool

	// runFields holds the bindings of the run step checkRun validates.
	runFields []spec.Field
	runMounts runMounts

	// secretCacheMemo holds the text of the secret-in-cache warnings by
	// the names they list (secretInCacheText); memoKey is its key buffer.
	secretCacheMemo map[string]secretCacheText
	memoKey         []byte

	unknownSteps   map[*spec.Node]bool // reported by unknownStep
	unknownSources map[spec.Range]bool // reported by unknownSource
	// deferredUnknown is set on a fork (runConcurrently): its
	// unknownStep and unknownSource calls, by the placeholder findings
	// that stand for them, for merge to make.
	deferredUnknown map[*spec.Diagnostic]deferredUnknown
}

func (c *checker) run(f *spec.File) {
	c.declarations(f)
	c.stepPasses()
	c.checkSSHHosts()
	c.checkUnused()
	// Last, so that a suppression sees every finding it could cover.
	c.applySuppressions()
}

// declarations collects and checks the declarations, which every later
// pass reads.
func (c *checker) declarations(f *spec.File) {
	c.f = f
	c.fileRange = f.Range
	if c.fileRange.IsZero() {
		c.fileRange = spec.Range{Filename: f.Range.Filename, Start: spec.Pos{Line: 1, Column: 1}, End: spec.Pos{Line: 1, Column: 1}}
	}
	c.used = map[use]bool{}
	c.argEdges = map[*spec.Arg][]argEdge{}
	c.argDefaults = map[string]argValue{}
	c.collect()
	c.checkPlatforms()
	c.checkArgs()
	c.checkSecrets()
	c.checkSSH()
	c.checkCaches()
}

// stepPasses are the passes over the stages and their steps, on two
// goroutines for a large file.
func (c *checker) stepPasses() {
	if c.steps() >= parallelMinSteps {
		c.runConcurrently()
		return
	}
	c.stagePasses()
	c.graphPasses()
}

// parallelMinSteps is how many steps a file needs before the passes of
// stagePasses and graphPasses run on two goroutines (runConcurrently):
// below it the goroutine and the merge cost about what they save (on two
// cores, 64 steps took 15% longer concurrently, 128 5% less, 256 and more
// 20-25% less). A variable so that the tests can run every file both
// ways.
var parallelMinSteps = 256

// steps counts the steps of the file's stages.
func (c *checker) steps() int {
	n := 0
	for _, s := range c.f.Stages {
		if s != nil {
			n += len(s.Steps)
		}
	}
	return n
}

// stagePasses check every stage, step by step, and count their layers.
// They write the checker's use and memo state (c.used, c.argDefaults,
// c.absWorkdir, c.scope, the run buffers), which graphPasses do not read.
func (c *checker) stagePasses() {
	c.checkStages()
	c.layers()
}

// graphPasses follow the args' and stages' references and look for
// credentials. Besides the findings and the unknown-kind sets they write
// nothing of the checker's: they read the declarations collect made and
// the arg edges checkArgs found, both done before.
func (c *checker) graphPasses() {
	c.checkArgCycles()
	c.checkStageGraph()
	c.checkCredentialFiles()
	c.checkSecretValues()
}

// runConcurrently runs stagePasses here and graphPasses on a second
// goroutine with a checker of its own (fork), then appends the second's
// findings after the first's (merge): the order the passes have when they
// run one after the other, so the result is the same, finding for
// finding. A panic
// in either is re-raised here as the sequential run would have it: one in
// stagePasses drops graphPasses' findings (they would not have run); one in
// graphPasses comes after stagePasses' findings and its own so far.
func (c *checker) runConcurrently() {
	g := c.fork()
	var gPanic any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { gPanic = recover() }()
		g.graphPasses()
	}()
	// The new goroutine waits in this P's run-next slot, where an idle P
	// does not take it at once: yielding runs it here and leaves this one
	// to the P that the go statement woke. Without it a check of a few
	// hundred steps ran the halves one after the other, and was slower
	// than sequential.
	runtime.Gosched()
	sPanic := func() (p any) {
		defer func() { p = recover() }()
		c.stagePasses()
		return nil
	}()
	<-done
	if sPanic != nil {
		panic(sPanic)
	}
	c.merge(g)
	if gPanic != nil {
		panic(gPanic)
	}
}

// fork is a checker for graphPasses running beside stagePasses on c: it
// shares c's declarations (read-only by then) and has its own findings;
// its unknown-kind reports wait for merge. The state only stagePasses
// writes is left out (nil), so that a graph pass that started using it
// would fail the tests, which run every file both ways, instead of racing.
func (c *checker) fork() *checker {
	g := *c
	g.diags = nil
	g.unknownSteps, g.unknownSources = nil, nil
	g.deferredUnknown = map[*spec.Diagnostic]deferredUnknown{}
	g.used, g.argDefaults, g.absWorkdir, g.scope = nil, nil, nil, nil
	g.runFields, g.runMounts = nil, runMounts{}
	g.secretCacheMemo, g.memoKey = nil, nil
	return &g
}

// deferredUnknown is an unknownStep or unknownSource call of a fork, made
// by merge in its place among the fork's findings: whether it reports
// depends on what the passes before it reported, and the call (the step's
// Verb, say) must happen then, as in the sequential run.
type deferredUnknown struct {
	step   spec.Step
	source *spec.Source // set for an unknownSource call
	fb     spec.Range
}

// deferUnknown keeps the call u in the fork's findings, as a placeholder
// diagnostic that merge replaces.
func (c *checker) deferUnknown(u deferredUnknown) {
	d := &spec.Diagnostic{Code: "internal"}
	c.diags = append(c.diags, d)
	c.deferredUnknown[d] = u
}

// merge appends the findings of fork g to c's, making its deferred
// unknown-kind calls in their places: an unknown step or source is
// reported once, by the first pass that meets it, and c's passes come
// first.
func (c *checker) merge(g *checker) {
	for _, d := range g.diags {
		u, ok := g.deferredUnknown[d]
		switch {
		case !ok:
			c.diags = append(c.diags, d)
		case u.source != nil:
			c.unknownSource(*u.source, u.fb)
		default:
			c.unknownStep(u.step, u.fb)
		}
	}
}

// unknownStep reports a step of a kind the checker does not know, once
// per step, whichever pass meets it first. Every pass must see every step
// (a step left unchecked could interpolate a secret or copy a credential
// file), so a kind added to the model without its checks makes the file
// fail the check instead of passing it unchecked. Typed nil steps hold
// nothing and are skipped, as the known kinds' are.
func (c *checker) unknownStep(st spec.Step, fb spec.Range) {
	if c.deferredUnknown != nil {
		c.deferUnknown(deferredUnknown{step: st, fb: fb})
		return
	}
	if spec.IsNilStep(st) {
		return
	}
	n := st.NodeInfo()
	if n != nil {
		if c.unknownSteps[n] {
			return
		}
		if c.unknownSteps == nil {
			c.unknownSteps = map[*spec.Node]bool{}
		}
		c.unknownSteps[n] = true
		fb = or(n.Range, fb, c.fileRange)
	}
	verb := st.Verb()
	c.errorf(or(fb, c.fileRange), "internal",
		fmt.Sprintf("The checker does not know the %q step (%T), so it cannot check it, and the file cannot pass the check; the findings may be incomplete.", verb, st),
		"please report this as a bug: every step kind needs its checks", "internal checker error: unknown step %q", verb)
}

// otherStep is what a pass does with a step of a kind it has nothing to
// check in: nothing, when the kind is one of spec.StepKinds (so a new kind
// needs no code in the passes that do not concern it), and an internal
// finding when it is not, since then no pass knows what it holds.
func (c *checker) otherStep(st spec.Step, fb spec.Range) {
	if _, ok := spec.KindOf(st); !ok {
		c.unknownStep(st, fb)
	}
}

// unknownSource reports a source of a kind the checker does not know,
// once per source, for the reason unknownStep does.
func (c *checker) unknownSource(src spec.Source, fb spec.Range) {
	if c.deferredUnknown != nil {
		c.deferUnknown(deferredUnknown{source: &src, fb: fb})
		return
	}
	r := or(src.Name.Range, src.Range, fb, c.fileRange)
	if c.unknownSources[r] {
		return
	}
	if c.unknownSources == nil {
		c.unknownSources = map[spec.Range]bool{}
	}
	c.unknownSources[r] = true
	c.errorf(r, "internal",
		fmt.Sprintf("The checker does not know source kind %d (%q), so it cannot check it, and the file cannot pass the check; the findings may be incomplete.", src.Kind, src.Name.V),
		"please report this as a bug: every source kind needs its checks", "internal checker error: unknown source kind %d", src.Kind)
}

// use is a declaration that something uses: kind is "arg", "secret",
// "ssh" or "cache".
type use struct{ kind, name string }

// or returns the first range that is known, or the zero range.
func or(rs ...spec.Range) spec.Range {
	// By index: a copy of each range into a loop variable was most of
	// the cost of this, the checker's most called function.
	for i := range rs {
		if !rs[i].IsZero() {
			return rs[i]
		}
	}
	return spec.Range{}
}

func (c *checker) add(d *spec.Diagnostic) { c.diags = append(c.diags, d) }

func (c *checker) errorf(r spec.Range, code, detail, hint, summary string, args ...any) {
	c.add(spec.Errorf(r, code, detail, hint, summary, args...))
}

func (c *checker) warnf(r spec.Range, code, detail, hint, summary string, args ...any) {
	c.add(spec.Warnf(r, code, detail, hint, summary, args...))
}

// where renders a range for "already declared at …" details.
func where(r spec.Range) string {
	if r.IsZero() {
		return "an earlier declaration"
	}
	return r.String()
}

// subRange is the range of s[start:end] inside the string value v, exact
// when v was written as a one-line string literal without escapes (quoted
// or bare), otherwise the range of the whole value (or fb when v has
// none).
func subRange(v spec.Value[string], fb spec.Range, start, end int) spec.Range {
	r := v.Range
	if r.IsZero() {
		return fb
	}
	if start < 0 || end > len(v.V) || start > end || r.End.Line != r.Start.Line || strings.ContainsAny(v.V, "\n\r") {
		return r
	}
	var open int
	switch r.End.Byte - r.Start.Byte {
	case int32(len(v.V)) + 2: // "…" or '…' without escapes
		open = 1
	case int32(len(v.V)): // a bare word
	default:
		return r
	}
	pos := func(off int) spec.Pos {
		return spec.Pos{
			Line:   r.Start.Line,
			Column: r.Start.Column + int32(open+utf8.RuneCountInString(v.V[:off])),
			Byte:   r.Start.Byte + int32(open+off),
		}
	}
	return spec.Range{Filename: r.Filename, Start: pos(start), End: pos(end)}
}

// hintName formats "declare a KIND named NAME, or fix the name (did you
// mean …?)".
func hintName(kind, name string, candidates []string) string {
	h := fmt.Sprintf("declare %s named %q, or fix the name", kind, name)
	if dym := spec.DidYouMean(name, candidates); dym != "" {
		h += " (" + dym + ")"
	}
	return h
}

// quoteList quotes items and joins them with commas and "and" (or "or"
// with quoteListOr).
func quoteList(items []string) string { return joinQuoted(items, "and") }

func quoteListOr(items []string) string { return joinQuoted(items, "or") }

// maxQuoted bounds the names a message lists: a file of 20,000 images
// must not produce a 200 KB diagnostic (issue 11). The rest are counted.
const maxQuoted = 10

func joinQuoted(items []string, conj string) string {
	shown := items[:min(len(items), maxQuoted)]
	q := make([]string, len(shown))
	for i, s := range shown {
		q[i] = fmt.Sprintf("%q", s)
	}
	if rest := len(items) - len(shown); rest > 0 {
		return strings.Join(q, ", ") + fmt.Sprintf(" %s %d more", conj, rest)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	case 2:
		return q[0] + " " + conj + " " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}

// sentenceKind is a declaration kind at the start of a sentence.
func sentenceKind(kind string) string {
	if kind == "ssh" {
		return "SSH agent"
	}
	return capitalize(kind)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
