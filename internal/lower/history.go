package lower

import (
	"strconv"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// History entries name a step as the file writes it, templates and all,
// never with the values of build args: an image's history travels with
// every copy of the image, and a build arg is the one input a user can set
// per build without it appearing in the file. The progress names and the
// LLB itself do carry the interpolated text, since that is what runs.

// writtenRun is a run step's command as written: the shell and the
// string ("/bin/sh -c <string>") for the shell form, the quoted list for
// the exec form.
func writtenRun(c spec.Command, shell []string) string {
	if c.Shell.Set {
		return strings.Join(shell, " ") + " " + c.Shell.V
	}
	q := make([]string, len(c.Exec.Items))
	for i, it := range c.Exec.Items {
		q[i] = strconv.Quote(it.V)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// writtenWords joins the step's flags (owner and mode, already resolved)
// and its paths as written.
func writtenWords(flags []string, written ...string) string {
	w := make([]string, 0, len(flags)+len(written))
	w = append(w, flags...)
	return strings.Join(append(w, written...), " ")
}
