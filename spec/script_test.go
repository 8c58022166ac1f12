package spec

import "testing"

func TestIsScriptWord(t *testing.T) {
	for _, tc := range []struct {
		words  []string
		script int // index of the script word, -1 for none
	}{
		{[]string{"/bin/sh", "-c", "echo"}, 2},
		{[]string{"sh", "-ec", "echo"}, 2},
		{[]string{"sh", "-xc", "echo"}, 2},
		{[]string{"bash", "-lc", "echo"}, 2},
		{[]string{"/bin/sh", "-euxc", "echo"}, 2},
		{[]string{"bash", "-o", "pipefail", "-c", "echo"}, 4},
		{[]string{"busybox", "sh", "-c", "echo"}, 3},
		{[]string{"env", "bash", "-c", "echo"}, 3},
		{[]string{"python3", "-c", "print(1)"}, 2},
		{[]string{"node", "-e", "1"}, 2},
		{[]string{"perl", "-ne", "print"}, 2},
		{[]string{"grep", "-e", "pattern"}, -1},
		{[]string{"go", "build", "-c", "x"}, -1},
		{[]string{"sh", "--", "-c"}, -1},
		{[]string{"sh", "-c"}, -1},
	} {
		for i := range tc.words {
			if got := IsScriptWord(tc.words, i); got != (i == tc.script) {
				t.Errorf("IsScriptWord(%q, %d) = %v", tc.words, i, got)
			}
		}
	}
}
