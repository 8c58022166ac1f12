package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// showProgress displays the build's progress from ch until the build ends,
// then lists every warning the build sent, the way docker buildx does.
//
// The list is what makes a warning impossible to miss: progressui draws a
// warning only if its vertex is redrawn after the warning arrives
// (trace.update does not mark it), so a warning can be in the status stream
// and not on the screen; UpdateFrom returns all of them regardless. It is
// printed in every mode, quiet too: a warning such as
// SecretLeaksNotVerified is not progress.
func showProgress(d progressui.Display, ch chan *client.SolveStatus, w io.Writer) error {
	warnings, err := d.UpdateFrom(context.Background(), ch)
	printWarnings(w, warnings)
	return err
}

// printWarnings lists warnings: where in the build file (when the warning
// says), the message, and its detail lines indented under it.
func printWarnings(w io.Writer, warnings []client.VertexWarning) {
	if len(warnings) == 0 {
		return
	}
	if len(warnings) == 1 {
		fmt.Fprintln(w, "\n1 warning:")
	} else {
		fmt.Fprintf(w, "\n%d warnings:\n", len(warnings))
	}
	for _, wr := range warnings {
		fmt.Fprintf(w, " - %s%s\n", warningPlace(wr), oneLine(string(wr.Short)))
		for _, d := range wr.Detail {
			fmt.Fprintf(w, "   %s\n", oneLine(string(d)))
		}
		if wr.URL != "" {
			fmt.Fprintf(w, "   more: %s\n", oneLine(wr.URL))
		}
	}
}

// warningPlace is "file:line:col: " for a warning that points into a
// file, else "".
func warningPlace(wr client.VertexWarning) string {
	if wr.SourceInfo == nil || wr.SourceInfo.Filename == "" || len(wr.Range) == 0 || wr.Range[0].Start == nil {
		return ""
	}
	p := wr.Range[0].Start
	return fmt.Sprintf("%s:%d:%d: ", wr.SourceInfo.Filename, p.Line, p.Character+1)
}

// oneLine keeps a message from the daemon to its line: its line breaks
// become spaces, so a message cannot forge further list entries.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
