package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/url"
)

// MinValueLen is the shortest secret value the scanner looks for. Shorter
// values match by chance in any large file, so they are reported as too
// short to verify instead of producing noise.
const MinValueLen = 4

// minEncodedLen is the shortest derived pattern (an encoding of the value
// or of part of it). A base64 fragment of four characters occurs by chance
// every few megabytes; eight do not.
const minEncodedLen = 8

// UntrimmedSuffix ends the encoding names of the patterns of a value
// that had surrounding whitespace, taken with it.
const UntrimmedSuffix = " (with surrounding whitespace)"

// Pattern is one byte string to look for, derived from one secret.
type Pattern struct {
	Secret   int    // index of the secret
	Encoding string // how the value was encoded, e.g. "base64"
	b        []byte
}

// Len is the pattern's length; its bytes are never exposed.
func (p Pattern) Len() int { return len(p.b) }

// Patterns derives the patterns for a secret value: the value itself and,
// when surrounding whitespace or a trailing newline is trimmed off, the
// trimmed value, each raw and in the common encodings. A value shorter than
// MinValueLen (after trimming) gives none.
func Patterns(secret int, value []byte) []Pattern {
	var out []Pattern
	seen := map[string]bool{}
	add := func(enc string, b []byte, min int) {
		if len(b) < min || seen[string(b)] {
			return
		}
		seen[string(b)] = true
		out = append(out, Pattern{Secret: secret, Encoding: enc, b: b})
	}
	variants := [][]byte{value}
	if t := bytes.TrimSpace(value); len(t) != len(value) {
		// The trimmed value first: "cat secret" and "echo $(cat secret)"
		// both leak it, and it is the one the name should describe.
		variants = [][]byte{t, value}
	}
	for i, v := range variants {
		if len(bytes.TrimSpace(v)) < MinValueLen {
			continue
		}
		suffix := ""
		if i > 0 {
			suffix = UntrimmedSuffix
		}
		add("raw"+suffix, v, MinValueLen)
		// base64 of the whole value, ending a stream (padding dropped so
		// that padded and unpadded streams both match).
		add("base64"+suffix, []byte(base64.RawStdEncoding.EncodeToString(v)), minEncodedLen)
		add("base64url"+suffix, []byte(base64.RawURLEncoding.EncodeToString(v)), minEncodedLen)
		// The value inside a longer base64 stream: its encoding depends on
		// where it starts modulo 3, and only the groups that hold nothing
		// but the value's bytes are stable. One fragment per alignment.
		for skip := 0; skip < 3; skip++ {
			if skip >= len(v) {
				break
			}
			rest := v[skip:]
			whole := rest[:len(rest)/3*3]
			add("base64"+suffix, []byte(base64.RawStdEncoding.EncodeToString(whole)), minEncodedLen)
			add("base64url"+suffix, []byte(base64.RawURLEncoding.EncodeToString(whole)), minEncodedLen)
		}
		add("hex"+suffix, []byte(hex.EncodeToString(v)), minEncodedLen)
		add("hex"+suffix, bytes.ToUpper([]byte(hex.EncodeToString(v))), minEncodedLen)
		add("url-encoded"+suffix, []byte(url.QueryEscape(string(v))), MinValueLen)
		add("url-encoded"+suffix, []byte(url.PathEscape(string(v))), MinValueLen)
	}
	return out
}
