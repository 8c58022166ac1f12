package migrate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// maxLine is the longest line BuildKit's Dockerfile parser reads: its
// scanner's buffer, less the newline.
const maxLine = bufio.MaxScanTokenSize - 1

// parseErr is a Dockerfile parse error with its line, and a message that
// shows the input quoted: an unknown "instruction" of binary input would
// otherwise print raw bytes to the terminal.
func parseErr(src []byte, err error) error {
	var le *parser.LocationError
	line := 0
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	var ui *instructions.UnknownInstructionError
	switch {
	case strings.Contains(err.Error(), "dockerfile line greater than max allowed size"):
		// The parser blames the last line it read, not the one too long
		// to read.
		if l := longLine(src); l > 0 {
			line = l
		}
		err = fmt.Errorf("line longer than %d bytes, the most BuildKit's Dockerfile parser reads: split it with a backslash continuation", maxLine)
	case errors.As(err, &ui):
		err = fmt.Errorf("unknown instruction %q: a Dockerfile line starts with an instruction such as FROM, RUN or COPY", ui.Instruction)
	case printable(err.Error()) != err.Error():
		err = errors.New(printable(err.Error()))
	}
	return &ParseError{Line: line, Err: err}
}

// longLine is the 1-based number of the first line of src the parser
// cannot read, 0 when there is none.
func longLine(src []byte) int {
	for n := 1; len(src) > 0; n++ {
		line, rest, _ := bytes.Cut(src, []byte("\n"))
		if len(line) > maxLine {
			return n
		}
		src = rest
	}
	return 0
}

// printable is s, or s quoted when it holds invalid UTF-8 or a control
// character other than a newline or tab.
func printable(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
