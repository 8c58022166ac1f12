//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// TestParallel: four independent stages each sleep 5 seconds; the image
// has a file from each, and the progress stream shows the four sleeps
// running at the same time (every one started before any finished).
func TestParallel(t *testing.T) {
	t.Parallel()
	eachVariant(t, func(t *testing.T, v variant) {
		a, res := h.buildOCI(t, v, buildOpts{
			example: "parallel",
			args:    map[string]string{"NONCE": nonce(t, 8)},
		})
		files := a.image(t).files(t)
		for _, part := range []string{"one", "two", "three", "four"} {
			if got := fileString(t, files, "/parts/"+part+".txt"); got != part {
				t.Errorf("/parts/%s.txt = %q, want %q", part, got, part)
			}
		}

		sleeps := vertexSpans(res.statuses, func(v *client.Vertex) bool { return strings.Contains(v.Name, "sleep 5") })
		if len(sleeps) != 4 {
			t.Fatalf("want 4 vertexes running sleep 5, have %d: %v", len(sleeps), sleeps)
		}
		var lastStart, firstEnd time.Time
		for _, s := range sleeps {
			if s.cached {
				t.Fatalf("%q came from the cache: the NONCE arg should have changed it", s.name)
			}
			if s.started.IsZero() || s.completed.IsZero() {
				t.Fatalf("%q has no start or completion time", s.name)
			}
			if s.started.After(lastStart) {
				lastStart = s.started
			}
			if firstEnd.IsZero() || s.completed.Before(firstEnd) {
				firstEnd = s.completed
			}
		}
		if !lastStart.Before(firstEnd) {
			t.Errorf("the sleeps did not overlap: the last started at %v, after the first completed at %v\n%v",
				lastStart.Format(time.StampMilli), firstEnd.Format(time.StampMilli), sleeps)
		}
	})
}

// span is a vertex's run as the progress stream reported it.
type span struct {
	name               string
	started, completed time.Time
	cached             bool
}

// vertexSpans merges the updates of the vertexes matching keep, by digest.
func vertexSpans(statuses []*client.SolveStatus, keep func(*client.Vertex) bool) map[digest.Digest]*span {
	spans := map[digest.Digest]*span{}
	for _, st := range statuses {
		for _, v := range st.Vertexes {
			if !keep(v) {
				continue
			}
			s := spans[v.Digest]
			if s == nil {
				s = &span{name: v.Name}
				spans[v.Digest] = s
			}
			if v.Started != nil && (s.started.IsZero() || v.Started.Before(s.started)) {
				s.started = *v.Started
			}
			if v.Completed != nil && v.Completed.After(s.completed) {
				s.completed = *v.Completed
			}
			s.cached = s.cached || v.Cached
		}
	}
	return spans
}
