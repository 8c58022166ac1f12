// Package buildhistory reads a BuildKit daemon's build history: the
// records of its completed builds, for hack/historyspans and the e2e tests
// that assert on what the daemon recorded.
package buildhistory

import (
	"context"
	"errors"
	"io"
	"sort"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
)

// Completed is the daemon's completed build records, oldest first.
func Completed(ctx context.Context, c *client.Client) ([]*controlapi.BuildHistoryRecord, error) {
	cl, err := c.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{EarlyExit: true})
	if err != nil {
		return nil, err
	}
	var recs []*controlapi.BuildHistoryRecord
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if ev.Record != nil && ev.Record.CompletedAt != nil {
			recs = append(recs, ev.Record)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].CreatedAt.AsTime().Before(recs[j].CreatedAt.AsTime()) })
	return recs, nil
}
