package frontend

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// callLog is a gateway client that records, in order, the solves and
// warnings stickyWarn sends; nothing else of the client is used.
type callLog struct {
	client.Client
	mu    sync.Mutex
	calls []call
}

type call struct {
	solve *client.SolveRequest // nil for a warning
	warn  digest.Digest
	msg   string
}

func (c *callLog) Solve(_ context.Context, req client.SolveRequest) (*client.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call{solve: &req})
	return client.NewResult(), nil
}

func (c *callLog) Warn(_ context.Context, dgst digest.Digest, msg string, _ client.WarnOpts) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call{warn: dgst, msg: msg})
	return nil
}

// marker is a solved marker's vertex: its digest and progress group.
func marker(t *testing.T, req *client.SolveRequest) (digest.Digest, *pb.ProgressGroup) {
	t.Helper()
	var def llb.Definition
	def.FromPB(req.Definition)
	head, err := def.Head()
	if err != nil || head == "" {
		t.Fatalf("marker definition without a head: %v", err)
	}
	md := req.Definition.Metadata[string(head)]
	if md == nil || md.ProgressGroup == nil {
		t.Fatalf("marker %s is in no progress group", head)
	}
	return head, md.ProgressGroup
}

const testGroup, testMessage = "[securefile] test warning", "TestRule: a warning that must be drawn"

func stickyCalls(t *testing.T) []call {
	t.Helper()
	c := &callLog{}
	if err := stickyWarn(context.Background(), c, testGroup, testMessage, client.WarnOpts{}, llb.LinuxAmd64); err != nil {
		t.Fatal(err)
	}
	if len(c.calls) != 3 || c.calls[0].solve == nil || c.calls[1].solve != nil || c.calls[2].solve == nil {
		t.Fatalf("calls = %+v, want solve, warn, solve", c.calls)
	}
	return c.calls
}

// The order is the whole point: a marker the display learns the group
// from, the warning on the group, a marker that redraws the group.
func TestStickyWarnOrder(t *testing.T) {
	calls := stickyCalls(t)
	d1, g1 := marker(t, calls[0].solve)
	d2, g2 := marker(t, calls[2].solve)
	if g1.Id != g2.Id || g1.Name != testGroup || g2.Name != testGroup {
		t.Errorf("groups %+v and %+v, want one group named %q", g1, g2, testGroup)
	}
	if !g1.Weak || g2.Weak {
		t.Errorf("weak = %v, %v: want the first marker weak (the group stays hidden) and the second not (it reveals it)", g1.Weak, g2.Weak)
	}
	if calls[1].warn.String() != g1.Id || calls[1].msg != testMessage {
		t.Errorf("warning %q on %s, want %q on the group %s", calls[1].msg, calls[1].warn, testMessage, g1.Id)
	}
	if d1 == d2 {
		t.Error("both markers are the same vertex: the second would not report again")
	}
	if !calls[0].solve.Evaluate || !calls[2].solve.Evaluate {
		t.Error("a marker is not evaluated: an unevaluated solve reports no vertex")
	}

	// The first marker is shared by every build, the second is new each
	// time, so it reports even in a job that solved the markers before.
	again := stickyCalls(t)
	if e1, _ := marker(t, again[0].solve); e1 != d1 {
		t.Errorf("first marker %s, then %s: want one cached vertex", d1, e1)
	}
	if e2, _ := marker(t, again[2].solve); e2 == d2 {
		t.Errorf("second marker %s twice: want a fresh vertex per warning", e2)
	}
}

// The stream the solver makes of those calls, fed to progressui's plain
// printer one batch at a time, each drawn before the next arrives (the
// case that lost the warning): the warning is drawn under its group.
func TestStickyWarnIsDrawn(t *testing.T) {
	t.Setenv("TTY_DISPLAY_RATE", "1") // draw every batch at once
	calls := stickyCalls(t)
	d1, g1 := marker(t, calls[0].solve)
	d2, g2 := marker(t, calls[2].solve)
	now := time.Now()
	at := func(ms int) *time.Time { tm := now.Add(time.Duration(ms) * time.Millisecond); return &tm }
	file := digest.FromString("build file")
	batches := []*bkclient.SolveStatus{
		{Vertexes: []*bkclient.Vertex{{Digest: file, Name: "[internal] load build definition from Securefile", Started: at(0), Completed: at(1)}}},
		{Vertexes: []*bkclient.Vertex{{Digest: d1, Name: testGroup, ProgressGroup: g1, Started: at(2), Completed: at(2), Cached: true}}},
		{Warnings: []*bkclient.VertexWarning{{Vertex: calls[1].warn, Level: 1, Short: []byte(calls[1].msg)}}},
		{Vertexes: []*bkclient.Vertex{{Digest: d2, Name: testGroup, ProgressGroup: g2}}},
		{Vertexes: []*bkclient.Vertex{{Digest: d2, Name: testGroup, ProgressGroup: g2, Started: at(4), Completed: at(5)}}},
	}
	var out bytes.Buffer
	d, err := progressui.NewDisplay(&out, progressui.PlainMode)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *bkclient.SolveStatus)
	done := make(chan error)
	go func() { _, err := d.UpdateFrom(context.Background(), ch); done <- err }()
	for _, b := range batches {
		ch <- b
		time.Sleep(20 * time.Millisecond) // let the display draw it (it redraws every 1 ms)
	}
	close(ch)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	var n string
	for _, l := range strings.Split(got, "\n") {
		if num, rest, ok := strings.Cut(l, " "); ok && rest == testGroup {
			n = num
		}
	}
	if n == "" || !strings.Contains(got, n+" "+testGroup+"\n"+n+" WARN: "+testMessage+"\n") {
		t.Errorf("the warning is not drawn under its group:\n%s", got)
	}
	if c := strings.Count(got, " "+testGroup+"\n"); c != 1 {
		t.Errorf("the group is drawn %d times, want once:\n%s", c, got)
	}
}
