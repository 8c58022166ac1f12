package tomlfile

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// The position scanner. BurntSushi/toml decodes the values but keeps the
// positions of keys to itself (its issue #462), so the text is read a second
// time by this small tokenizer, which understands just enough TOML to know
// where every key, value, table header, array element and comment is and to
// which key path it belongs. It builds a tree that mirrors the decoded maps
// (index.go), so the decoder can walk both side by side.
//
// The scanner leaves judging validity to BurntSushi: it stops at the first
// thing it does not understand, and its index is only used when BurntSushi
// accepted the file. It runs first, though, and checks two things
// BurntSushi does not do well: keys defined twice that BurntSushi lets
// through, and nesting deep enough to make BurntSushi slow.

// comment is one '#' comment; text is what follows the '#'.
type comment struct {
	sp   span
	text string
	eol  bool // code precedes it on its line
}

// dupKey is the first key or table written twice.
type dupKey struct {
	parent   *pnode
	key      string
	r, first spec.Range
}

type scanner struct {
	src      []byte
	text     string // src as a string: names are slices of it, not copies
	filename string
	bom      int // bytes of byte order mark before the text
	off      int
	line     int
	col      int
	root     *pnode
	cur      *pnode   // the table key/values go into
	curPath  []*pnode // the nodes from the root down to cur
	segs     []segment
	comments []comment
	dup      *dupKey
	failed   bool
	// openString is where the string that ran to the end of its line or
	// file began, which says more than where it was noticed.
	openString *spec.Pos
	// level is how deep the value being read is: tables, dotted keys,
	// arrays and inline tables all count.
	level int
	// tooDeep is where nesting passed maxDepth.
	tooDeep *spec.Range
	// stop, when not -1, is the offset of the statement where the first
	// half of a split parse ends; stopped says scanning reached it there.
	stop    int
	stopped bool
	// frag is set when scanning the second half of a split parse.
	frag *fragment
	arena
}

// maxDepth bounds nesting. A Securefile needs 7 levels at most, and
// BurntSushi takes time quadratic in the depth (a second for 3000 levels),
// which a build file sent to a shared BuildKit must not be able to cost.
const maxDepth = 32

// deeperKey enters the levels of a dotted key, pointing at the first
// segment too many when there are too many.
func (s *scanner) deeperKey(segs []segment) bool {
	at := segs[min(len(segs)-1, max(0, maxDepth-s.level))].sp
	return s.deeper(len(segs), at)
}

// deeper enters n more levels, failing when that is too deep.
func (s *scanner) deeper(n int, at span) bool {
	s.level += n
	if s.level > maxDepth {
		if s.tooDeep == nil {
			r := s.rangeOf(at)
			s.tooDeep = &r
		}
		s.fail()
		return false
	}
	return true
}

type segment struct {
	name string
	sp   span
}

// scan indexes text, which is src as a string. It never panics; on input
// it does not understand it stops and sets failed.
func scan(filename string, src []byte, text string) *scanner {
	s := newScanner(filename, src, text)
	s.run()
	s.finish()
	return s
}

// newScanner is a scanner at the start of the text, past any byte order
// mark.
func newScanner(filename string, src []byte, text string) *scanner {
	s := &scanner{src: src, text: text, filename: filename, line: 1, col: 1, stop: -1}
	// BurntSushi skips byte order marks; so do we, keeping offsets into src.
	switch {
	case strings.HasPrefix(text, "\xef\xbb\xbf"):
		s.off = 3
	case strings.HasPrefix(text, "\xff\xfe"), strings.HasPrefix(text, "\xfe\xff"):
		s.off = 2
	}
	s.bom = s.off
	s.start()
	return s
}

// start makes an empty root at the current position.
func (s *scanner) start() {
	at := s.pos()
	s.root = &pnode{file: s.filename, index: -1, kind: kindTable, span: span{at, at}}
	s.cur = s.root
}

// finish ends the root's span where scanning ended, or at the end of the
// file when it failed.
func (s *scanner) finish() {
	if s.failed {
		p := posAt(s.src, len(s.src), s.bom)
		s.root.span.end = pos{int32(p.Line), int32(p.Column), int32(p.Byte)}
	} else {
		s.root.span.end = s.pos()
	}
}

func (s *scanner) pos() pos { return pos{int32(s.line), int32(s.col), int32(s.off)} }

func (s *scanner) spanFrom(start pos) span { return span{start, s.pos()} }

func (s *scanner) rangeOf(sp span) spec.Range {
	return spec.Range{Filename: s.filename, Start: sp.start.spec(), End: sp.end.spec()}
}

func (s *scanner) eof() bool { return s.off >= len(s.src) }

