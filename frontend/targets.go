package frontend

import (
	"github.com/moby/buildkit/frontend/subrequests/targets"

	"github.com/ourorg/securefile/spec"
)

// targetsOf is the answer to frontend.targets: every stage and image in
// file order, the default target marked, with the comments above it as
// its description. data is the file's text, source 0 of every location.
func targetsOf(f *spec.File, data []byte) *targets.List {
	l := &targets.List{Targets: []targets.Target{}, Sources: [][]byte{data}}
	def := f.DefaultTarget()
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		l.Targets = append(l.Targets, targets.Target{
			Name:        s.Name.V,
			Default:     s == def,
			Description: description(s.Comments),
			Base:        baseName(s.From),
			Platform:    s.Platform.V,
			Location:    location(s.Range),
		})
	}
	return l
}

// baseName is a stage's base as written: an image reference, a stage or
// named-context name, or "scratch".
func baseName(src spec.Source) string {
	switch {
	case !src.Set:
		return ""
	case src.Kind == spec.SourceScratch:
		return "scratch"
	case src.Kind == spec.SourceNamedContext:
		return "context:" + src.Name.V
	}
	return src.Name.V
}
