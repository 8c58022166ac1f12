package tomlfile

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// invalidUTF8 refines BurntSushi's "invalid UTF-8 byte" error, which it
// reports at the start of the string or comment that holds the byte, to
// the byte itself (the first one not part of a UTF-8 character at or after
// off, which may be lines further in a multi-line string), with the words
// the DSL uses for the same mistake. ok is false for any other message, or
// when no such byte is found: the error then stays where BurntSushi put it.
func invalidUTF8(s *scanner, src []byte, off int, msg string) (d *spec.Diagnostic, ok bool) {
	if !strings.HasPrefix(msg, "invalid UTF-8 byte") || off < 0 || off > len(src) {
		return nil, false
	}
	// BurntSushi reads the file in order, so no bad byte comes before the
	// string's start; the first one after it is the one it refused.
	at := firstInvalid(src[off:])
	if at < 0 {
		return nil, false
	}
	at += off
	c := src[at]
	r := spec.Range{Filename: s.filename, Start: posAt(src, at, s.bom), End: posAt(src, at+1, s.bom)}
	return spec.Errorf(r, "syntax",
		fmt.Sprintf("A Securefile.toml is UTF-8 text, as TOML requires, and byte 0x%02x is not part of a UTF-8 character: the file was saved in another encoding (such as Latin-1 or UTF-16), or it is not a text file.", c),
		`save the file as UTF-8 (iconv -f latin1 -t utf-8 converts Latin-1); in a "basic string", a character can also be written as an escape such as \u00E9`,
		"invalid UTF-8 byte 0x%02x", c), true
}

// firstInvalid is the offset in b of the first byte that is not part of a
// UTF-8 character, or -1.
func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
