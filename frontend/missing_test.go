package frontend

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"

	"github.com/ourorg/securefile/internal/lower"
)

// secretSolver answers a solve of a digest step as BuildKit does when
// the client gave no such secret, and records how many solves ran at once.
type secretSolver struct {
	*fakeClient
	missing map[string]bool
	mu      sync.Mutex
	running int
	most    int
}

func (c *secretSolver) Solve(ctx context.Context, req client.SolveRequest) (*client.Result, error) {
	c.mu.Lock()
	c.running++
	c.most = max(c.most, c.running)
	c.mu.Unlock()
	// Long enough for every concurrent solve to start.
	time.Sleep(50 * time.Millisecond)
	c.mu.Lock()
	c.running--
	c.mu.Unlock()
	for _, dt := range req.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		for _, m := range op.GetExec().GetMounts() {
			if s := m.SecretOpt; s != nil && c.missing[s.ID] {
				return nil, fmt.Errorf("process did not complete: secret %s: not found", s.ID)
			}
		}
	}
	return c.fakeClient.Solve(ctx, req)
}

// The required secrets' digest steps are solved at once, and when
// several secrets are missing the error names the first declared.
func TestRequiredFirstAtOnce(t *testing.T) {
	f := loadClean(t, `secret a { }
secret b { }
secret c { }
image app from "busybox" {
  run "cat /run/secrets/a /run/secrets/b /run/secrets/c" {
    secret c
    secret b
    secret a
  }
}
`)
	res, p := lowerWithTool(t, f)
	if len(res.Secrets) != 3 {
		t.Fatalf("%d secrets", len(res.Secrets))
	}
	for _, tc := range []struct {
		missing []string
		want    string
	}{
		{nil, ""},
		{[]string{"c"}, `secret "c" is required`},
		{[]string{"c", "b"}, `secret "` + res.Secrets[firstOf(res, "b", "c")].ID + `" is required`},
	} {
		c := &secretSolver{fakeClient: newFakeClient(map[string]string{"Securefile": ""}, nil), missing: map[string]bool{}}
		for _, id := range tc.missing {
			c.missing[id] = true
		}
		in, err := read(context.Background(), c.fakeClient, nil)
		if err != nil {
			t.Fatal(err)
		}
		b := &builder{c: c, in: in, caps: pb.Caps.CapSet(pb.Caps.All())}
		err = b.requiredFirst(context.Background(), res, p)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("missing %v: %v", tc.missing, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("missing %v: err = %v, want %s", tc.missing, err, tc.want)
		}
		if c.most != 3 {
			t.Errorf("missing %v: at most %d digest steps were solved at once, want all 3", tc.missing, c.most)
		}
	}
}

// firstOf is the index in res.Secrets of the first of ids.
func firstOf(res *lower.Result, ids ...string) int {
	for i, s := range res.Secrets {
		for _, id := range ids {
			if s.ID == id {
				return i
			}
		}
	}
	return -1
}
