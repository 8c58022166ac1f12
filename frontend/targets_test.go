package frontend

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/testing/protocmp"
)

func TestTargetsOf(t *testing.T) {
	const src = `# Shared toolchain.
stage base from "golang:1.23" {
  platform = "${BUILDPLATFORM}"
  run "true"
}

stage docs from context "docs" {
  run "true"
}

# The server.
default image server from base {
  copy "/x" from docs to "/x"
}

image empty from scratch {
  copy "a" to "/a"
}
`
	f := loadClean(t, src)
	got := targetsOf(f, []byte(src))
	line := func(n int) *pb.Location {
		return &pb.Location{Ranges: []*pb.Range{{Start: &pb.Position{Line: int32(n)}}}}
	}
	want := &targets.List{
		Targets: []targets.Target{
			{Name: "base", Description: "Shared toolchain.", Base: "golang:1.23", Platform: "${BUILDPLATFORM}", Location: line(2)},
			{Name: "docs", Base: "context:docs", Location: line(7)},
			{Name: "server", Default: true, Description: "The server.", Base: "base", Location: line(12)},
			{Name: "empty", Base: "scratch", Location: line(16)},
		},
		Sources: [][]byte{[]byte(src)},
	}
	// Only where a target starts matters here.
	opts := cmp.Options{protocmp.Transform(),
		protocmp.IgnoreFields(&pb.Range{}, "end"),
		protocmp.IgnoreFields(&pb.Position{}, "character"),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}
