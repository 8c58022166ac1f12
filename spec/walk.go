package spec

import (
	"errors"
	"fmt"
	"reflect"
)

// The one dependency walk: which sources a stage reads. The lowering (the
// order stages are built in), the frontend (what a target needs), the
// graph and the checker (cycles) all follow a stage's dependencies, and a
// step kind that reads another stage must be followed by all of them, so
// the walk is written here once.

// DepKind says how a stage reads a source.
type DepKind int

const (
	// DepBase is the stage's base (its from).
	DepBase DepKind = iota
	// DepCopy is the from of a copy step.
	DepCopy
	// DepBind is the from of a run step's bind mount.
	DepBind
	// DepCache is the from that seeds a cache a run step mounts.
	DepCache
)

func (k DepKind) String() string {
	switch k {
	case DepBase:
		return "base"
	case DepCopy:
		return "copy"
	case DepBind:
		return "bind"
	case DepCache:
		return "cache seed"
	}
	return "unknown"
}

// Dep is one reference of a stage to a source.
type Dep struct {
	Kind DepKind
	// Source is the source as written: the stage's from, the from of the
	// copy step or of the bind mount, or the from of the cache
	// declaration. A copy's or bind's source may be unset: the main
	// context.
	Source Source
	// Step is the step that reads the source; nil for the base.
	Step Step
	// Bind is the bind mount (DepBind only).
	Bind *Bind
	// Cache is the declaration and CacheRef the run step's name of the
	// cache (DepCache only).
	Cache    *Cache
	CacheRef Value[string]
	// Range is where the stage refers to the source: the source's name
	// (else the source) for a base, copy or bind, the name of the cache in
	// the run step for a seed; else the enclosing bind or step (or, for
	// the base, the stage).
	Range Range
}

// IsStage reports whether the dependency is on a stage of the file (by
// name; whether one has that name is for the caller to find out).
func (d Dep) IsStage() bool { return d.Source.Set && d.Source.Kind == SourceStage }

