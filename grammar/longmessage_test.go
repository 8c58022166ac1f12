package grammar

import (
	"fmt"
	"strings"
	"testing"
)

// TestMessagesStayShort: a finding about many stages names a few and
// counts the rest, so a file of 20,000 images or a cycle through 2,000
// stages gives a message of a few lines, not hundreds of kilobytes
// (issue 11).
func TestMessagesStayShort(t *testing.T) {
	var cycle strings.Builder
	const n = 2000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&cycle, "stage s%d from s%d {\n}\n", i, (i+1)%n)
	}
	cycle.WriteString("default image app from s0 {\n}\n")
	for name, src := range map[string]string{
		"ambiguous-default": manyStages(20000),
		"stage-cycle":       cycle.String(),
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := Load("Securefile", []byte(src), DSL)
			found := false
			for _, d := range diags {
				if d.Code != name {
					continue
				}
				found = true
				if s := d.String(); len(s) > 2000 {
					t.Errorf("%s message is %d bytes:\n%.600s…", name, len(s), s)
				} else if !strings.Contains(s, "more") {
					t.Errorf("%s message does not count what it leaves out:\n%s", name, s)
				}
			}
			if !found {
				t.Fatalf("no %s finding: %v", name, diags)
			}
		})
	}
}
