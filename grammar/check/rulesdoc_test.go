package check

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// rulesMarkdown renders Rules as the table in docs/rules.md.
func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("# Checker rules\n\n")
	b.WriteString("Every finding of `securefile lint` (and of the frontend's lint subrequest)\n")
	b.WriteString("carries one of these codes. Generated from `grammar/check/rules.go`\n")
	b.WriteString("and `grammar/check/testdata/rules-notes.md`;\n")
	b.WriteString("`UPDATE_RULES=1 go test ./grammar/check -run TestRulesDocIsCurrent` rewrites this file.\n\n")
	b.WriteString("| code | severity | finds |\n|---|---|---|\n")
	for _, r := range Rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Code, r.Severity, strings.ReplaceAll(r.Doc, "|", `\|`))
	}
	b.WriteString("\nThe parsers report these before the checker runs:\n\n")
	b.WriteString("| code | finds |\n|---|---|\n")
	for _, c := range [][2]string{
		{"syntax", "text that is not valid DSL or TOML, or a statement of the wrong shape (the hint shows the right one)"},
		{"unknown-key", "a key the construct does not take (with a did-you-mean hint)"},
		{"unknown-statement", "a DSL statement that is not a step or mount"},
		{"wrong-type", "a value of the wrong type"},
		{"missing-key", "a required key that is not written"},
		{"duplicate-key", "a key written twice in one construct"},
		{"step-verb", "a TOML step with no verb or more than one"},
		{"source", "a TOML source table that names neither or both of stage and context"},
	} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c[0], c[1])
	}
	// The notes explain the rules whose one line is not enough, and a
	// rule that is deliberately absent.
	notes, err := os.ReadFile("testdata/rules-notes.md")
	if err != nil {
		panic(err)
	}
	b.WriteString("\n")
	b.Write(notes)
	return b.String()
}

func TestRulesDocIsCurrent(t *testing.T) {
	const path = "../../docs/rules.md"
	want := rulesMarkdown()
	if os.Getenv("UPDATE_RULES") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/rules.md is stale: run UPDATE_RULES=1 go test ./grammar/check -run TestRulesDocIsCurrent")
	}
}
