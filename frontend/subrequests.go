package frontend

import (
	"context"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"

	"github.com/ourorg/securefile/spec"
)

const keyRequestID = "requestid"

// subrequest answers a subrequest (buildctl --opt requestid=…, docker buildx
// build --call=…); ok is false for a build. frontend.outline,
// frontend.targets and frontend.lint are always answered here, never
// refused: buildx would take a refusal as a reason to fall back to the
// Dockerfile frontend. frontend.subrequests.describe is ours too
// (describe.go): it lists every subrequest and says which version answers.
//
// Outline and targets need a file without errors and fail like a build
// would; lint reports the errors instead.
func subrequest(ctx context.Context, in *input, f *spec.File, diags spec.Diagnostics) (*client.Result, bool, error) {
	bc := in.bc
	req, isRequest := bc.BuildOpts().Opts[keyRequestID]
	if !isRequest {
		return nil, false, nil
	}
	// Subrequests are answered before build() checks the options, so
	// those whose answer depends on the build args (outline prints their
	// values, lock resolves the references they make) refuse a secret
	// among the options here, as a build does.
	outlineFn := func(context.Context) (*Outline, error) {
		if err := diagnosticsError(diags, in.info()); err != nil {
			return nil, err
		}
		if err := secretOptions(f, bc.BuildOpts().Opts); err != nil {
			return nil, err
		}
		// The TARGET* args of the first platform asked for (--platform),
		// as securefile outline --platform answers; else the build's.
		bp, tp := bc.BuildPlatforms[0], bc.BuildPlatforms[0]
		if len(bc.TargetPlatforms) > 0 {
			tp = bc.TargetPlatforms[0]
		}
		o, err := outlineOf(f, bc.Target, in.src.Data, bc.BuildArgs, platformArgs(bp, tp))
		if err != nil {
			return nil, err
		}
		return o, nil
	}
	// Our outline has more than outline.Outline, so dockerui's handler,
	// which would print and version only the standard structure, is
	// bypassed; it still learns that we have one, for describe.
	if req == LockRequest {
		if err := diagnosticsError(diags, in.info()); err != nil {
			return nil, false, err
		}
		if err := secretOptions(f, bc.BuildOpts().Opts); err != nil {
			return nil, false, err
		}
		lf, err := lockOf(ctx, in, f)
		if err != nil {
			return nil, false, err
		}
		res, err := lockResult(lf)
		return res, true, err
	}
	if req == subrequests.RequestSubrequestsDescribe {
		res, err := describe()
		return res, true, err
	}
	if req == outline.SubrequestsOutlineDefinition.Name {
		o, err := outlineFn(ctx)
		if err != nil {
			return nil, false, err
		}
		res, err := o.ToResult()
		return res, true, err
	}
	return bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		Outline: func(ctx context.Context) (*outline.Outline, error) {
			o, err := outlineFn(ctx)
			if err != nil {
				return nil, err
			}
			return o.Standard(), nil
		},
		ListTargets: func(context.Context) (*targets.List, error) {
			if err := diagnosticsError(diags, in.info()); err != nil {
				return nil, err
			}
			return targetsOf(f, in.src.Data), nil
		},
		Lint: func(context.Context) (*lint.LintResults, error) {
			return lintOf(diags, in.info()), nil
		},
	})
}
