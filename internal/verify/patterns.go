package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
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
	// Part is the credential field of the secret it is derived from, e.g.
	// "netrc password"; "" is the whole value.
	Part string
	b    []byte
}

// Len is the pattern's length; its bytes are never exposed.
func (p Pattern) Len() int { return len(p.b) }

// Patterns derives the patterns for a secret value: the value itself and,
// when surrounding whitespace or a trailing newline is trimmed off, the
// trimmed value, each raw and in the common encodings. A value shorter than
// MinValueLen (after trimming) gives none.
func Patterns(secret int, value []byte) []Pattern {
	d := deriver{secret: secret, seen: map[string]bool{}}
	d.whole(value)
	return d.out
}

// Derived is what the scanner looks for in one secret.
type Derived struct {
	Patterns []Pattern
	// Fields is how many credential fields of the secret (besides its
	// whole value) gave patterns; ShortFields names those found but not
	// looked for (too short, or a word).
	Fields      int
	ShortFields []string
	// covered maps a field's name to the names of the longer fields
	// whose patterns hold it ("npmrc _auth password" in "npmrc _auth,
	// decoded"; a key's lines in its base64): where one of those is
	// found, the field is not reported on its own.
	covered map[string][]string
}

// SecretPatterns derives the patterns of the whole value (Patterns) and
// of each credential field of the formats the scanner recognises in it
// (see fields.go), each in the same encodings. A whole value too short to
// look for gives nothing at all.
func SecretPatterns(secret int, value []byte) Derived {
	d := deriver{secret: secret, seen: map[string]bool{}}
	d.whole(value)
	if len(d.out) == 0 {
		return Derived{}
	}
	whole := len(d.out)
	fs := secretFields(value)
	out := Derived{}
	var looked []field
	for _, f := range fs.fields {
		if d.field(f.part, f.value) > 0 {
			out.Fields++
			looked = append(looked, f)
		}
	}
	out.covered = coverage(looked, d.out[whole:])
	// A field's name must not hold what it is there to hide: a key
	// named after a value of the same secret is withheld.
	for i := whole; i < len(d.out); i++ {
		d.out[i].Part = d.safeName(d.out[i].Part)
	}
	for _, s := range fs.short {
		out.ShortFields = append(out.ShortFields, d.safeName(s))
	}
	out.Patterns = d.out
	return out
}

// coverage says which fields hold which: a field is covered by a longer
// field of another name one of whose patterns holds its value. Longer
// only, so that no two fields cover each other.
func coverage(fields []field, ps []Pattern) map[string][]string {
	long := map[string]int{}
	for _, f := range fields {
		long[f.part] = max(long[f.part], len(f.value))
	}
	cov := map[string][]string{}
	for _, f := range fields {
		for _, p := range ps {
			if p.Part != f.part && long[p.Part] > len(f.value) && bytes.Contains(p.b, f.value) && !slices.Contains(cov[f.part], p.Part) {
				cov[f.part] = append(cov[f.part], p.Part)
			}
		}
	}
	return cov
}

// deriver derives one secret's patterns, each byte string once: the
// whole value's patterns come first, so a field equal to one of them is
// named as the whole value.
type deriver struct {
	secret int
	out    []Pattern
	seen   map[string]bool
}

func (d *deriver) add(part, enc string, b []byte, min int) int {
	if len(b) < min || d.seen[string(b)] {
		return 0
	}
	d.seen[string(b)] = true
	d.out = append(d.out, Pattern{Secret: d.secret, Encoding: enc, Part: part, b: b})
	return 1
}

func (d *deriver) whole(value []byte) {
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
		d.encodings("", v, suffix, MinValueLen)
	}
}

// field derives a field's patterns; fields are trimmed when parsed.
func (d *deriver) field(part string, v []byte) int {
	return d.encodings(part, v, "", MinFieldLen)
}

// encodings adds v raw (if at least rawMin long) and in every encoding,
// and returns how many patterns were new.
func (d *deriver) encodings(part string, v []byte, suffix string, rawMin int) int {
	n := d.add(part, "raw"+suffix, v, rawMin)
	// base64 of the whole value, ending a stream (padding dropped so
	// that padded and unpadded streams both match).
	n += d.add(part, "base64"+suffix, []byte(base64.RawStdEncoding.EncodeToString(v)), minEncodedLen)
	n += d.add(part, "base64url"+suffix, []byte(base64.RawURLEncoding.EncodeToString(v)), minEncodedLen)
	// The value inside a longer base64 stream: its encoding depends on
	// where it starts modulo 3, and only the groups that hold nothing
	// but the value's bytes are stable. One fragment per alignment.
	for skip := 0; skip < 3; skip++ {
		if skip >= len(v) {
			break
		}
		rest := v[skip:]
		whole := rest[:len(rest)/3*3]
		n += d.add(part, "base64"+suffix, []byte(base64.RawStdEncoding.EncodeToString(whole)), minEncodedLen)
		n += d.add(part, "base64url"+suffix, []byte(base64.RawURLEncoding.EncodeToString(whole)), minEncodedLen)
	}
	n += d.add(part, "hex"+suffix, []byte(hex.EncodeToString(v)), minEncodedLen)
	n += d.add(part, "hex"+suffix, bytes.ToUpper([]byte(hex.EncodeToString(v))), minEncodedLen)
	n += d.add(part, "url-encoded"+suffix, []byte(url.QueryEscape(string(v))), rawMin)
	n += d.add(part, "url-encoded"+suffix, []byte(url.PathEscape(string(v))), rawMin)
	return n
}

// withheldName replaces a field name that holds a pattern.
const withheldName = "<field name withheld>"

// safeName is name, or withheldName if name holds one of the secret's
// patterns.
func (d *deriver) safeName(name string) string {
	for _, n := range []string{name, withheldName} {
		if !holdsAny(n, d.out) {
			return n
		}
	}
	return "?"
}

func holdsAny(s string, ps []Pattern) bool {
	for _, p := range ps {
		if strings.Contains(s, string(p.b)) {
			return true
		}
	}
	return false
}
