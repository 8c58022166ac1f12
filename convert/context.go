package convert

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/spec"
)

func isMainContext(src spec.Source) bool {
	return !src.Set || src.Kind == spec.SourceContext
}

// isExternal reports whether a source comes from outside the file: an
// image or a named context, which are resolved before lowering.
func isExternal(src spec.Source) bool {
	return src.Set && (src.Kind == spec.SourceImage || src.Kind == spec.SourceNamedContext)
}

// addContextPath records a main-context path; "." and "/" mean the whole
// context, which makes any FollowPaths pointless.
func (l *lowerer) addContextPath(p string) {
	clean := cleanAbs(p)
	if clean == "/" {
		l.ctxEverything = true
		return
	}
	l.ctxPaths[clean] = struct{}{}
}

// followPaths is the sorted list of main-context paths (relative, as
// fsutil wants them), or nil when the whole context is needed.
func (l *lowerer) followPaths() []string {
	if l.ctxEverything || len(l.ctxPaths) == 0 {
		return nil
	}
	out := make([]string, 0, len(l.ctxPaths))
	for p := range l.ctxPaths {
		out = append(out, strings.TrimPrefix(p, "/"))
	}
	slices.Sort(out)
	return out
}

// mainContext returns the main build context, asking the caller for it
// the first time a step needs it.
func (l *lowerer) mainContext(ctx context.Context, r spec.Range) (llb.State, error) {
	if l.mainCtx != nil {
		return *l.mainCtx, nil
	}
	var opts []llb.LocalOption
	if paths := l.followPaths(); len(paths) > 0 {
		opts = append(opts, llb.FollowPaths(paths))
	}
	var st llb.State
	if l.opt.MainContext != nil {
		p, err := l.opt.MainContext(ctx, opts...)
		if err != nil {
			return llb.State{}, &Error{Range: r, Err: fmt.Errorf("loading the build context: %w", err)}
		}
		if p == nil {
			return llb.State{}, &Error{Range: r, Err: fmt.Errorf("loading the build context: no context was returned")}
		}
		st = *p
	} else {
		st = llb.Local(spec.DefaultContextName, opts...)
	}
	l.mainCtx = &st
	return st, nil
}
