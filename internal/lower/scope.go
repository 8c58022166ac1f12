package lower

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// A stage's scope: what "${NAME}" means in a value of one of its steps.
//
// NAME is first the stage's environment at that step — the base image's
// config, then every env step before — and else an arg. That is the
// Dockerfile's rule (an ENV overrides an ARG of the same name), so that
// `env PATH = "/opt/bin:${PATH}"` extends the base image's PATH. Labels
// and the other stage settings see the environment at the end of the
// stage.
//
// The environment is kept indexed by name, so a lookup and an env step cost
// the same whatever the number of variables.

// indexEnv indexes b.img.Config.Env, the first of duplicate names winning
// as getEnv has it.
func (b *stageBuilder) indexEnv() {
	b.envIdx = make(map[string]int, len(b.img.Config.Env))
	for i, kv := range b.img.Config.Env {
		name, _, _ := strings.Cut(kv, "=")
		if _, dup := b.envIdx[name]; !dup {
			b.envIdx[name] = i
		}
	}
}

// setStageEnv sets a variable of the stage's environment, in place when it
// is set already so that the order of first definition is kept.
func (b *stageBuilder) setStageEnv(k, v string) {
	if i, ok := b.envIdx[k]; ok {
		b.img.Config.Env[i] = k + "=" + v
		return
	}
	b.envIdx[k] = len(b.img.Config.Env)
	b.img.Config.Env = append(b.img.Config.Env, k+"="+v)
}

// stageEnv is the value of a variable of the stage's environment.
func (b *stageBuilder) stageEnv(name string) (string, bool) {
	i, ok := b.envIdx[name]
	if !ok {
		return "", false
	}
	_, v, _ := strings.Cut(b.img.Config.Env[i], "=")
	return v, true
}

// lookup is the scope's value of name.
func (b *stageBuilder) lookup(name string) (string, bool) {
	if v, ok := b.stageEnv(name); ok {
		return v, true
	}
	return b.l.args.lookup(name)
}

// expand interpolates a value of the current step in the stage's scope; fb
// is the range to blame when the value has none of its own. A name that is
// neither in the environment nor an arg is an error when the environment
// is known (the base's config was resolved): a Dockerfile would expand it
// to "", which is how a typo reaches an image.
func (b *stageBuilder) expand(v spec.Value[string], fb spec.Range) (string, error) {
	if !strings.Contains(v.V, "${") {
		return v.V, nil
	}
	t, err := interp.Parse(v.V)
	if err != nil {
		return "", templateError(v, fb, err)
	}
	if b.envKnown {
		for _, ref := range t.Refs() {
			if _, inEnv := b.envIdx[ref.Name]; inEnv || b.l.args.known(ref.Name) {
				continue
			}
			return "", &Error{Range: or(v.Range, fb), Err: b.undefined(ref.Name)}
		}
	}
	out, err := t.Eval(b.lookup)
	if err != nil {
		return "", templateError(v, fb, err)
	}
	return out, nil
}

// undefined says that name is not in the scope, and what is.
func (b *stageBuilder) undefined(name string) error {
	var near []string
	for n := range b.envIdx {
		if strings.EqualFold(n, name) || strings.Contains(n, name) || strings.Contains(name, n) {
			near = append(near, n)
		}
	}
	for n := range b.l.args.values {
		if strings.EqualFold(n, name) {
			near = append(near, n)
		}
	}
	sort.Strings(near)
	near = slices.Compact(near)
	msg := fmt.Sprintf("%q is not an arg, and neither the base's config nor an env step before this one sets it", name)
	if len(near) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(near, " or "))
	} else {
		msg += "; declare it with `arg " + name + "` or set it with an env step"
	}
	return fmt.Errorf("%s", msg)
}
