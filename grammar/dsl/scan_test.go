package dsl

import (
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/google/go-cmp/cmp"
)

// regexpTokens lexes src with the rule-based definition, the reference for
// the hand-written scanner.
func regexpTokens(t testing.TB, src string) []lexer.Token {
	lx, err := lexDef.LexString("f", src)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := lexer.ConsumeAll(lx)
	if err != nil {
		t.Fatalf("rule lexer: %v", err)
	}
	return toks
}

func scannerTokens(src string) []lexer.Token {
	toks, _ := lexer.ConsumeAll(newScanner("f", src)) // never fails
	return toks
}

func checkScanner(t testing.TB, src string) {
	t.Helper()
	if diff := cmp.Diff(regexpTokens(t, src), scannerTokens(src)); diff != "" {
		t.Fatalf("scanner and rules disagree on %q (-rules +scanner):\n%s", src, diff)
	}
}

var scannerCases = []string{
	"",
	"arg A = \"1\"\n",
	"é = 'x'\r\n# c\r\n",
	"\"\"\"\nabc\"\"\"\"\" x",
	"\"\"\"a\\\"\"\"\"",
	"\"\"\"\"\"\"\"",
	"\"\"\"unterminated",
	"\"\"\"ab\"\"",
	"\"\"\"ab\\",
	"\"abc\\\n\"",
	"\"abc\\",
	"\"x\\é\"",
	"'raw\n'",
	"-1 +2 3a.b -x + 1_000",
	"\ufeff\tstage\x00\xff\r{}[]=,.",
	"a.b-c_d 9 \"\" ''",
}

func TestScannerMatchesRules(t *testing.T) {
	for _, src := range scannerCases {
		checkScanner(t, src)
	}
	for _, src := range diagCorpus() {
		checkScanner(t, src)
	}
}
