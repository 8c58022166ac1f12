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
	if code := run(Command("/bin/x", "echo-test", "a", "b")[2:], &out, &errb); code != 3 || out.String() != "a,b" {
		t.Errorf("run = %d, %q", code, out.String())
	}
	if code := run([]string{"--protocol=" + Protocol, "nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown tool "nope"`) {
		t.Errorf("unknown tool: %d, %q", code, errb.String())
	}
	if got := Command("/bin/x", "scan", "--in", "/in"); strings.Join(got, " ") != "/bin/x __securefile-tool --protocol="+Protocol+" scan --in /in" {
		t.Errorf("Command = %v", got)
	}
}

// A tool runs only for its own protocol: a caller of another version, or
// one from before the protocol (which names the tool right after Arg), is
// refused before the tool reads anything, so that neither side reads what
// the other wrote for another protocol.
func TestRunRefusesAnotherProtocol(t *testing.T) {
	ran := false
	Register("protocol-test", func([]string, io.Writer, io.Writer) int { ran = true; return 0 })
	for _, args := range [][]string{
		{"protocol-test"},
		{"--protocol=0", "protocol-test"},
		{"--protocol=" + Protocol + "0", "protocol-test"},
		{"--protocol=", "protocol-test"},
		{},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || !strings.Contains(errb.String(), "same securefile version") {
			t.Errorf("run(%q) = %d, %q; want 2 and the protocol error", args, code, errb.String())
		}
	}
	if ran {
		t.Error("the tool ran for another protocol")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--protocol=" + Protocol, "protocol-test"}, &out, &errb); code != 0 || !ran {
		t.Errorf("own protocol: %d, ran %v, %q", code, ran, errb.String())
	}
}
