package frontend

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerui"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/interp"
	"github.com/ourorg/securefile/spec"
)

const (
	argSourceDateEpoch = "SOURCE_DATE_EPOCH"
	keyMultiPlatform   = "multi-platform" // dockerui copies BUILDKIT_MULTI_PLATFORM here
)

// parseEpoch reads SOURCE_DATE_EPOCH: a Unix time in seconds, or "context"
// for the commit (git) or modification (http) time of the main context,
// which needs the client; fromContext reports that case. "" means none.
func parseEpoch(v string) (t *time.Time, fromContext bool, err error) {
	v = strings.TrimSpace(v)
	switch v {
	case "":
		return nil, false, nil
	case "context":
		return nil, true, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, false, fmt.Errorf("invalid %s %q: want a Unix time in seconds or \"context\"", argSourceDateEpoch, v)
	}
	tm := time.Unix(n, 0).UTC()
	return &tm, false, nil
}

// sourceDateEpoch is the build's epoch from the SOURCE_DATE_EPOCH build arg
// (docker buildx passes the environment variable of that name as one).
func sourceDateEpoch(ctx context.Context, bc *dockerui.Client) (*time.Time, error) {
	t, fromContext, err := parseEpoch(bc.BuildArgs[argSourceDateEpoch])
	if err != nil || !fromContext {
		return t, err
	}
	t, err = bc.ResolveMainContextSourceDateEpoch(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s=context: %w", argSourceDateEpoch, err)
	}
	return t, nil
}

// platformArgs are the automatic platform args for a build and a target
// platform.
func platformArgs(build, target ocispecs.Platform) map[string]string {
	build, target = platforms.Normalize(build), platforms.Normalize(target)
	return map[string]string{
		"BUILDPLATFORM":  platforms.Format(build),
		"BUILDOS":        build.OS,
		"BUILDARCH":      build.Architecture,
		"BUILDVARIANT":   build.Variant,
		"TARGETPLATFORM": platforms.Format(target),
		"TARGETOS":       target.OS,
		"TARGETARCH":     target.Architecture,
		"TARGETVARIANT":  target.Variant,
	}
}

// argValues resolves every declared arg: a build arg overrides it,
// otherwise its default is expanded, with the other args and the platform
// args (an arg default may use args declared after it; the checker rejects
// circles, and one left here expands to ""). Build args that are not
// declared are ignored, as in the lowering.
func argValues(f *spec.File, buildArgs, platformArgs map[string]string) map[string]string {
	decl := map[string]*spec.Arg{}
	for _, a := range f.Args {
		if a != nil {
			decl[a.Name.V] = a
		}
	}
	out := map[string]string{}
	busy := map[string]bool{}
	var value func(name string) (string, bool)
	value = func(name string) (string, bool) {
		a, ok := decl[name]
		if !ok {
			v, ok := platformArgs[name]
			return v, ok
		}
		if v, ok := out[name]; ok {
			return v, true
		}
		if v, ok := buildArgs[name]; ok {
			out[name] = v
			return v, true
		}
		if busy[name] {
			return "", true
		}
		busy[name] = true
		v := a.Default.V
		if t, err := interp.Parse(v); err == nil {
			// A failing "?" leaves "": the lowering reports it, at its
			// position.
			v, _ = t.Eval(value)
		}
		busy[name] = false
		out[name] = v
		return v, true
	}
	for name := range decl {
		value(name)
	}
	return out
}

// filePlatforms are the file's default target platforms (its platforms
// list), expanded and normalised; nil when it lists none. The TARGET*
// args are the build platform's here, as they are when no platform is
// given.
func filePlatforms(f *spec.File, buildArgs map[string]string, build ocispecs.Platform) ([]ocispecs.Platform, error) {
	if len(f.Platforms.Items) == 0 {
		return nil, nil
	}
	pargs := platformArgs(build, build)
	args := argValues(f, buildArgs, pargs)
	lookup := func(name string) (string, bool) {
		if v, ok := args[name]; ok {
			return v, true
		}
		v, ok := pargs[name]
		return v, ok
	}
	var out []ocispecs.Platform
	seen := map[string]bool{}
	for _, it := range f.Platforms.Items {
		s := it.V
		if t, err := interp.Parse(s); err == nil {
			if s, err = t.Eval(lookup); err != nil {
				return nil, fmt.Errorf("%s: platform %q: %w", it.Range, it.V, err)
			}
		}
		p, err := platforms.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid platform %q: %w", it.Range, s, err)
		}
		p = platforms.Normalize(p)
		if id := platforms.FormatAll(p); !seen[id] {
			seen[id] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// applyFilePlatforms makes the file's platforms the target platforms when
// the client asked for none (--platform overrides them), and requests a
// multi-platform result for more than one.
func applyFilePlatforms(bc *dockerui.Client, f *spec.File) error {
	if len(bc.TargetPlatforms) > 0 {
		return nil
	}
	ps, err := filePlatforms(f, bc.BuildArgs, bc.BuildPlatforms[0])
	if err != nil || len(ps) == 0 {
		return err
	}
	if len(ps) > 1 {
		if v, ok := bc.BuildOpts().Opts[keyMultiPlatform]; ok {
			if b, err := strconv.ParseBool(v); err == nil && !b {
				return fmt.Errorf("conflicting config: the build file lists %d platforms but multi-platform is false; pass --platform to pick one", len(ps))
			}
		}
		bc.MultiPlatformRequested = true
	}
	bc.TargetPlatforms = ps
	return nil
}
