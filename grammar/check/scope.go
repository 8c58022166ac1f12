package check

import (
	"github.com/ourorg/securefile/spec"
)

// envScope is what "${NAME}" may read in the values of a stage besides
// args: the environment of the stage (internal/lower/scope.go). names are the
// variables the env steps of the stage and of the stages it is based on
// set, and PATH, which every Linux stage has; open is true when the chain
// starts from an image or a named context, whose config may set any other
// name (the lowering checks those against the resolved config).
type envScope struct {
	names map[string]bool
	open  bool
}

// stageScope is s's scope. Order inside a stage is not followed: a name an
// env step sets later counts too, and the lowering, which knows the order,
// reports the rest.
func (c *checker) stageScope(s *spec.Stage) *envScope {
	sc := &envScope{names: map[string]bool{"PATH": true}}
	seen := map[*spec.Stage]bool{}
	for s != nil && !seen[s] {
		seen[s] = true
		for _, st := range s.Steps {
			if e, ok := st.(*spec.Env); ok && e != nil {
				for _, kv := range e.Vars {
					if kv != nil {
						sc.names[kv.Key.V] = true
					}
				}
			}
		}
		if !s.From.Set {
			return sc
		}
		switch s.From.Kind {
		case spec.SourceStage:
			s = c.stages[s.From.Name.V]
			continue
		case spec.SourceImage, spec.SourceNamedContext:
			sc.open = true
		}
		break
	}
	return sc
}
