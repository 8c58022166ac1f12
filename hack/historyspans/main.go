// Command historyspans prints how long the daemon spent on each of the
// last builds it recorded, from BuildKit's own build history: the whole
// Solve call, and each span its trace recorder saved for the build (the
// history record and its provenance, written after the frontend returns,
// before the client's Solve returns). Frontend timestamps cannot see that
// part; this is where docs/performance.md's "The daemon's provenance of a
// merged result" comes from (hack/bench-provenance.sh runs it).
//
// Usage: go run ./hack/historyspans [-n N] [-wait 10s]
//
// BUILDKIT_HOST names the daemon. One line per build, oldest first, tab
// separated: the build's ref, its securefile-verify option ("-" when
// unset), its exporters ("-": none), then name=milliseconds for the Solve
// call and for every span, longest first when names repeat. A build's
// trace is saved a few seconds after it ends; -wait is how long to wait
// for the last one.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/buildhistory"
)

func main() {
	n := flag.Int("n", 10, "the number of most recent builds to print")
	wait := flag.Duration("wait", 10*time.Second, "how long to wait for the traces of the last builds to be saved")
	flag.Parse()
	if err := run(context.Background(), os.Getenv("BUILDKIT_HOST"), *n, *wait, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "historyspans:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, n int, wait time.Duration, w io.Writer) error {
	if addr == "" {
		return errors.New("set BUILDKIT_HOST")
	}
	c, err := client.New(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(wait)
	for {
		recs, err := lastRecords(ctx, c, n)
		if err != nil {
			return err
		}
		if allTraced(recs) || time.Now().After(deadline) {
			return printRecords(ctx, c, recs, w)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// lastRecords is the daemon's n most recent completed build records,
// oldest first.
func lastRecords(ctx context.Context, c *client.Client, n int) ([]*controlapi.BuildHistoryRecord, error) {
	recs, err := buildhistory.Completed(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(recs) > n {
		recs = recs[len(recs)-n:]
	}
	return recs, nil
}

func allTraced(recs []*controlapi.BuildHistoryRecord) bool {
	for _, r := range recs {
		if r.Trace == nil {
			return false
		}
	}
	return true
}

func printRecords(ctx context.Context, c *client.Client, recs []*controlapi.BuildHistoryRecord, w io.Writer) error {
	store := proxy.NewContentStore(c.ContentClient())
	for _, r := range recs {
		verify := r.FrontendAttrs["securefile-verify"]
		if verify == "" {
			verify = "-"
		}
		var exps []string
		for _, e := range r.Exporters {
			exps = append(exps, e.Type)
		}
		if len(exps) == 0 {
			exps = []string{"-"}
		}
		fields := []string{r.Ref, verify, strings.Join(exps, ",")}
		if r.Trace == nil {
			fields = append(fields, "no-trace")
		} else {
			dt, err := content.ReadBlob(ctx, store, ocispecs.Descriptor{Digest: digest.Digest(r.Trace.Digest), Size: r.Trace.Size, MediaType: r.Trace.MediaType})
			if err != nil {
				return fmt.Errorf("the trace of %s: %w", r.Ref, err)
			}
			spans, err := parseSpans(dt)
			if err != nil {
				return fmt.Errorf("the trace of %s: %w", r.Ref, err)
			}
			for _, s := range spans {
				fields = append(fields, fmt.Sprintf("%s=%.1f", s.Name, float64(s.EndTime.Sub(s.StartTime).Microseconds())/1000))
			}
		}
		if _, err := fmt.Fprintln(w, strings.Join(fields, "\t")); err != nil {
			return err
		}
	}
	return nil
}

// span is what this command reads of a span BuildKit's trace recorder
// saved (util/tracing/detect: one JSON object per span, back to back).
type span struct {
	Name      string
	StartTime time.Time
	EndTime   time.Time
}

// parseSpans reads a build's trace, each span name once (its longest),
// longest first; names are made single words ("create history record" is
// create_history_record) so that a line splits on spaces too.
func parseSpans(dt []byte) ([]span, error) {
	dec := json.NewDecoder(bytes.NewReader(dt))
	longest := map[string]span{}
	for {
		var s span
		err := dec.Decode(&s)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		s.Name = strings.Join(strings.Fields(s.Name), "_")
		if s.Name == "" {
			continue
		}
		if old, ok := longest[s.Name]; !ok || s.EndTime.Sub(s.StartTime) > old.EndTime.Sub(old.StartTime) {
			longest[s.Name] = s
		}
	}
	out := make([]span, 0, len(longest))
	for _, s := range longest {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := out[i].EndTime.Sub(out[i].StartTime), out[j].EndTime.Sub(out[j].StartTime)
		if di != dj {
			return di > dj
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
