package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// A warning that arrives after its vertex was drawn is in the list after
// the build, in every mode, whatever the display did with it.
func TestShowProgressListsEveryWarning(t *testing.T) {
	t.Setenv("TTY_DISPLAY_RATE", "1") // draw every batch at once
	now := time.Now()
	vtx := digest.FromString("build file")
	batches := []*client.SolveStatus{
		{Vertexes: []*client.Vertex{{Digest: vtx, Name: "[internal] load build definition from Securefile", Started: &now, Completed: &now}}},
		{Warnings: []*client.VertexWarning{{Vertex: vtx, Level: 1, Short: []byte("SecretLeaksNotVerified: leak verification is off"),
			Detail: [][]byte{[]byte("remove --no-verify")}}}},
	}
	for _, mode := range []progressui.DisplayMode{progressui.PlainMode, progressui.QuietMode} {
		t.Run(string(mode), func(t *testing.T) {
			var out bytes.Buffer
			d, err := progressui.NewDisplay(&out, mode)
			if err != nil {
				t.Fatal(err)
			}
			ch := make(chan *client.SolveStatus)
			done := make(chan error)
			go func() { done <- showProgress(d, ch, &out) }()
			for _, b := range batches {
				ch <- b
				time.Sleep(20 * time.Millisecond) // let the display draw the vertex before the warning comes
			}
			close(ch)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			want := "\n1 warning:\n - SecretLeaksNotVerified: leak verification is off\n   remove --no-verify\n"
			if !strings.HasSuffix(out.String(), want) {
				t.Errorf("output does not end with the list %q:\n%s", want, out.String())
			}
		})
	}
}

func TestPrintWarnings(t *testing.T) {
	var out bytes.Buffer
	printWarnings(&out, nil)
	if out.Len() != 0 {
		t.Errorf("no warnings printed %q", out.String())
	}
	printWarnings(&out, []client.VertexWarning{
		{
			Short:      []byte(`unused-secret: unused secret "x" (line 2)`),
			SourceInfo: &pb.SourceInfo{Filename: "Securefile"},
			Range:      []*pb.Range{{Start: &pb.Position{Line: 2, Character: 7}}},
			Detail:     [][]byte{[]byte("hint: remove it")},
		},
		{Short: []byte("forged\n - SecretLeaksNotVerified: fine"), URL: "https://example.com/r"},
	})
	want := `
2 warnings:
 - Securefile:2:8: unused-secret: unused secret "x" (line 2)
   hint: remove it
 - forged - SecretLeaksNotVerified: fine
   more: https://example.com/r
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
