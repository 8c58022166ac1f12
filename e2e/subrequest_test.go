//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
)

// call runs one frontend subrequest (what `docker buildx build --call=…`
// sends) against the build file in dir, in variant v, and returns the
// result's metadata, or the error. For the image variants the request goes
// through the daemon to the frontend image, as buildx sends it; answering
// it ourselves is what keeps buildx from falling back to the Dockerfile
// frontend, which would read a Securefile as a Dockerfile.
func (h *harness) call(t *testing.T, v variant, dir, requestID string) (map[string][]byte, error) {
	t.Helper()
	ctx, c := dialDaemon(t, 5*time.Minute)
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"filename": v.file, "build-arg:BASE": h.base}
	if requestID != "" {
		attrs["requestid"] = requestID
	}
	var meta map[string][]byte
	_, err = c.Build(ctx, client.SolveOpt{
		LocalMounts:   map[string]fsutil.FS{"context": src, "dockerfile": src},
		FrontendAttrs: attrs,
	}, "", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		var res *gwclient.Result
		var err error
		switch v.mode {
		case modeInProcess:
			res, err = frontend.Build(ctx, gc)
		case modeSyntax:
			opts := map[string]string{"build-arg:BUILDKIT_SYNTAX": h.frontend}
			for k, val := range attrs {
				opts[k] = val
			}
			res, err = gc.Solve(ctx, gwclient.SolveRequest{Frontend: "dockerfile.v0", FrontendOpt: opts})
		case modeGateway:
			opts := map[string]string{"source": h.frontend}
			for k, val := range attrs {
				opts[k] = val
			}
			res, err = gc.Solve(ctx, gwclient.SolveRequest{Frontend: "gateway.v0", FrontendOpt: opts})
		}
		if err == nil && res != nil {
			meta = res.Metadata
		}
		return res, err
	}, nil)
	return meta, err
}

// brokenDir writes a Securefile with one undefined secret and one unused
// secret into a temporary directory.
func brokenDir(t *testing.T) string {
	dir := t.TempDir()
	src := "# syntax=ourorg/securefile\n\nsecret netrc\n\nimage app from \"busybox:1.36\" {\n  run \"true\" {\n    secret nertc\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "Securefile"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var imageVariants = variants[:3] // the DSL file, each way of reaching the frontend

// TestOutline: the outline names the args, secrets, ssh agents and caches
// the target needs, with their locations, in every mode.
func TestOutline(t *testing.T) {
	t.Parallel()
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			meta, err := h.call(t, v, filepath.Join(h.repo, "examples", "netrc"), "frontend.outline")
			if err != nil {
				t.Fatal(err)
			}
			var o outline.Outline
			if err := json.Unmarshal(meta["result.json"], &o); err != nil {
				t.Fatalf("result.json: %v\n%s", err, meta["result.json"])
			}
			var secrets, args []string
			for _, s := range o.Secrets {
				secrets = append(secrets, s.Name)
				if s.Name == "netrc" && !s.Required {
					t.Errorf("secret netrc is required by default, outline says not")
				}
			}
			for _, a := range o.Args {
				args = append(args, a.Name)
			}
			if !slices.Contains(secrets, "netrc") {
				t.Errorf("outline secrets = %v, want netrc among them", secrets)
			}
			if !slices.Contains(args, "BASE") {
				t.Errorf("outline args = %v, want BASE among them", args)
			}
			if len(meta["result.txt"]) == 0 {
				t.Errorf("no result.txt for the text form of --call=outline")
			}
		})
	}
	t.Run("caches", func(t *testing.T) {
		meta, err := h.call(t, imageVariants[1], filepath.Join(h.repo, "examples", "cache"), "frontend.outline")
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			Cache []struct {
				ID string `json:"id"`
			} `json:"cache"`
		}
		if err := json.Unmarshal(meta["result.json"], &o); err != nil {
			t.Fatal(err)
		}
		if len(o.Cache) == 0 {
			t.Errorf("outline of examples/cache lists no cache:\n%s", meta["result.json"])
		}
	})
}

// TestTargets lists every stage and marks the default one.
func TestTargets(t *testing.T) {
	t.Parallel()
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			meta, err := h.call(t, v, filepath.Join(h.repo, "examples", "hello"), "frontend.targets")
			if err != nil {
				t.Fatal(err)
			}
			var l targets.List
			if err := json.Unmarshal(meta["result.json"], &l); err != nil {
				t.Fatalf("result.json: %v\n%s", err, meta["result.json"])
			}
			var names, defaults []string
			for _, tg := range l.Targets {
				names = append(names, tg.Name)
				if tg.Default {
					defaults = append(defaults, tg.Name)
				}
			}
			if !slices.Equal(names, []string{"build", "hello"}) || !slices.Equal(defaults, []string{"hello"}) {
				t.Errorf("targets %v with default %v, want [build hello] with default [hello]", names, defaults)
			}
		})
	}
}

// TestCheck: the lint subrequest (`--call=check`) returns the checker's
// findings with their rule codes and lines, and flags the error.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := brokenDir(t)
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			meta, err := h.call(t, v, dir, "frontend.lint")
			if err != nil {
				t.Fatal(err)
			}
			r, found := lintFindings(t, meta)
			if found["undefined-secret"] != 7 || found["unused-secret"] != 3 {
				t.Errorf("lint findings (rule → line) = %v, want undefined-secret at 7 and unused-secret at 3", found)
			}
			if r.Error == nil {
				t.Errorf("lint result carries no error although the file has one")
			}
		})
	}
}

// TestErrorHasSource: building a file with errors fails with every
// diagnostic in the message and the source attached (errdefs.WithSource),
// which is what lets buildctl and buildx print the offending lines.
func TestErrorHasSource(t *testing.T) {
	t.Parallel()
	dir := brokenDir(t)
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			_, err := h.call(t, v, dir, "")
			if err == nil {
				t.Fatal("the build of a broken file succeeded")
			}
			if !strings.Contains(err.Error(), `undefined secret "nertc"`) {
				t.Errorf("error does not name the problem: %v", err)
			}
			srcs := errdefs.Sources(err)
			if len(srcs) == 0 {
				t.Fatalf("error carries no source: %v", err)
			}
			s := srcs[0]
			if s.Info == nil || !strings.HasSuffix(s.Info.Filename, "Securefile") || len(s.Ranges) == 0 || s.Ranges[0].Start.Line != 7 {
				t.Errorf("source = %+v, want Securefile line 7", s)
			}
			if !strings.Contains(string(s.Info.Data), "secret nertc") {
				t.Errorf("source data does not hold the file")
			}
		})
	}
}

// lintFindings decodes the lint subrequest's answer, with the line of each
// rule's (last) finding.
func lintFindings(t *testing.T, meta map[string][]byte) (*lint.LintResults, map[string]int) {
	t.Helper()
	var r lint.LintResults
	if err := json.Unmarshal(meta["result.json"], &r); err != nil {
		t.Fatalf("result.json: %v\n%s", err, meta["result.json"])
	}
	found := map[string]int{}
	for _, w := range r.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		found[w.RuleName] = line
	}
	return &r, found
}
