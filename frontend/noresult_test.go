package frontend

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

const noResultFile = `secret token { }
image app from "busybox" {
  run "echo one > /one"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`

// noResultBuild builds noResultFile verified, with a shared tool and a
// clean report, with the extra options opts.
func noResultBuild(t *testing.T, opts map[string]string) (*fakeClient, bool) {
	t.Helper()
	all := map[string]string{keyToolLocal: "securefile", "platform": "linux/amd64"}
	for k, v := range opts {
		all[k] = v
	}
	fc := newFakeClient(map[string]string{
		"Securefile": noResultFile,
		"securefile": elfBinary(62, false),
		reportFile:   `{}`,
	}, all)
	res, err := Build(context.Background(), fc)
	if err != nil {
		t.Fatal(err)
	}
	return fc, res.Ref != nil || len(res.Refs) > 0
}

// solvedOps is, for every solve, whether its definition has a merge, and
// whether it ends in the leak scan; and whether it was evaluated.
func solvedOps(t *testing.T, fc *fakeClient) (merges, scans, evaluatedExports int) {
	t.Helper()
	for i, def := range fc.solves {
		var merge, scan bool
		for _, op := range ops(t, def) {
			if op.GetMerge() != nil {
				merge = true
			}
			if e := op.GetExec(); e != nil {
				for _, m := range e.Mounts {
					if strings.HasPrefix(m.Dest, scanLayers+"/") {
						scan = true
					}
				}
			}
		}
		if merge {
			merges++
		}
		if scan {
			scans++
		}
		if !scan && fc.evaluated[i] && hasRun(t, def, "echo one > /one") {
			evaluatedExports++
		}
	}
	return merges, scans, evaluatedExports
}

func hasRun(t *testing.T, def *pb.Definition, script string) bool {
	for _, op := range ops(t, def) {
		if e := op.GetExec(); e != nil && strings.Contains(strings.Join(e.Meta.Args, " "), script) {
			return true
		}
	}
	return false
}

// A client that exports nothing gets no result; the build is still
// evaluated and scanned, and not merged (there is no export to match).
func TestNoResult(t *testing.T) {
	fc, hasRef := noResultBuild(t, map[string]string{ResultOption: ResultNone})
	if hasRef {
		t.Error("a build asked for no result returned a reference")
	}
	merges, scans, evaluated := solvedOps(t, fc)
	if merges != 0 || scans != 1 || evaluated != 1 {
		t.Errorf("solved %d merges, %d scans, %d evaluated builds; want none, one, one", merges, scans, evaluated)
	}

	// By default the same build returns its merged export (layers.go).
	fc, hasRef = noResultBuild(t, nil)
	if !hasRef {
		t.Error("a build returned no reference")
	}
	if merges, scans, _ := solvedOps(t, fc); merges != 1 || scans != 1 {
		t.Errorf("solved %d merges and %d scans; want one each", merges, scans)
	}
}

// Without secrets there is no scan; the build is evaluated all the same,
// since nothing else would run it.
func TestNoResultWithoutSecrets(t *testing.T) {
	fc := newFakeClient(map[string]string{"Securefile": helloDSL}, map[string]string{"build-arg:BASE": "alpine:3.20", ResultOption: ResultNone})
	res, err := Build(context.Background(), fc)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ref != nil {
		t.Error("a build asked for no result returned a reference")
	}
	if n := len(fc.evaluated); n == 0 || !fc.evaluated[n-1] {
		t.Errorf("the build's solve was not evaluated: %v", fc.evaluated)
	}
}

func TestNoResultOption(t *testing.T) {
	for v, want := range map[string]bool{"none": true, " none ": true, "": false} {
		got, err := noResult(map[string]string{ResultOption: v})
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", v, got, err, want)
		}
	}
	if got, err := noResult(map[string]string{}); err != nil || got {
		t.Errorf("unset: %v, %v", got, err)
	}
	_, err := noResult(map[string]string{ResultOption: "image"})
	if err == nil || !strings.Contains(err.Error(), ResultOption) || !strings.Contains(err.Error(), "want none") {
		t.Errorf("an unknown value: %v", err)
	}
	fc := newFakeClient(map[string]string{"Securefile": helloDSL}, map[string]string{"build-arg:BASE": "alpine:3.20", ResultOption: "all"})
	if _, err := Build(context.Background(), fc); err == nil || !strings.Contains(err.Error(), ResultOption) {
		t.Errorf("a build with an unknown value: %v", err)
	}
	for _, def := range fc.solves {
		for _, op := range ops(t, def) {
			if op.GetExec() != nil {
				t.Errorf("a build with an unknown value ran %v", op.GetExec().Meta.Args)
			}
		}
	}
}

// An SBOM is attached to a result: a build that returns none makes none.
func TestNoResultMakesNoSBOM(t *testing.T) {
	c := newFakeClient(map[string]string{"Securefile": twoPlatforms}, map[string]string{"attest:sbom": "generator=docker/buildkit-syft-scanner", ResultOption: ResultNone})
	res, err := Build(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attestations) != 0 {
		t.Errorf("attestations %v; want none", res.Attestations)
	}
}
