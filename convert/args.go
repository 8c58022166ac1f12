package convert

import (
	"errors"
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/interp"
	"github.com/ourorg/securefile/spec"
)

// argValues holds the value of every declared arg and of the platform
// args. Values are computed once, before any stage is lowered, so that
// every template of the file sees the same values and no lookup walks a
// chain of defaults again.
type argValues struct {
	values map[string]string
}

// newArgValues evaluates the declared args: a --build-arg value (taken
// literally, as Docker does) or the default, itself a template over other
// args. Defaults are resolved depth-first so that declaration order does
// not matter; the checker reports cycles, but a file that skipped it must
// not hang.
func newArgValues(f *spec.File, buildArgs map[string]string, target, build ocispecs.Platform) (*argValues, error) {
	a := &argValues{values: map[string]string{}}
	addPlatform(a.values, "BUILD", build)
	addPlatform(a.values, "TARGET", target)

	decls := map[string]*spec.Arg{}
	for _, d := range f.Args {
		if d == nil || interp.IsPlatformArg(d.Name.V) {
			continue
		}
		if _, dup := decls[d.Name.V]; !dup {
			decls[d.Name.V] = d
		}
	}
	const (
		unvisited = iota
		inProgress
		done
	)
	state := map[string]int{}
	var resolve func(d *spec.Arg) error
	resolve = func(d *spec.Arg) error {
		name := d.Name.V
		switch state[name] {
		case done:
			return nil
		case inProgress:
			return &Error{Range: or(d.Default.Range, d.Range), Err: fmt.Errorf("arg %q refers to itself through its default", name)}
		}
		if v, ok := buildArgs[name]; ok {
			a.values[name] = v
			state[name] = done
			return nil
		}
		state[name] = inProgress
		v := d.Default.V
		if strings.Contains(v, "${") {
			t, err := interp.Parse(v)
			if err != nil {
				return templateError(d.Default, d.Range, err)
			}
			for _, ref := range t.Refs() {
				if dep, ok := decls[ref.Name]; ok {
					if err := resolve(dep); err != nil {
						return err
					}
				}
			}
			v = t.Expand(a.lookup)
		}
		a.values[name] = v
		state[name] = done
		return nil
	}
	for _, d := range f.Args {
		if d == nil || decls[d.Name.V] != d {
			continue
		}
		if err := resolve(d); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func addPlatform(m map[string]string, prefix string, p ocispecs.Platform) {
	m[prefix+"PLATFORM"] = platforms.Format(p)
	m[prefix+"OS"] = p.OS
	m[prefix+"ARCH"] = p.Architecture
	m[prefix+"VARIANT"] = p.Variant
}

// lookup knows exactly the declared and the platform args: in commands
// every other name is left to the shell.
func (a *argValues) lookup(name string) (string, bool) {
	v, ok := a.values[name]
	return v, ok
}

// expand interpolates a full-mode template; fb is the range to blame when
// the value has none of its own.
func (a *argValues) expand(v spec.Value[string], fb spec.Range) (string, error) {
	if !strings.Contains(v.V, "${") {
		return v.V, nil
	}
	t, err := interp.Parse(v.V)
	if err != nil {
		return "", templateError(v, fb, err)
	}
	return t.Expand(a.lookup), nil
}

// command interpolates a command word: only arg references are replaced,
// every other "$" belongs to the shell.
func (a *argValues) command(s string) string {
	return interp.ExpandCommand(s, a.lookup)
}

func templateError(v spec.Value[string], fb spec.Range, err error) error {
	var te *interp.Error
	msg := err.Error()
	if errors.As(err, &te) {
		msg = te.Msg
	}
	return &Error{Range: or(v.Range, fb), Err: fmt.Errorf("invalid interpolation in %q: %s", v.V, msg)}
}

// or returns the first range that is set.
func or(rs ...spec.Range) spec.Range {
	for _, r := range rs {
		if !r.IsZero() {
			return r
		}
	}
	if len(rs) > 0 {
		return rs[len(rs)-1]
	}
	return spec.Range{}
}
