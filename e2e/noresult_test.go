//go:build e2e

package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/buildhistory"
)

// securefile build without --output exports nothing, so it asks for no
// result (frontend/noresult.go): the daemon records the build with no
// result, while the same build with an output has one and exports the
// files; the build's steps ran and were verified all the same (a leak
// fails it, testdata/cliscript/verify.txtar). A daemon of its own, so that
// its history holds only these builds.
func TestCLIBuildWithoutOutputReturnsNoResult(t *testing.T) {
	addr := startDaemon(t)
	bin := buildCLI(t)
	dir := t.TempDir()
	env := []string{"BUILDKIT_HOST=" + addr, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"TOKEN_ENV=" + "tok_e2e-noresult-" + nonce(t, 12)}
	ctx := writeSecurefile(t, cgoSecretFile)
	args := []string{"build", "--progress=plain", "--build-arg", "BASE=" + h.base, "--build-arg", "NONCE=" + nonce(t, 8),
		"--secret", "id=token,env=TOKEN_ENV"}

	log := runCLI(t, bin, env, 0, append(args, ctx)...)
	if !strings.Contains(log, "[securefile] verify that no secret is in the image") {
		t.Errorf("the build without an output was not verified:\n%s", log)
	}
	out := filepath.Join(dir, "out")
	runCLI(t, bin, env, 0, append(args, "--output", "type=local,dest="+out, ctx)...)
	wantFile(t, out, "ok", "ok\n")

	recs := buildRecords(t, addr)
	if len(recs) != 2 {
		t.Fatalf("the daemon recorded %d builds, want 2", len(recs))
	}
	if got := recs[0].FrontendAttrs[frontend.ResultOption]; got != frontend.ResultNone || recs[0].Result != nil {
		t.Errorf("the build without an output: %s=%q, result %v; want %s and none", frontend.ResultOption, got, recs[0].Result, frontend.ResultNone)
	}
	if _, ok := recs[1].FrontendAttrs[frontend.ResultOption]; ok || recs[1].Result == nil {
		t.Errorf("the build with an output: attrs %v, result %v; want a result", recs[1].FrontendAttrs, recs[1].Result)
	}
}

// buildRecords is the daemon's completed build records, oldest first.
func buildRecords(t *testing.T, addr string) []*controlapi.BuildHistoryRecord {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	recs, err := buildhistory.Completed(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A client that asks for no result and exports anyway gets an image with
// no layers, never an unmerged chain: three ways, the build verified and
// with --no-verify.
func TestNoResultExportsNothing(t *testing.T) {
	dir := writeSecurefile(t, leakFile(`  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
`))
	value := []byte("tok_e2e-noresult-" + nonce(t, 12))
	for _, v := range variants[:3] {
		for _, verify := range []string{"true", "false"} {
			t.Run(v.name+"/verify="+verify, func(t *testing.T) {
				a, _ := h.buildOCI(t, v, buildOpts{dir: dir, secrets: map[string][]byte{"token": value},
					args: map[string]string{"NONCE": nonce(t, 8)},
					opts: map[string]string{frontend.ResultOption: frontend.ResultNone, frontend.VerifyOption: verify}})
				img := a.image(t)
				if len(img.manifest.Layers) != 0 || len(img.layers) != 0 {
					t.Errorf("the export has %d layers, want none", len(img.manifest.Layers))
				}
				if found := a.search(map[string][]byte{"secret": value}); len(found) > 0 {
					t.Errorf("the secret's value is in %v", found)
				}
			})
		}
	}
}
