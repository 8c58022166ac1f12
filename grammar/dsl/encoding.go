package dsl

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// maxEncodingDiags bounds the reports for a file that is not text at all
// (a binary given as the build file): the first few say what is wrong.
const maxEncodingDiags = 10

// checkEncoding reports, for each line, the first byte a build file cannot
// hold: one that is not part of a UTF-8 character, or a NUL. Both would
// otherwise pass the parse inside strings and comments and fail late,
// without a position: BuildKit refuses invalid UTF-8 in the LLB, and no
// command, path or value can carry a NUL. The whole file is checked, so a
// file saved in another encoding fails even where only a comment shows it.
//
// binary is set when the file is not text at all: it holds a NUL, which no
// text editor writes, or more bad lines than are reported. Parsing such a
// file would only add noise, and for megabytes of binary a token per byte
// (seconds and gigabytes).
func checkEncoding(filename string, src []byte) (diags spec.Diagnostics, binary bool) {
	if utf8.Valid(src) && bytes.IndexByte(src, 0) < 0 {
		return nil, false
	}
	line, lineStart := 1, 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line, lineStart = line+1, i+1
			i++
			continue
		case c != 0 && c < utf8.RuneSelf:
			i++
			continue
		case c != 0:
			if r, n := utf8.DecodeRune(src[i:]); r != utf8.RuneError || n > 1 {
				i += n
				continue
			}
		}
		// Columns count characters, an invalid byte as one, as the
		// lexer's positions do.
		p := spec.Pos{Line: int32(line), Column: int32(1 + utf8.RuneCount(src[lineStart:i])), Byte: int32(i)}
		r := spec.Range{Filename: filename, Start: p, End: spec.Pos{Line: int32(line), Column: p.Column + 1, Byte: int32(i + 1)}}
		if len(diags) == maxEncodingDiags {
			return diags, true
		}
		diags = append(diags, encodingErr(r, c))
		binary = binary || c == 0
		next := bytes.IndexByte(src[i:], '\n')
		if next < 0 {
			break
		}
		i += next
	}
	return diags, binary
}

// endOfFile is the position after the last byte of src.
func endOfFile(src []byte) spec.Pos {
	last := bytes.LastIndexByte(src, '\n') + 1
	return spec.Pos{Line: int32(1 + bytes.Count(src, []byte{'\n'})), Column: int32(1 + utf8.RuneCount(src[last:])), Byte: int32(len(src))}
}

func encodingErr(r spec.Range, c byte) *spec.Diagnostic {
	if c == 0 {
		return syntaxErr(r,
			"A build file cannot hold a NUL character (byte 0x00), in a string or anywhere else: no command, argument, path or value can carry one.",
			"remove it; if this is not the build file you meant, name the right one",
			"NUL character in the file")
	}
	return syntaxErr(r,
		fmt.Sprintf("A Securefile is UTF-8 text, and byte 0x%02x is not part of a UTF-8 character: the file was saved in another encoding (such as Latin-1 or UTF-16), or it is not a text file.", c),
		`save the file as UTF-8 (iconv -f latin1 -t utf-8 converts Latin-1); in a string, a character can also be written as an escape such as \u00E9`,
		"invalid UTF-8 byte 0x%02x", c)
}

// withoutEncodingRepeats drops the parse errors reported at a byte that
// checkEncoding already reported: "unexpected character" says less about
// the same mistake.
func withoutEncodingRepeats(diags, enc spec.Diagnostics) spec.Diagnostics {
	if len(enc) == 0 {
		return diags
	}
	at := make(map[int32]bool, len(enc))
	for _, d := range enc {
		at[d.Range.Start.Byte] = true
	}
	out := diags[:0:0]
	for _, d := range diags {
		if !at[d.Range.Start.Byte] {
			out = append(out, d)
		}
	}
	return out
}