func (s *scanner) peek(k int) byte {
	if s.off+k < len(s.src) {
		return s.src[s.off+k]
	}
	return 0
}

// adv moves past one byte; columns count runes, so continuation bytes of
// a UTF-8 sequence do not count.
func (s *scanner) adv() {
	if s.off >= len(s.src) {
		return
	}
	c := s.src[s.off]
	s.off++
	if c == '\n' {
		s.line++
		s.col = 1
	} else if c&0xc0 != 0x80 {
		s.col++
	}
}

func (s *scanner) fail() { s.failed = true }

func (s *scanner) run() {
	for !s.failed {
		s.skipBlank()
		if s.stop >= 0 && s.off >= s.stop {
			// The first half of a split parse (split.go) ends where a
			// statement starts, or it cannot be split there.
			s.stopped = s.off == s.stop
			return
		}
		if s.eof() {
			return
		}
		if s.src[s.off] == '[' {
			s.header()
		} else if s.frag != nil && s.frag.prefix == nil {
			// A fragment starts with its [[P]] header and has no key
			// outside the tables under P.
			s.frag.bad = true
			s.fail()
		} else {
			s.keyValue(s.cur, s.curPath)
		}
		if s.failed {
			return
		}
		s.endOfLine()
	}
}

func (s *scanner) skipWS() {
	for c := s.peek(0); c == ' ' || c == '\t'; c = s.peek(0) {
		s.adv()
	}
}

// skipBlank skips whitespace, newlines and comments.
func (s *scanner) skipBlank() {
	for !s.eof() {
		switch c := s.src[s.off]; {
		case c == ' ' || c == '\t' || c == '\n':
			s.adv()
		case c == '\r' && s.peek(1) == '\n':
			s.adv()
			s.adv()
		case c == '#':
			s.comment()
		default:
			return
		}
	}
}

func (s *scanner) endOfLine() {
	s.skipWS()
	if s.peek(0) == '#' {
		s.comment()
	}
	switch {
	case s.eof():
	case s.src[s.off] == '\n':
		s.adv()
	case s.src[s.off] == '\r' && s.peek(1) == '\n':
		s.adv()
		s.adv()
	default:
		s.fail()
	}
}

func (s *scanner) comment() {
	start := s.pos()
	eol := false
	for i := s.off - 1; i >= 0 && s.src[i] != '\n'; i-- {
		if c := s.src[i]; c != ' ' && c != '\t' {
			eol = true
			break
		}
	}
	for !s.eof() && s.src[s.off] != '\n' && !(s.src[s.off] == '\r' && s.peek(1) == '\n') {
		s.adv()
	}
	s.comments = append(s.comments, comment{
		sp:   s.spanFrom(start),
		text: s.text[start.off+1 : s.off],
		eol:  eol,
	})
}

func (s *scanner) header() {
	start := s.pos()
	s.adv()
	array := s.peek(0) == '['
	if array {
		s.adv()
	}
	s.skipWS()
	segs := s.keyPath()
	if s.failed || !s.deeperKey(segs) {
		return
	}
	s.level = 0
	if s.peek(0) != ']' || array && s.peek(1) != ']' {
		s.fail()
		return
	}
	s.adv()
	if array {
		s.adv()
	}
	if s.frag != nil && !s.frag.allows(segs, array) {
		s.frag.bad = true
		s.fail()
		return
	}
	s.openTable(segs, array, s.spanFrom(start))
}

// openTable makes the table of a header current, resolving arrays of
// tables on the way to their last element as TOML does. A path already
// taken is recorded as a duplicate and scanning goes on, because
// BurntSushi accepts some of these (extending an inline table, say) and
// its model must still be indexed.
func (s *scanner) openTable(segs []segment, array bool, hdr span) {
	n := s.root
	path := s.curPath[:0] // the old path is done with
	for i, sg := range segs {
		if i < len(segs)-1 {
			n = s.intermediate(n, sg, kindImplicit, &path)
			continue
		}
		child := n.lookup(sg.name)
		if array {
			switch {
			case child == nil:
				child = n.add(&s.arena, sg.name, kindArrayOfTables, sg.sp)
			case child.kind != kindArrayOfTables:
				s.duplicate(n, sg, child)
				child = &pnode{name: sg.name, file: n.file, parent: n, index: -1, kind: kindArrayOfTables, key: sg.sp}
			}
			el := s.node()
			*el = pnode{file: n.file, parent: child, index: int32(len(child.elems)), kind: kindTable, key: sg.sp, val: hdr, header: true}
			child.elems = append(child.elems, el)
			path = append(path, child, el)
			n = el
			break
		}
		switch {
		case child == nil:
			child = n.add(&s.arena, sg.name, kindTable, sg.sp)
		case child.kind == kindImplicit, child.kind == kindDotted && !child.header:
			child.kind = kindTable
		default:
			s.duplicate(n, sg, child)
			child = &pnode{name: sg.name, file: n.file, parent: n, index: -1, kind: kindTable, key: sg.sp}
		}
		child.header, child.val = true, hdr
		path = append(path, child)
		n = child
	}
	for _, p := range path {
		p.span = cover(p.span, hdr)
	}
	s.cur, s.curPath = n, path
}

