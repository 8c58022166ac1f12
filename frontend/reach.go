package frontend

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

// targetStage returns the stage a build of target produces: the named
// stage, or the file's default target for "".
func targetStage(f *spec.File, target string) (*spec.Stage, error) {
	if target == "" {
		if s := f.DefaultTarget(); s != nil {
			return s, nil
		}
		return nil, fmt.Errorf("the build file has no stage or image to build")
	}
	if s := lookupStage(f, target); s != nil {
		return s, nil
	}
	var names []string
	for _, s := range f.Stages {
		if s != nil {
			names = append(names, s.Name.V)
		}
	}
	msg := fmt.Sprintf("target stage %q could not be found", target)
	if hint := spec.DidYouMean(target, names); hint != "" {
		msg += "; " + hint
	}
	return nil, fmt.Errorf("%s", msg)
}

// lookupStage finds a stage by name, falling back to a match that ignores
// case (the checker makes stage names unique ignoring case).
func lookupStage(f *spec.File, name string) *spec.Stage {
	if s := f.Stage(name); s != nil {
		return s
	}
	for _, s := range f.Stages {
		if s != nil && strings.EqualFold(s.Name.V, name) {
			return s
		}
	}
	return nil
}

// usage is what building one target needs from the file: the stages it
// reaches and the declarations their run steps mount, each in file order.
type usage struct {
	stages  []*spec.Stage
	secrets []*spec.Secret
	ssh     []*spec.SSH
	caches  []*spec.Cache
	// args are the declared args the strings of all of the above use,
	// directly or through other args' defaults.
	args []*spec.Arg
}

// usageOf follows a target's dependencies (spec.StageDeps: its base, the
// sources of its copy steps and bind mounts, and the seeds of the caches
// it mounts), and the same for every stage reached. A step kind it does
// not know is an internal error: the declarations a new kind uses would
// be missing from the outline.
func usageOf(f *spec.File, target *spec.Stage) (*usage, error) {
	reached := map[*spec.Stage]bool{}
	secrets := map[*spec.Secret]bool{}
	sshs := map[*spec.SSH]bool{}
	caches := map[*spec.Cache]bool{}

	var visit func(s *spec.Stage) error
	visit = func(s *spec.Stage) error {
		if s == nil || reached[s] {
			return nil
		}
		reached[s] = true
		deps, err := spec.StageDeps(f, s)
		if err != nil {
			return spec.Placed(err)
		}
		for _, d := range deps {
			if d.IsStage() {
				if err := visit(lookupStage(f, d.Source.Name.V)); err != nil {
					return err
				}
			}
		}
		for _, st := range s.Steps {
			if err := mounted(f, st, secrets, sshs, caches); err != nil {
				return spec.Placed(err)
			}
		}
		return nil
	}
	if err := visit(target); err != nil {
		return nil, err
	}

	u := &usage{}
	refs := map[string]bool{}
	for _, s := range f.Stages {
		if reached[s] {
			u.stages = append(u.stages, s)
			collectRefs(s, refs)
		}
	}
	u.secrets = reachedIn(f.Secrets, secrets, refs)
	u.ssh = reachedIn(f.SSH, sshs, refs)
	u.caches = reachedIn(f.Caches, caches, refs)
	collectRefs(f.Platforms, refs)

	// An arg is used when a used string or a used arg's default names it.
	args := map[string]*spec.Arg{}
	for _, a := range f.Args {
		if a != nil {
			args[a.Name.V] = a
		}
	}
	used := map[string]bool{}
	var use func(name string)
	use = func(name string) {
		a, ok := args[name]
		if !ok || used[name] {
			return
		}
		used[name] = true
		for _, r := range interp.CommandRefs(a.Default.V) {
			use(r.Name)
		}
	}
	for name := range refs {
		use(name)
	}
	for _, a := range f.Args {
		if a != nil && used[a.Name.V] {
			u.args = append(u.args, a)
		}
	}
	return u, nil
}

// mounted adds the declarations a step mounts.
func mounted(f *spec.File, st spec.Step, secrets map[*spec.Secret]bool, sshs map[*spec.SSH]bool, caches map[*spec.Cache]bool) error {
	if spec.IsNilStep(st) {
		return nil
	}
	k, ok := spec.KindOf(st)
	if !ok {
		return &spec.UnknownStepError{Step: st, Pass: "the outline"}
	}
	// A step mounts declarations through its lists of names, whatever
	// its kind (run's secrets, ssh and caches).
	for _, fd := range k.AppendFields(nil, st) {
		names, ok := fd.Ptr.(*[]spec.Value[string])
		if !ok {
			continue
		}
		for _, n := range *names {
			switch fd.Key.Name {
			case "secrets":
				if d := f.Secret(n.V); d != nil {
					secrets[d] = true
				}
			case "ssh":
				if d, _ := f.SSHByName(n.V); d != nil {
					sshs[d] = true
				}
			case "caches":
				if d := f.Cache(n.V); d != nil {
					caches[d] = true
				}
			default:
				return fmt.Errorf("internal error: the outline does not know what the %q names of a %q step are", fd.Key.Name, k.Verb)
			}
		}
	}
	return nil
}

var rangeType = reflect.TypeFor[spec.Range]()

// collectRefs adds the names every string in v refers to as ${NAME}.
// Comments are not strings of the build. Command-mode references are the
// well-formed ones, which in a checked file are all of them in any string.
func collectRefs(v any, refs map[string]bool) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			if v.Type() == rangeType {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).Name == "Comments" {
					continue
				}
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.String:
			for _, r := range interp.CommandRefs(v.String()) {
				refs[r.Name] = true
			}
		}
	}
	walk(reflect.ValueOf(v))
}

// description is the comment block above a node as one line of text. A
// "syntax=" directive at the top of the file is not a description.
func description(comments []string) string {
	var parts []string
	for _, c := range comments {
		c = strings.TrimSpace(c)
		if c == "" || isDirective(c) {
			continue
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, " ")
}

func isDirective(c string) bool {
	// A suppression speaks to the checker, not to the reader of an outline.
	if strings.HasPrefix(c, "securefile:ignore") {
		return true
	}
	k, _, ok := strings.Cut(c, "=")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "syntax", "check", "escape":
		return true
	}
	return false
}

// reachedIn keeps the declarations the target reaches, in file order, and
// collects the args they reference.
func reachedIn[T comparable](all []T, reached map[T]bool, refs map[string]bool) []T {
	var out []T
	for _, d := range all {
		if reached[d] {
			out = append(out, d)
			collectRefs(d, refs)
		}
	}
	return out
}
