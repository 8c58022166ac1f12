package check

import (
	"math/rand"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestSuppressionIndex compares applySuppressions' index with the plain
// search it replaced (every suppression for every finding) on random
// suppressions: one line, several, wide ones (a stage's), none, negative
// and huge lines, two files. Each finding must be suppressed by the same
// ones, and the same suppressions must end up used.
func TestSuppressionIndex(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	codes := []string{"secret-in-cache", "secret-in-env", "unused-arg"}
	files := []string{"", "a", "b"}
	line := func() int32 {
		switch r.Intn(10) {
		case 0:
			return int32(r.Uint32())
		case 1:
			return -int32(r.Intn(5))
		}
		return int32(r.Intn(300))
	}
	for round := 0; round < 200; round++ {
		var sups, ref []*suppression
		for i := 0; i < r.Intn(40); i++ {
			lo := line()
			hi := lo + int32(r.Intn(4))
			switch r.Intn(6) {
			case 0:
				hi = lo + int32(r.Intn(400)) // wide
			case 1:
				hi = lo - 1 - int32(r.Intn(3)) // backwards
			case 2:
				hi = line()
			}
			rg := spec.Range{Filename: files[r.Intn(3)], Start: spec.Pos{Line: lo}, End: spec.Pos{Line: hi}}
			ls := rangeLines(rg)
			if r.Intn(5) == 0 {
				// Like a stage's scope: its lines but a few.
				inner := ls.covers
				ls.covers = func(l int32) bool { return inner(l) && l%3 != 0 }
			}
			code := codes[r.Intn(len(codes))]
			sups = append(sups, &suppression{code: code, node: rg, covers: ls.covers, lo: ls.lo, hi: ls.hi})
			ref = append(ref, &suppression{code: code, node: rg, covers: ls.covers})
		}
		c := &checker{}
		idx := indexSuppressions(sups)
		for i := 0; i < 200; i++ {
			d := &spec.Diagnostic{Code: codes[r.Intn(len(codes))], Range: spec.Range{Filename: files[r.Intn(3)], Start: spec.Pos{Line: line()}}}
			// The search before the index.
			want := false
			if suppressible(d.Code) && !d.Range.IsZero() {
				for _, s := range ref {
					if s.code != d.Code || !s.covers(d.Range.Start.Line) {
						continue
					}
					if s.node.Filename != "" && d.Range.Filename != "" && s.node.Filename != d.Range.Filename {
						continue
					}
					s.used = true
					want = true
				}
			}
			if got := c.suppressed(d, idx); got != want {
				t.Fatalf("round %d: %v %s: suppressed = %v, want %v", round, d.Range, d.Code, got, want)
			}
		}
		for i := range sups {
			if sups[i].used != ref[i].used {
				t.Fatalf("round %d: suppression %d (%s, lines %d-%d): used = %v, want %v", round, i, sups[i].code, sups[i].lo, sups[i].hi, sups[i].used, ref[i].used)
			}
		}
	}
}
