package check

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnendedHeredocs(t *testing.T) {
	type end struct {
		Delim      string
		Line, Near int // the operator's line and the indented end line, 0-based
	}
	for _, tc := range []struct {
		name, script string
		want         []end
	}{
		{"indented end line", "cat <<EOF > /x\n  hi\n  EOF\n", []end{{"EOF", 0, 2}}},
		{"end line at the start", "cat <<EOF > /x\n  hi\nEOF\n", nil},
		{"blanks after the delimiter", "cat <<EOF\nhi\nEOF \n", []end{{"EOF", 0, 2}}},
		{"<<- removes tabs", "cat <<-EOF\n\thi\n\tEOF\n", nil},
		{"<<- does not remove spaces", "cat <<-EOF\n  hi\n  EOF\n", []end{{"EOF", 0, 2}}},
		{"an indented delimiter in the body, then the end", "cat <<'EOF'\n  EOF\nEOF\n", nil},
		{"quoted delimiters", "cat <<'EOF' >a\n EOF\ncat <<\"END\"\n END\ncat <<\\X\n X\n", []end{{"EOF", 0, 1}}},
		{"two on one line, bodies in order", "cat <<A <<B\na\nA\nb\n  B\n", []end{{"B", 0, 4}}},
		{"the second of two lines", "true\n  cat <<EOF\n  x\n  EOF\n", []end{{"EOF", 1, 3}}},
		{"no end line at all is not this rule", "cat <<EOF\nhi\n", nil},
		{"single quotes", "echo '<<EOF'\n  EOF\n", nil},
		{"double quotes", "echo \"a <<EOF\"\n  EOF\n", nil},
		{"a comment", "# cat <<EOF\n  EOF\n", nil},
		{"a comment after a command", "true # cat <<EOF\n  EOF\n", nil},
		{"a here-string", "cat <<<EOF\n  EOF\n", nil},
		{"arithmetic", "echo $((1<<2)) $(( x << 3 ))\n  2\n  3\n", nil},
		{"a continuation after the operator", "cat <<EOF \\\n  > /x\nhi\n  EOF\n", []end{{"EOF", 0, 3}}},
		{"a continuation before the operator", "cat \\\n  <<EOF\n  EOF\n", []end{{"EOF", 1, 2}}},
		{"a quote across lines", "echo 'a\n<<EOF'\n  EOF\n", nil},
		{"CRLF", "cat <<EOF\r\nhi\r\nEOF\r\n", nil},
		{"CRLF, indented", "cat <<EOF\r\nhi\r\n  EOF\r\n", []end{{"EOF", 0, 2}}},
		{"no word", "cat << \n  EOF\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []end
			for _, h := range unendedHeredocs(tc.script) {
				got = append(got, end{h.delim, h.line, h.near})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%q (-want +got):\n%s", tc.script, diff)
			}
		})
	}
}

// FuzzUnendedHeredocs: no script makes the scan panic, and every finding
// names an end line after its operator's line.
func FuzzUnendedHeredocs(f *testing.F) {
	for _, s := range []string{"cat <<EOF\n  EOF", "cat <<-'E' <<F\\\n\tE\n F", "echo $((1<<2))", "<<", "<<-", "a <<\"unclosed\n x", "'\n<<A\n A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Count(s, "\n") + 1
		for _, h := range unendedHeredocs(s) {
			if h.delim == "" || h.near <= h.line || h.near >= lines {
				t.Fatalf("%q: bad finding %+v", s, h)
			}
		}
	})
}
