package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// Per-line suppression: a comment
//
//	# securefile:ignore RULE-ID[,RULE-ID...] [reason]
//
// on the line before a line (blank and other comment lines between them
// are skipped), or at its end, suppresses those rules on that line only.
// The parsers give every comment to the node it documents and record the
// line it speaks of (spec.CommentScope, the same rule for both syntaxes),
// so the checker needs no source text. A model built in code has no such
// lines; its suppressions cover the lines of their node.

const suppressPrefix = "securefile:ignore"

// suppressible says whether a rule may be suppressed: the heuristic value
// rules and warnings, but not a finding that makes the file wrong, not
// the allow-credentials warning (the opt-out must stay visible), and not
// the findings about suppressions themselves.
func suppressible(code string) bool {
	switch code {
	case "secret-value", "high-entropy-secret":
		return true
	case "credential-file-allowed", "unknown-suppression", "unused-suppression", "internal-error":
		return false
	}
	for _, r := range Rules {
		if r.Code == code {
			return r.Severity == spec.Warning
		}
	}
	return false
}

// suppression is one rule id of one suppression comment.
type suppression struct {
	code    string
	comment string
	node    spec.Range            // the node the comment belongs to
	scope   spec.Range            // the lines it applies to, for messages
	covers  func(line int32) bool // the lines it applies to
	// lo and hi bound the lines covers can accept (none when hi < lo),
	// for the index of applySuppressions.
	lo, hi int32
	used   bool
}

// lineScope is the lines a suppression applies to: those covers accepts,
// all between lo and hi.
type lineScope struct {
	covers func(int32) bool
	lo, hi int32
}

// rangeLines is the lines of r, none when r is unset.
func rangeLines(r spec.Range) lineScope {
	if r.IsZero() {
		return lineScope{covers: linesOf(r), lo: 1, hi: 0}
	}
	return lineScope{covers: linesOf(r), lo: r.Start.Line, hi: r.End.Line}
}

// parseSuppression returns the rule ids of a comment (without its '#'),
// and whether it is a suppression at all.
func parseSuppression(text string) ([]string, bool) {
	t := strings.TrimSpace(text)
	rest, ok := strings.CutPrefix(t, suppressPrefix)
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return nil, false
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, true
	}
	var codes []string
	for _, c := range strings.Split(fields[0], ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	return codes, true
}

func linesOf(r spec.Range) func(int32) bool {
	return func(l int32) bool { return !r.IsZero() && l >= r.Start.Line && l <= r.End.Line }
}

// scopeOf is the scope of a node: its lines, computed only for a node that
// has a suppression comment.
func scopeOf(r spec.Range) func() lineScope {
	return func() lineScope { return rangeLines(r) }
}

// collectSuppressions reads the suppression comments of every node.
func (c *checker) collectSuppressions() []*suppression {
	var out []*suppression
	add := func(n *spec.Node, scope func() lineScope) {
		var nodeLines *lineScope
		for i, text := range n.Comments {
			codes, ok := parseSuppression(text)
			if !ok {
				continue
			}
			at := or(n.Range, c.fileRange)
			if len(codes) == 0 {
				c.warnf(at, "unknown-suppression",
					fmt.Sprintf("The comment %q names no rule, so it suppresses nothing.", "#"+text),
					"write the rule ids to suppress: # securefile:ignore RULE-ID[,RULE-ID...] [reason]", "suppression without a rule id")
				continue
			}
			for _, code := range codes {
				if !suppressible(code) {
					c.unknownSuppression(at, code)
					continue
				}
				// The line the comment speaks of, as the parser saw it;
				// a model made in code has no such lines, and then the
				// comment covers its node.
				var lines lineScope
				scopeRange := at
				if i < len(n.CommentScopes) && !n.CommentScopes[i].IsZero() {
					scopeRange = n.CommentScopes[i]
					lines = rangeLines(scopeRange)
				} else {
					if nodeLines == nil {
						l := scope()
						nodeLines = &l
					}
					lines = *nodeLines
				}
				out = append(out, &suppression{code: code, comment: "#" + text, node: at, scope: scopeRange, covers: lines.covers, lo: lines.lo, hi: lines.hi})
			}
		}
	}
	f := c.f
	add(&f.Node, scopeOf(f.Platforms.Range))
	for _, a := range f.Args {
		if a != nil {
			add(&a.Node, scopeOf(a.Range))
		}
	}
	for _, s := range f.Secrets {
		if s != nil {
			add(&s.Node, scopeOf(s.Range))
		}
	}
	for _, s := range f.SSH {
		if s != nil {
			add(&s.Node, scopeOf(s.Range))
		}
	}
	for _, s := range f.Caches {
		if s != nil {
			add(&s.Node, scopeOf(s.Range))
		}
	}
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			if st == nil || spec.IsNilStep(st) {
				continue
			}
			n := st.NodeInfo()
			add(n, scopeOf(n.Range))
			c.nestedSuppressions(st, add)
		}
		add(&s.Node, func() lineScope {
			// The stage's own lines: not those of its steps.
			own := rangeLines(s.Range)
			var steps []spec.Range
			for _, st := range s.Steps {
				if st != nil && !spec.IsNilStep(st) {
					steps = append(steps, st.NodeInfo().Range)
				}
			}
			return lineScope{lo: own.lo, hi: own.hi, covers: func(l int32) bool {
				return own.covers(l) && !slices.ContainsFunc(steps, func(r spec.Range) bool { return linesOf(r)(l) })
			}}
		})
		for _, kv := range s.Config.Labels {
			if kv != nil {
				add(&kv.Node, scopeOf(kv.Range))
			}
		}
	}
	for _, text := range append(slices.Clone(f.Header), f.Trailing...) {
		if codes, ok := parseSuppression(text); ok {
			c.warnf(c.fileRange, "unused-suppression",
				fmt.Sprintf("The comment %q stands at the top or the end of the file, apart from any line, so it suppresses nothing. A suppression applies to the line it ends or to the line below it.", "#"+text),
				"move it to the end of the line to suppress, or onto the line above it", "suppression of %s applies to no line", quoteList(codes))
		}
	}
	return out
}

