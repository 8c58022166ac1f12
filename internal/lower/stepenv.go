package lower

import (
	"strings"

	"github.com/ourorg/securefile/spec"
)

// stepEnv is the environment of one run step: the stage's, read in place
// through its index (scope.go), with the step's own variables on top. A
// copy of the stage's list, searched for every variable the step sets,
// made a step cost its variables times the stage's; this costs their sum.
type stepEnv struct {
	b     *stageBuilder
	over  map[string]string // the step's values, by name
	added []string          // names the stage does not set, in order of first set
}

func (b *stageBuilder) newStepEnv(n int) *stepEnv {
	return &stepEnv{b: b, over: make(map[string]string, n)}
}

func (e *stepEnv) has(k string) bool {
	if _, ok := e.over[k]; ok {
		return true
	}
	_, ok := e.b.envIdx[k]
	return ok
}

// set gives k the value v for the step, replacing the stage's value where
// it stands so that the order of first definition is kept.
func (e *stepEnv) set(k, v string) {
	if !e.has(k) {
		e.added = append(e.added, k)
	}
	e.over[k] = v
}

// addArgsOf adds the args shell text s names (argValue), but none the
// environment sets already: the environment wins over an arg, as in the
// stage's scope.
func (e *stepEnv) addArgsOf(s string) {
	for _, name := range spec.ShellNames(s) {
		if e.has(name) {
			continue
		}
		if v, ok := e.b.argValue(name); ok {
			e.set(name, v)
		}
	}
}

func (e *stepEnv) len() int { return len(e.b.img.Config.Env) + len(e.added) }

// each calls f for every variable in order: the stage's, where a name the
// base lists twice keeps its later entry as it is (only the first is the
// one the index points at, and the one a step replaces), then the step's
// new ones.
func (e *stepEnv) each(f func(k, v string)) {
	for i, kv := range e.b.img.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		if ov, ok := e.over[k]; ok && e.b.envIdx[k] == i {
			v = ov
		}
		f(k, v)
	}
	for _, k := range e.added {
		f(k, e.over[k])
	}
}
