package toolmode

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestRunDispatches(t *testing.T) {
	Register("echo-test", func(args []string, stdout, _ io.Writer) int {
		io.WriteString(stdout, strings.Join(args, ","))
		return 3
	})
	var out, errb bytes.Buffer
	if code := run([]string{"echo-test", "a", "b"}, &out, &errb); code != 3 || out.String() != "a,b" {
		t.Errorf("run = %d, %q", code, out.String())
	}
	if code := run([]string{"nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown tool "nope"`) {
		t.Errorf("unknown tool: %d, %q", code, errb.String())
	}
	if got := Command("/bin/x", "scan", "--in", "/in"); strings.Join(got, " ") != "/bin/x __securefile-tool scan --in /in" {
		t.Errorf("Command = %v", got)
	}
}
