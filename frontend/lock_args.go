package frontend

import (
	"maps"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerui"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// argEffects tells a frozen build's problems that come from the client's
// build args apart from those of the file: a lock made for the file's
// defaults names other images, downloads and repositories than a build
// whose args replace them, although the file did not change. Keys are
// useKey's.
type argEffects struct {
	args   []string          // the declared args the client sets, sorted
	values map[string]string // their values
	// byDefault is what the file fetches without the client's build args;
	// without[k] what it fetches with all of them but k.
	byDefault map[string]bool
	without   map[string]map[string]bool
}

// newArgEffects computes what the file fetches with its defaults, and
// with each of the client's build args left out. It is nil when the
// client sets no declared arg, or when the defaults do not lower (the
// problems are then reported as the file's).
func newArgEffects(bc *dockerui.Client, f *spec.File, resolveMode string) *argEffects {
	declared := map[string]bool{}
	for _, a := range f.Args {
		if a != nil && !interp.IsPlatformArg(a.Name.V) {
			declared[a.Name.V] = true
		}
	}
	e := &argEffects{values: map[string]string{}, without: map[string]map[string]bool{}}
	for k, v := range bc.BuildArgs {
		if declared[k] {
			e.args = append(e.args, k)
			e.values[k] = v
		}
	}
	if len(e.args) == 0 {
		return nil
	}
	sort.Strings(e.args)
	keys := func(args map[string]string) map[string]bool {
		u, err := collectUsesWith(bc, f, resolveMode, args)
		if err != nil {
			return nil
		}
		return u.keys()
	}
	others := maps.Clone(bc.BuildArgs)
	for _, k := range e.args {
		delete(others, k)
	}
	if e.byDefault = keys(others); e.byDefault == nil {
		return nil
	}
	for _, k := range e.args {
		args := maps.Clone(bc.BuildArgs)
		delete(args, k)
		e.without[k] = keys(args)
	}
	return e
}

// replacing are the build args that make the build use something else
// than key, which the file with its defaults uses (a lock entry that is
// not stale, only replaced); nil when the defaults do not use it either.
func (e *argEffects) replacing(key string) []string {
	if e == nil || !e.byDefault[key] {
		return nil
	}
	return e.responsible(func(k string) bool { return e.without[k][key] })
}

// introducing are the build args that make the build use key, which the
// file with its defaults does not; nil when the defaults use it too.
func (e *argEffects) introducing(key string) []string {
	if e == nil || e.byDefault[key] {
		return nil
	}
	return e.responsible(func(k string) bool { return !e.without[k][key] })
}

// responsible are the args for which leaving it out alone undoes the
// change, else (only leaving out several does) all of them.
func (e *argEffects) responsible(undone func(k string) bool) []string {
	var out []string
	for _, k := range e.args {
		if undone(k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return e.args
	}
	return out
}

// describe names the build args with their values ("the build arg
// BASE=alpine:3.20") and the command that locks for them.
func (e *argEffects) describe(args []string) (what, relock string) {
	kvs := make([]string, len(args))
	flags := make([]string, len(args))
	for i, k := range args {
		kvs[i] = k + "=" + e.values[k]
		flags[i] = "--build-arg " + shellQuote(k+"="+e.values[k])
	}
	what = "the build arg " + kvs[0]
	if len(kvs) > 1 {
		what = "the build args " + strings.Join(kvs[:len(kvs)-1], ", ") + " and " + kvs[len(kvs)-1]
	}
	return what, "securefile lock " + strings.Join(flags, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// plural is one when there is one arg, else many.
func plural(args []string, one, many string) string {
	if len(args) == 1 {
		return one
	}
	return many
}
