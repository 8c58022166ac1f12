package frontend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

var testInfo = &pb.SourceInfo{Filename: "Securefile", Language: "Securefile", Data: []byte("one\ntwo\nthree\n")}

func TestDiagnosticsError(t *testing.T) {
	diags := spec.Diagnostics{
		spec.Warnf(rng(1, 1, 4), "unused-arg", "", "", "unused arg %q", "A"),
		spec.Errorf(rng(2, 2, 4), "undefined-cache", "No cache is declared with that name.", `did you mean "gomod"?`, "undefined cache %q", "gomd"),
		spec.Errorf(rng(3, 1, 6), "invalid-mode", "", "", "invalid mode %q", "999"),
	}
	err := diagnosticsError(diags, testInfo)
	want := `2 errors in the build file:
Securefile:2:2: undefined cache "gomd"
    No cache is declared with that name.
    hint: did you mean "gomod"?
Securefile:3:1: invalid mode "999"`
	if err == nil || err.Error() != want {
		t.Fatalf("message:\n%v\nwant:\n%s", err, want)
	}
	srcs := errdefs.Sources(err)
	wantSrc := []*errdefs.Source{{Info: testInfo, Ranges: []*pb.Range{{
		Start: &pb.Position{Line: 2, Character: 1},
		End:   &pb.Position{Line: 2, Character: 3},
	}}}}
	if diff := cmp.Diff(wantSrc, srcs, protocmp.Transform()); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	var out strings.Builder
	if err := srcs[0].Print(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), ">>> two") {
		t.Errorf("printed source:\n%s", out.String())
	}

	// One error: just its text.
	err = diagnosticsError(diags[:2], testInfo)
	if err == nil || strings.Contains(err.Error(), "errors in") || !strings.HasPrefix(err.Error(), `Securefile:2:2: undefined cache "gomd"`) {
		t.Errorf("single error message: %v", err)
	}
	// Warnings alone are no error.
	if err := diagnosticsError(diags[:1], testInfo); err != nil {
		t.Errorf("warnings only: %v", err)
	}
}

func TestLowerError(t *testing.T) {
	inner := errors.New("named context \"docs\" was not provided")
	err := lowerError(fmt.Errorf("lowering: %w", &lower.Error{Range: rng(3, 7, 13), Err: inner}), testInfo)
	if !errors.Is(err, inner) {
		t.Errorf("the cause is lost: %v", err)
	}
	srcs := errdefs.Sources(err)
	if len(srcs) != 1 || srcs[0].Ranges[0].Start.Line != 3 || srcs[0].Ranges[0].Start.Character != 6 {
		t.Errorf("sources = %v", srcs)
	}
	plain := errors.New("boom")
	if got := lowerError(plain, testInfo); got != plain || len(errdefs.Sources(got)) != 0 {
		t.Errorf("an error without a range got a source: %v", got)
	}
}

func TestPBRange(t *testing.T) {
	got := pbRange(spec.Range{Start: spec.Pos{Line: 4, Column: 1}})
	want := &pb.Range{Start: &pb.Position{Line: 4}, End: &pb.Position{Line: 4}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("range without end (-want +got):\n%s", diff)
	}
	if pbRanges(spec.Range{}) != nil || location(spec.Range{}) != nil {
		t.Error("a zero range has a location")
	}
}

func TestWarn(t *testing.T) {
	var got []string
	fn := func(ctx context.Context, msg string, opts client.WarnOpts) {
		got = append(got, fmt.Sprintf("%s|%d|%q|%d", msg, opts.Level, opts.Detail, len(opts.Range)))
	}
	warn(context.Background(), fn, spec.Diagnostics{
		spec.Warnf(rng(7, 1, 3), "secret-in-arg", "Args end up in the image history.", "declare a secret", "arg %q looks like a secret", "TOKEN"),
		spec.Errorf(rng(8, 1, 3), "invalid-mode", "", "", "invalid mode"),
		spec.Warnf(spec.Range{}, "unused-ssh", "", "", "unused ssh %q", "k"),
	})
	want := []string{
		`secret-in-arg: arg "TOKEN" looks like a secret (line 7)|1|["Args end up in the image history." "hint: declare a secret"]|1`,
		`unused-ssh: unused ssh "k"|1|[]|0`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