// nestedSuppressions reads comments of nodes inside a step (env entries,
// mounts), should a parser attach comments to them.
func (c *checker) nestedSuppressions(st spec.Step, add func(*spec.Node, func() lineScope)) {
	switch st := st.(type) {
	case *spec.Env:
		for _, kv := range st.Vars {
			if kv != nil {
				add(&kv.Node, scopeOf(kv.Range))
			}
		}
	case *spec.Run:
		for _, kv := range st.Env {
			if kv != nil {
				add(&kv.Node, scopeOf(kv.Range))
			}
		}
		for _, b := range st.Binds {
			if b != nil {
				add(&b.Node, scopeOf(b.Range))
			}
		}
	default:
		// Other kinds hold no nodes of their own.
		c.otherStep(st, c.fileRange)
	}
}

func (c *checker) unknownSuppression(at spec.Range, code string) {
	known := make([]string, 0, len(Rules))
	for _, r := range Rules {
		if suppressible(r.Code) {
			known = append(known, r.Code)
		}
	}
	for _, r := range Rules {
		if r.Code == code {
			c.warnf(at, "unknown-suppression",
				fmt.Sprintf("Rule %q cannot be suppressed: it is an error in the file, or a warning that must stay visible, not a heuristic that can be wrong.", code),
				"fix what the rule reports, and remove it from the comment", "rule %q cannot be suppressed", code)
			return
		}
	}
	hint := "use a rule id listed in docs/rules.md"
	if dym := spec.DidYouMean(code, known); dym != "" {
		hint += " (" + dym + ")"
	}
	c.warnf(at, "unknown-suppression", fmt.Sprintf("No rule has the id %q, so the suppression does nothing.", code), hint, "unknown rule %q in suppression", code)
}

// applySuppressions drops the diagnostics a suppression covers and
// reports the suppressions that covered none.
func (c *checker) applySuppressions() {
	sups := c.collectSuppressions()
	if len(sups) == 0 {
		return
	}
	idx := indexSuppressions(sups)
	kept := c.diags[:0]
	for _, d := range c.diags {
		if d != nil && c.suppressed(d, idx) {
			continue
		}
		kept = append(kept, d)
	}
	c.diags = kept
	for _, s := range sups {
		if !s.used {
			c.warnf(s.node, "unused-suppression",
				fmt.Sprintf("The comment %q suppresses %q, but no such finding is on the lines it applies to (%s). A stale suppression would hide a future finding there.", s.comment, s.code, linesDesc(s.scope)),
				"remove the rule id from the comment, or the comment", "unused suppression of %q", s.code)
		}
	}
}

// suppressionIndex holds the suppressions of each rule by the lines they
// can cover: a file with thousands of suppressed findings compared each
// finding with every suppression. A suppression of at most maxIndexed
// lines is listed under each of them, a wider one (a stage's) in wide.
type suppressionIndex map[string]*codeSuppressions

type codeSuppressions struct {
	byLine map[int32][]*suppression
	wide   []*suppression
}

const maxIndexed = 64

func indexSuppressions(sups []*suppression) suppressionIndex {
	idx := suppressionIndex{}
	for _, s := range sups {
		if s.hi < s.lo {
			continue // covers no line
		}
		cs := idx[s.code]
		if cs == nil {
			cs = &codeSuppressions{byLine: map[int32][]*suppression{}}
			idx[s.code] = cs
		}
		if int64(s.hi)-int64(s.lo) >= maxIndexed { // in int64: model ranges may be any int32
			cs.wide = append(cs.wide, s)
			continue
		}
		for l := s.lo; ; l++ {
			cs.byLine[l] = append(cs.byLine[l], s)
			if l == s.hi {
				break
			}
		}
	}
	return idx
}

// suppressed reports whether a suppression covers d, and marks every one
// that does as used.
func (c *checker) suppressed(d *spec.Diagnostic, idx suppressionIndex) bool {
	if !suppressible(d.Code) || d.Range.IsZero() {
		return false
	}
	cs := idx[d.Code]
	if cs == nil {
		return false
	}
	line := d.Range.Start.Line
	hit := false
	for _, list := range [2][]*suppression{cs.byLine[line], cs.wide} {
		for _, s := range list {
			if !s.covers(line) {
				continue
			}
			if s.node.Filename != "" && d.Range.Filename != "" && s.node.Filename != d.Range.Filename {
				continue
			}
			s.used = true
			hit = true
		}
	}
	return hit
}

func linesDesc(r spec.Range) string {
	if r.Start.Line == r.End.Line {
		return fmt.Sprintf("line %d", r.Start.Line)
	}
	return fmt.Sprintf("lines %d-%d", r.Start.Line, r.End.Line)
}
