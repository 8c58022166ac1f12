package lower

import (
	"errors"
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// argValues holds the value of every declared arg and of the automatic
// args (spec.AutomaticArgs). Values are computed once, before any stage is
// lowered, so that every template of the file sees the same values and no
// lookup walks a chain of defaults again.
type argValues struct {
	values map[string]string
	// unset are the declared args with neither a default (or the empty
	// one, the same declaration) nor a build arg: unset, as an ARG
	// without a value is in a Dockerfile ("${A-x}" is x).
	unset map[string]bool
	// proxy is the proxy settings the build args give, nil when none.
	proxy *llb.ProxyEnv
}

// newArgValues evaluates the declared args: a --build-arg value (taken
// literally, as Docker does) or the default, itself a template over other
// args. Defaults are resolved depth-first so that declaration order does
// not matter; the checker reports cycles, but a file that skipped it must
// not hang. The automatic args come first, each overridden by a build arg
// of its name as in a Dockerfile build; a proxy arg has a value only when
// a build arg gives it.
func newArgValues(f *spec.File, buildArgs map[string]string, target, build ocispecs.Platform, targetStage string) (*argValues, error) {
	a := &argValues{values: map[string]string{}, unset: map[string]bool{}}
	addPlatform(a.values, "BUILD", build)
	addPlatform(a.values, "TARGET", target)
	a.values[spec.TargetStageArg] = targetStage
	for _, name := range spec.AutomaticArgs() {
		if v, ok := buildArgs[name]; ok {
			a.values[name] = v
		} else if spec.IsProxyArg(name) {
			// Known, so that "${HTTP_PROXY:-}" is valid, and unset.
			a.values[name] = ""
			a.unset[name] = true
		}
	}
	a.proxy = proxyEnv(buildArgs)

	decls := map[string]*spec.Arg{}
	for _, d := range f.Args {
		if d == nil || spec.IsAutomaticArg(d.Name.V) {
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
		// No default and "" are the same declaration in both syntaxes;
		// both leave the arg unset, as a Dockerfile's ARG without a value.
		if !d.Default.Set || d.Default.V == "" {
			a.values[name] = ""
			a.unset[name] = true
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
			if v, err = t.Eval(a.lookup); err != nil {
				return templateError(d.Default, d.Range, err)
			}
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
	m[prefix+"OSVERSION"] = p.OSVersion
	m[prefix+"ARCH"] = p.Architecture
	m[prefix+"VARIANT"] = p.Variant
}

// proxyEnv is the proxy settings of the build args, as dockerfile2llb
// reads them (either case), or nil.
func proxyEnv(buildArgs map[string]string) *llb.ProxyEnv {
	var pe llb.ProxyEnv
	set := false
	for _, name := range spec.ProxyArgs {
		v, ok := buildArgs[name]
		if !ok {
			continue
		}
		set = true
		switch strings.ToLower(name) {
		case "http_proxy":
			pe.HTTPProxy = v
		case "https_proxy":
			pe.HTTPSProxy = v
		case "ftp_proxy":
			pe.FTPProxy = v
		case "no_proxy":
			pe.NoProxy = v
		case "all_proxy":
			pe.AllProxy = v
		}
	}
	if !set {
		return nil
	}
	return &pe
}

// lookup knows the args that have a value: the declared ones with a
// default or a build arg, and the automatic ones.
func (a *argValues) lookup(name string) (string, bool) {
	v, ok := a.values[name]
	return v, ok && !a.unset[name]
}

// known reports whether name is an arg of the build: declared, or
// automatic (a proxy arg only when a build arg gives it).
func (a *argValues) known(name string) bool {
	_, ok := a.values[name]
	return ok
}

// lookupDeclared is lookup for the words of an exec-form command, where
// every declared arg is substituted, "" when it has no value.
func (a *argValues) lookupDeclared(name string) (string, bool) {
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
	out, err := t.Eval(a.lookup)
	if err != nil {
		return "", templateError(v, fb, err)
	}
	return out, nil
}

// execWord interpolates a word of an exec-form command: only arg
// references are replaced, every other "$" is kept. No shell reads it, so
// a value is data in one argv element.
func (a *argValues) execWord(s string) string {
	return interp.ExpandCommand(s, a.lookupDeclared)
}

// shellText is a shell-form command as the shell gets it: as written, with
// only the escape "$${" turned into "${". No value is ever spliced into it
// (run steps get the args they name as environment variables instead:
// argenv.go, argValue).
func shellText(s string) string {
	return interp.ExpandCommand(s, nil)
}

func templateError(v spec.Value[string], fb spec.Range, err error) error {
	var te *interp.Error
	var ee *interp.ExpandError
	switch {
	case errors.As(err, &ee):
		// "${NAME:?message}": the file's own message, as a shell gives it.
		return &Error{Range: or(v.Range, fb), Err: fmt.Errorf("%q: %s", v.V, ee.Msg)}
	case errors.As(err, &te):
		err = errors.New(te.Msg)
	}
	return &Error{Range: or(v.Range, fb), Err: fmt.Errorf("invalid interpolation in %q: %v", v.V, err)}
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
