package migrate

import (
	"errors"
	"strings"
	"testing"
)

// A line over the parser's limit is reported at that line; the parser
// blamed the line before it.
func TestTooLongLineIsReportedAtItsLine(t *testing.T) {
	for _, n := range []int{maxLine, maxLine + 1, 70000} {
		src := "FROM alpine\nRUN echo 1\nRUN " + strings.Repeat("x", n-4) + "\nRUN echo 3\n"
		_, _, err := Dockerfile("Dockerfile", []byte(src))
		var pe *ParseError
		switch {
		case n <= maxLine && err != nil:
			t.Errorf("a line of %d bytes: %v, want no error", n, err)
		case n > maxLine && (!errors.As(err, &pe) || pe.Line != 3):
			t.Errorf("a line of %d bytes on line 3: err = %#v, want a *ParseError at line 3", n, err)
		case n > maxLine && !strings.Contains(err.Error(), "longer than 65535 bytes"):
			t.Errorf("message %q does not say what is wrong", err)
		}
	}
}

// Binary input is quoted in the message, never printed raw.
func TestParseErrorQuotesBinaryInput(t *testing.T) {
	_, _, err := Dockerfile("Dockerfile", []byte("FROM alpine\n\xff\xfe\x00\x01 bad\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("err = %#v, want a *ParseError at line 2", err)
	}
	msg := err.Error()
	if printable(msg) != msg || !strings.Contains(msg, `"\xff\xfe\x00\x01"`) {
		t.Errorf("message %q is not printable or does not quote the input", msg)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\n\tnext": "plain text\n\tnext",
		"nul \x00":           `"nul \x00"`,
		"bad \xff":           `"bad \xff"`,
		"esc \x1b[31m":       `"esc \x1b[31m"`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// A duplicate stage name is renamed with a finding at the duplicate's line.
func TestDuplicateStageNameIsAFinding(t *testing.T) {
	f, findings, err := Dockerfile("Dockerfile", []byte("FROM alpine AS a\nRUN echo 1\nFROM busybox AS a\nRUN echo 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Stages) != 2 || f.Stages[1].Name.V != "a_" {
		t.Fatalf("stages = %v, want a and a_", f.Stages)
	}
	for _, fd := range findings {
		if fd.Line == 3 && strings.Contains(fd.Message, `"a" is already used`) && strings.Contains(fd.Message, `renamed "a_"`) {
			return
		}
	}
	t.Errorf("no finding at line 3 for the renamed stage: %v", findings)
}
