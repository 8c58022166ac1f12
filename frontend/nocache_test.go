package frontend

import (
	"context"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// --no-cache marks every op as ignoring the cache but the digest steps
// that keep the daemon's salt, whose cache mount BuildKit would prune.
func TestNoCacheKeepsTheDaemonSalt(t *testing.T) {
	f := loadClean(t, `secret token { }
image app from "busybox" {
  run "echo one > /one"
  run "wc -c < /run/secrets/token > /len" {
    secret token
  }
}
`)
	res, p := lowerWithTool(t, f)
	b := &builder{noCache: true, caps: pb.Caps.CapSet(pb.Caps.All())}
	def, err := b.marshal(context.Background(), res.State, llb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	var salted, marked int
	for _, dt := range def.Def[:len(def.Def)-1] {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		ignored := def.Metadata[digest.FromBytes(dt)].IgnoreCache
		switch {
		case keepsDaemonSalt(&op):
			salted++
			if ignored {
				t.Error("the digest step ignores the cache: its salt would be pruned")
			}
		case !ignored:
			t.Errorf("op %v does not ignore the cache under --no-cache", op.Op)
		default:
			marked++
		}
	}
	if salted != 1 || marked < 3 {
		t.Errorf("%d digest steps and %d marked ops; want 1 and the rest", salted, marked)
	}
	// Without --no-cache nothing is marked.
	b.noCache = false
	if def, err = b.marshal(context.Background(), res.State, llb.Platform(p)); err != nil {
		t.Fatal(err)
	}
	for d, md := range def.Metadata {
		if md.IgnoreCache {
			t.Errorf("%s ignores the cache without --no-cache", d)
		}
	}
}