// intermediate steps from n into the table sg names, creating it as kind
// when new, and appends the nodes passed to path.
func (s *scanner) intermediate(n *pnode, sg segment, kind nodeKind, path *[]*pnode) *pnode {
	child := n.lookup(sg.name)
	if child == nil {
		child = n.add(&s.arena, sg.name, kind, sg.sp)
	}
	switch child.kind {
	case kindArrayOfTables:
		*path = append(*path, child)
		child = child.elems[len(child.elems)-1] // never empty: [[a]] adds one
	case kindImplicit, kindDotted, kindTable:
	case kindInline:
		s.duplicate(n, sg, child) // BurntSushi extends it; TOML does not
	default:
		s.duplicate(n, sg, child)
		child = &pnode{name: sg.name, file: n.file, parent: n, index: -1, kind: kindTable, key: sg.sp}
	}
	*path = append(*path, child)
	return child
}

func (s *scanner) duplicate(parent *pnode, sg segment, first *pnode) {
	if s.dup == nil {
		s.dup = &dupKey{parent: parent, key: sg.name, r: s.rangeOf(sg.sp), first: first.keyRange()}
	}
}

// keyValue reads `a.b.c = value` into table; the spans of the nodes on
// path (the table and its ancestors) grow to cover it.
func (s *scanner) keyValue(table *pnode, path []*pnode) {
	start := s.pos()
	segs := s.keyPath()
	if s.failed {
		return
	}
	level := s.level
	defer func() { s.level = level }()
	if table == s.cur {
		s.level = len(path)
	}
	if !s.deeperKey(segs) {
		return
	}
	if s.peek(0) != '=' {
		s.fail()
		return
	}
	s.adv()
	s.skipWS()
	n := table
	var dotted []*pnode
	for _, sg := range segs[:len(segs)-1] {
		n = s.intermediate(n, sg, kindDotted, &dotted)
	}
	last := segs[len(segs)-1]
	var leaf *pnode
	if ex := n.lookup(last.name); ex != nil {
		s.duplicate(n, last, ex)
		leaf = &pnode{name: last.name, file: n.file, parent: n, index: -1, key: last.sp}
	} else {
		leaf = n.add(&s.arena, last.name, kindScalar, last.sp)
	}
	s.value(leaf)
	if s.failed {
		return
	}
	sp := span{start, leaf.val.end}
	leaf.span = sp
	for _, p := range dotted {
		p.span = cover(p.span, sp)
	}
	for _, p := range path {
		p.span = cover(p.span, sp)
	}
}

