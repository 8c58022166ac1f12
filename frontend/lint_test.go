package frontend

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/ourorg/securefile/spec"
)

func rng(line, col, endCol int32) spec.Range {
	return spec.Range{Filename: "Securefile", Start: spec.Pos{Line: line, Column: col}, End: spec.Pos{Line: line, Column: endCol}}
}

func pbLoc(line, col, endCol int) *pb.Location {
	return &pb.Location{Ranges: []*pb.Range{{
		Start: &pb.Position{Line: int32(line), Character: int32(col - 1)},
		End:   &pb.Position{Line: int32(line), Character: int32(endCol - 1)},
	}}}
}

func TestLintOf(t *testing.T) {
	info := &pb.SourceInfo{Filename: "Securefile", Language: "Securefile", Data: []byte("a\nb\nc\n")}
	diags := spec.Diagnostics{
		spec.Warnf(rng(1, 5, 11), "unused-arg", "No string uses it.", "remove it", "unused arg %q", "X"),
		spec.Errorf(rng(3, 3, 9), "undefined-secret", "", "", "undefined secret %q", "s"),
		spec.Errorf(spec.Range{}, "syntax", "", "", "unexpected end of file"),
	}
	got := lintOf(diags, info)
	want := &lint.LintResults{
		Sources: []*pb.SourceInfo{info},
		Warnings: []lint.Warning{
			{RuleName: "unused-arg", Description: "no string interpolates an arg", Detail: "unused arg \"X\"\nNo string uses it.\nhint: remove it", Location: pbLoc(1, 5, 11)},
			{RuleName: "undefined-secret", Description: "a run step mounts a secret that is not declared", Detail: `error: undefined secret "s"`, Location: pbLoc(3, 3, 9)},
			{RuleName: "syntax", Description: "unexpected end of file", Detail: "error: unexpected end of file", Location: &pb.Location{}},
		},
		Error: &lint.BuildError{
			Message:  "2 errors in the build file:\nSecurefile:3:3: undefined secret \"s\"\n<input>: unexpected end of file",
			Location: *pbLoc(3, 3, 9), //nolint:govet // test value
		},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("lint (-want +got):\n%s", diff)
	}

	res, err := got.ToResult(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(res.Metadata["result.statuscode"]); s != "1" {
		t.Errorf("statuscode = %s", s)
	}
	var out strings.Builder
	got.PrintErrorTo(&out, nil)
	if !strings.Contains(out.String(), "Securefile:3") || !strings.Contains(out.String(), ">>> c") {
		t.Errorf("printed error:\n%s", out.String())
	}
}

func TestLintOfWarningsOnly(t *testing.T) {
	got := lintOf(spec.Diagnostics{spec.Warnf(rng(1, 1, 2), "unused-cache", "", "", "unused cache")}, nil)
	if got.Error != nil || len(got.Warnings) != 1 || len(got.Sources) != 1 {
		t.Errorf("lint = %+v", got)
	}
}