// StageDeps lists the sources stage s of f reads, in the order they are
// written: its base (when set), the from of every copy step and of every
// bind mount of a run step (unset meaning the main context), and the seed
// of every cache a run step mounts, when the cache declares one; within a
// run step its binds come before its caches. The walk reads a step's
// fields, not its kind: a source key, a bind list or a cache list of any
// kind is followed, so a new kind's sources need no code here. Each reference is listed once, repeats included:
// a caller that needs a set deduplicates. Typed-nil steps and mounts are
// skipped. A step kind the walk does not know is an *UnknownStepError: a
// pass that missed the sources of a new kind would build, reach or check
// the wrong stages. So is a source of a kind it does not know
// (*UnknownSourceError).
func StageDeps(f *File, s *Stage) ([]Dep, error) {
	if s == nil {
		return nil, nil
	}
	var out []Dep
	var err error
	add := func(d Dep) {
		if err == nil && d.Source.Set && !knownSource(d.Source.Kind) {
			err = &UnknownSourceError{Source: d.Source, Pass: "the dependency walk"}
		}
		out = append(out, d)
	}
	if s.From.Set {
		add(Dep{Kind: DepBase, Source: s.From, Range: firstRange(s.From.Name.Range, s.From.Range, s.Range)})
	}
	// One field buffer for the stage: a run step's list is several KB, and
	// building one per step was a quarter of the checker's time on large
	// files. Nothing of a step's fields outlives its iteration.
	var fields []Field
	for _, st := range s.Steps {
		if IsNilStep(st) {
			continue
		}
		k, ok := KindOf(st)
		if !ok {
			return out, &UnknownStepError{Step: st, Pass: "the dependency walk"}
		}
		// The sources a step reads are in its fields, whatever its kind:
		// its own source keys (a copy's from), then the from of each bind
		// mount, then the seeds of the caches it mounts.
		fields = k.AppendFields(fields[:0], st)
		for _, fd := range fields {
			switch p := fd.Ptr.(type) {
			case *Source:
				add(Dep{Kind: DepCopy, Source: *p, Step: st, Range: firstRange(p.Name.Range, p.Range, st.NodeInfo().Range)})
			case *[]*Bind:
				for _, b := range *p {
					if b != nil {
						add(Dep{Kind: DepBind, Source: b.From, Step: st, Bind: b, Range: firstRange(b.From.Name.Range, b.From.Range, b.Range, st.NodeInfo().Range)})
					}
				}
			}
		}
		for _, fd := range fields {
			if p, ok := fd.Ptr.(*[]Value[string]); ok && fd.Key.Name == "caches" {
				for _, n := range *p {
					if c := cacheNamed(f, n.V); c != nil && c.From.Set {
						add(Dep{Kind: DepCache, Source: c.From, Step: st, Cache: c, CacheRef: n, Range: firstRange(n.Range, st.NodeInfo().Range)})
					}
				}
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, err
}

// knownSource reports whether k is a kind of source this program knows.
func knownSource(k SourceKind) bool {
	switch k {
	case SourceContext, SourceStage, SourceImage, SourceNamedContext, SourceScratch:
		return true
	}
	return false
}

// UnknownSourceError is what a pass returns for a source of a kind it
// does not know: a stage read through it would be missed.
type UnknownSourceError struct {
	Source Source
	Pass   string
}

func (e *UnknownSourceError) Error() string {
	return fmt.Sprintf("internal error: %s does not know source kind %d (%q); every pass must handle every source kind", e.Pass, e.Source.Kind, e.Source.Name.V)
}

// Range is where the source is, when known.
func (e *UnknownSourceError) Range() Range {
	return firstRange(e.Source.Name.Range, e.Source.Range)
}

// cacheNamed is f.Cache for files built in code, which may hold nil
// declarations.
func cacheNamed(f *File, name string) *Cache {
	if f == nil {
		return nil
	}
	for _, c := range f.Caches {
		if c != nil && c.Name.V == name {
			return c
		}
	}
	return nil
}

func firstRange(rs ...Range) Range {
	for _, r := range rs {
		if !r.IsZero() {
			return r
		}
	}
	return Range{}
}

// Placed prefixes an *UnknownStepError or *UnknownSourceError in err with
// where its step or source is (file:line:col), for callers that report
// errors as text; other errors are returned as they are.
func Placed(err error) error {
	var r Range
	var u *UnknownStepError
	var us *UnknownSourceError
	switch {
	case errors.As(err, &u):
		r = u.Range()
	case errors.As(err, &us):
		r = us.Range()
	}
	if !r.IsZero() {
		return fmt.Errorf("%s: %w", r, err)
	}
	return err
}

// IsNilStep reports a nil step or a typed nil one (a *Run that is nil),
// which models built in code may hold.
func IsNilStep(st Step) bool {
	if st == nil {
		return true
	}
	v := reflect.ValueOf(st)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// UnknownStepError is what a pass that switches on step kinds returns for
// a kind it does not know. Every pass must see every step (a step it
// skipped could hold a secret, a source or a mount), so an unknown kind is
// a bug in the program, reported, never skipped.
type UnknownStepError struct {
	Step Step
	// Pass names what met the step ("the dependency walk").
	Pass string
}

// Error leaves out where the step is (Range): callers add it as they
// add positions to their other errors.
func (e *UnknownStepError) Error() string {
	verb := ""
	if !IsNilStep(e.Step) {
		verb = fmt.Sprintf(" %q", e.Step.Verb())
	}
	return fmt.Sprintf("internal error: %s does not know the%s step (%T); every pass must handle every step kind", e.Pass, verb, e.Step)
}

// Range is where the step is, when known.
func (e *UnknownStepError) Range() Range {
	if IsNilStep(e.Step) {
		return Range{}
	}
	if n := e.Step.NodeInfo(); n != nil {
		return n.Range
	}
	return Range{}
}