// keyPath reads a dotted key and the whitespace after it.
// The segments are valid until the next call.
func (s *scanner) keyPath() []segment {
	segs := s.segs[:0]
	defer func() { s.segs = segs }()
	for {
		start := s.pos()
		name, ok := s.keySegment()
		if !ok {
			s.fail()
			return nil
		}
		segs = append(segs, segment{name, s.spanFrom(start)})
		s.skipWS()
		if s.peek(0) != '.' {
			return segs
		}
		s.adv()
		s.skipWS()
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (s *scanner) keySegment() (string, bool) {
	switch s.peek(0) {
	case '"':
		return s.basicKey()
	case '\'':
		s.adv()
		start := s.off
		for !s.eof() && s.src[s.off] != '\'' && s.src[s.off] != '\n' {
			s.adv()
		}
		if s.peek(0) != '\'' {
			return "", false
		}
		name := s.text[start:s.off]
		s.adv()
		return name, true
	}
	start := s.off
	for !s.eof() && isBare(s.src[s.off]) {
		s.adv()
	}
	return s.text[start:s.off], s.off > start
}

// basicKey reads a quoted key, decoding its escapes so that it matches
// the decoded map's key.
func (s *scanner) basicKey() (string, bool) {
	s.adv()
	var b strings.Builder
	for {
		if s.eof() || s.src[s.off] == '\n' {
			return "", false
		}
		c := s.src[s.off]
		if c == '"' {
			s.adv()
			return b.String(), true
		}
		if c != '\\' {
			b.WriteByte(c)
			s.adv()
			continue
		}
		s.adv()
		e := s.peek(0)
		s.adv()
		switch e {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\':
			b.WriteByte(e)
		case 'x', 'u', 'U':
			n := 2
			switch e {
			case 'u':
				n = 4
			case 'U':
				n = 8
			}
			if s.off+n > len(s.src) {
				return "", false
			}
			v, err := strconv.ParseUint(string(s.src[s.off:s.off+n]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", false
			}
			for range n {
				s.adv()
			}
			b.WriteRune(rune(v))
		default:
			return "", false
		}
	}
}

// value reads any value into n.
func (s *scanner) value(n *pnode) {
	start := s.pos()
	switch s.peek(0) {
	case '"', '\'':
		n.kind = kindScalar
		s.skipString()
	case '[':
		n.kind = kindArray
		if s.deeper(1, span{start, s.pos()}) {
			s.array(n)
			s.level--
		}
	case '{':
		n.kind = kindInline
		if s.deeper(1, span{start, s.pos()}) {
			s.inlineTable(n)
			s.level--
		}
	default:
		n.kind = kindScalar
		s.bareValue()
	}
	n.val = s.spanFrom(start)
	if n.span.isZero() {
		n.span = n.val
	}
}

func (s *scanner) skipString() {
	start := s.pos()
	// start is copied only when the string is unterminated: a closure
	// taking its address would move it to the heap for every string.
	unterminated := func() {
		at := start.spec()
		s.openString = &at
		s.fail()
	}
	q := s.src[s.off]
	if s.peek(1) == q && s.peek(2) == q {
		s.adv()
		s.adv()
		s.adv()
		for !s.eof() {
			c := s.src[s.off]
			switch {
			case c == '\\' && q == '"':
				s.adv()
				s.adv()
			case c == q:
				run := 0
				for s.peek(0) == q {
					s.adv()
					run++
				}
				if run >= 3 {
					return
				}
			default:
				s.adv()
			}
		}
		unterminated()
		return
	}
	s.adv()
	for !s.eof() {
		switch c := s.src[s.off]; {
		case c == '\n':
			unterminated()
			return
		case c == '\\' && q == '"':
			s.adv()
			if s.peek(0) == '\n' {
				unterminated()
				return
			}
			s.adv()
		case c == q:
			s.adv()
			return
		default:
			s.adv()
		}
	}
	unterminated()
}

// bareValue reads a number, boolean or date/time.
func (s *scanner) bareValue() {
	start := s.off
	for {
		for !s.eof() && (isBare(s.src[s.off]) || strings.IndexByte("+.:", s.src[s.off]) >= 0) {
			s.adv()
		}
		// A date and a time may be separated by a space.
		if s.off-start == 10 && isDate(s.src[start:s.off]) && s.peek(0) == ' ' && s.peek(1) >= '0' && s.peek(1) <= '9' {
			s.adv()
			continue
		}
		break
	}
	if s.off == start {
		s.fail()
	}
}

func isDate(b []byte) bool {
	for i, c := range b {
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *scanner) array(n *pnode) {
	s.adv()
	for {
		s.skipBlank()
		if s.eof() {
			s.fail()
			return
		}
		if s.src[s.off] == ']' {
			s.adv()
			return
		}
		e := s.node()
		*e = pnode{file: n.file, parent: n, index: int32(len(n.elems))}
		if n.elems == nil {
			// Most arrays are short: their first elements in the
			// arena's blocks, like a table's first children.
			n.elems = s.arena.kids()
		}
		n.elems = append(n.elems, e)
		s.value(e)
		if s.failed {
			return
		}
		s.skipBlank()
		switch s.peek(0) {
		case ',':
			s.adv()
		case ']':
			s.adv()
			return
		default:
			s.fail()
			return
		}
	}
}

// inlineTable reads { … }, accepting TOML 1.1's newlines, comments and
// trailing comma as BurntSushi does.
func (s *scanner) inlineTable(n *pnode) {
	s.adv()
	for {
		s.skipBlank()
		if s.peek(0) == '}' {
			s.adv()
			return
		}
		if s.eof() {
			s.fail()
			return
		}
		s.keyValue(n, nil)
		if s.failed {
			return
		}
		s.skipBlank()
		switch s.peek(0) {
		case ',':
			s.adv()
		case '}':
			s.adv()
			return
		default:
			s.fail()
			return
		}
	}
}

// posAt is the position of byte offset off of src, which starts with skip
// bytes that count for no column (a byte order mark).
func posAt(src []byte, off, skip int) spec.Pos {
	off = max(0, min(off, len(src)))
	p := spec.Pos{Line: 1, Column: 1, Byte: int32(off)}
	lineStart := min(skip, off)
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			p.Line++
			lineStart = i + 1
		}
	}
	p.Column = int32(1 + utf8.RuneCount(src[lineStart:off]))
	return p
}
