package lower

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/internal/credentials"
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
	allowed, err := l.allowedCredentials()
	if err != nil {
		return llb.State{}, err
	}
	opts = append(opts, credentialExcludes{allowed: allowed})
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

// credentialExcludes appends the credential-file patterns of the checker's
// catalog to the main context's exclude patterns, after the
// .dockerignore ones the caller's options set before it, so that no
// .netrc, id_rsa or .env is sent to BuildKit even for a copy of "." (which
// the checker cannot see into), and no .dockerignore can re-include one.
// Paths that a copy with allow-credentials names are re-included last.
type credentialExcludes struct{ allowed []string }

func (o credentialExcludes) SetLocalOption(li *llb.LocalInfo) {
	var patterns []string
	if li.ExcludePatterns != "" {
		// Set by llb.ExcludePatterns, always a JSON list of strings.
		if err := json.Unmarshal([]byte(li.ExcludePatterns), &patterns); err != nil {
			patterns = nil
		}
	}
	patterns = append(patterns, credentials.ContextExcludes()...)
	for _, p := range o.allowed {
		patterns = append(patterns, "!"+p)
	}
	dt, err := json.Marshal(patterns)
	if err != nil {
		return
	}
	li.ExcludePatterns = string(dt)
}

// allowedCredentials are the main-context sources, relative to its root,
// of the copies with allow-credentials in the stages being built that are
// credential files themselves (with their contents, for a directory such
// as .ssh), sorted, without repeats. A copy of an ordinary directory with
// allow-credentials re-admits nothing under it: the opt-out is for the
// credential files a copy names, as lint reports it.
func (l *lowerer) allowedCredentials() ([]string, error) {
	var out []string
	for _, s := range l.f.Stages {
		if _, reachable := l.platforms[s]; s == nil || !reachable {
			continue
		}
		for _, st := range s.Steps {
			cp, ok := st.(*spec.Copy)
			if !ok || cp == nil || !cp.AllowCredentials.V || !isMainContext(cp.From) {
				continue
			}
			for _, src := range cp.Sources.Items {
				v, err := l.args.expand(src, or(cp.Sources.Range, cp.Range))
				if err != nil {
					return nil, err
				}
				p := strings.TrimPrefix(cleanAbs(v), "/")
				if p == "" || credentials.Source(p) == "" {
					continue
				}
				out = append(out, p, p+"/**")
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
