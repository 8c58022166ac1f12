package verify

import (
	"bytes"
	"errors"
	"io"
)

// Matcher finds many patterns in one pass. Every pattern is at least two
// bytes long, so a table indexed by the first two bytes of a position
// tells in one lookup whether any pattern can start there; on random data
// almost none can, which keeps a scan near the speed of reading. Where one
// can, a set of the third bytes of the patterns starting so rejects most
// positions before any pattern is compared: a secret's fields and
// encodings are hundreds of patterns, many sharing their first bytes.
type Matcher struct {
	patterns []Pattern
	table    *[1 << 16]bool  // some pattern starts with these two bytes
	group    *[1 << 16]int32 // then its index in groups
	groups   []prefixGroup
	maxLen   int
}

// prefixGroup is the patterns that start with the same two bytes.
type prefixGroup struct {
	third [4]uint64 // bit c: a pattern of the group has c as its third byte (every bit for a two-byte pattern)
	pats  []int
}

// NewMatcher indexes the patterns.
func NewMatcher(ps []Pattern) *Matcher {
	m := &Matcher{patterns: ps, table: new([1 << 16]bool), group: new([1 << 16]int32)}
	for i, p := range ps {
		if len(p.b) < 2 {
			continue
		}
		k := uint16(p.b[0])<<8 | uint16(p.b[1])
		if !m.table[k] {
			m.table[k] = true
			m.group[k] = int32(len(m.groups))
			m.groups = append(m.groups, prefixGroup{})
		}
		g := &m.groups[m.group[k]]
		g.pats = append(g.pats, i)
		if len(p.b) == 2 {
			g.third = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		} else {
			g.third[p.b[2]>>6] |= 1 << (p.b[2] & 63)
		}
		m.maxLen = max(m.maxLen, len(p.b))
	}
	return m
}

// Empty reports whether there is nothing to look for.
func (m *Matcher) Empty() bool { return m.maxLen == 0 }

// Match calls hit with the index of every pattern that occurs in b (once
// per occurrence).
func (m *Matcher) Match(b []byte, hit func(pattern int)) {
	m.match(b, func(pi, _ int) { hit(pi) })
}

// match calls hit with every pattern occurrence and where it starts.
func (m *Matcher) match(b []byte, hit func(pattern, at int)) {
	if m.maxLen == 0 {
		return
	}
	table := m.table
	for i := 0; i+1 < len(b); i++ {
		k := uint16(b[i])<<8 | uint16(b[i+1])
		if !table[k] {
			continue
		}
		g := &m.groups[m.group[k]]
		if i+2 < len(b) {
			if c := b[i+2]; g.third[c>>6]&(1<<(c&63)) == 0 {
				continue
			}
		}
		for _, pi := range g.pats {
			if bytes.HasPrefix(b[i:], m.patterns[pi].b) {
				hit(pi, i)
			}
		}
	}
}

// chunkSize is how much of a file is searched at a time; memory use is
// about one chunk plus the longest pattern, whatever the file's size.
const chunkSize = 1 << 20

// MatchReader searches a stream and returns how many bytes it read.
// Consecutive chunks overlap by the longest pattern's length minus one, so
// a match across a chunk boundary is found; it is reported once, because a
// match that lies wholly in the overlap was reported with the chunk before.
func (m *Matcher) MatchReader(r io.Reader, hit func(pattern int)) (int64, error) {
	return m.matchReader(r, chunkSize, hit)
}

func (m *Matcher) matchReader(r io.Reader, size int, hit func(pattern int)) (int64, error) {
	if m.maxLen == 0 {
		n, err := io.Copy(io.Discard, r)
		return n, err
	}
	keep := m.maxLen - 1
	buf := make([]byte, keep+max(size, m.maxLen))
	var total int64
	have := 0 // bytes in buf carried over from the previous chunk
	for {
		n, err := io.ReadFull(r, buf[have:])
		total += int64(n)
		end := have + n
		m.match(buf[:end], func(pi, at int) {
			if at+len(m.patterns[pi].b) > have {
				hit(pi)
			}
		})
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return total, nil
			}
			return total, err
		}
		tail := min(keep, end)
		copy(buf, buf[end-tail:end])
		have = tail
	}
}
