package spec

import (
	"flag"
	"os"
	"regexp"
	"sort"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated key tables of docs/language.md")

// markerRE finds a generated table: the marker line, the table, the end
// marker.
var markerRE = regexp.MustCompile(`(?s)(<!-- keys (\w+): generated from spec/keys.go by go test ./spec -run TestDocTables -update -->\n)(.*?)(<!-- end keys -->)`)

// TestDocTables: docs/language.md's key tables are what the key tables
// say, and every table of DocTables is in the docs once.
func TestDocTables(t *testing.T) {
	const path = "../docs/language.md"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	out := markerRE.ReplaceAllStringFunc(string(src), func(m string) string {
		g := markerRE.FindStringSubmatch(m)
		name := g[2]
		seen[name]++
		keys, ok := DocTables[name]
		if !ok {
			t.Errorf("docs/language.md has a key table %q that spec.DocTables does not know", name)
			return m
		}
		want := KeyTable(keys)
		if g[3] != want && !*updateDocs {
			t.Errorf("docs/language.md's %q table is not the key table (run go test ./spec -run TestDocTables -update):\ngot:\n%s\nwant:\n%s", name, g[3], want)
		}
		return g[1] + want + g[4]
	})
	var names []string
	for n := range DocTables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if seen[n] != 1 {
			t.Errorf("docs/language.md holds the %q key table %d times, want once", n, seen[n])
		}
	}
	if *updateDocs && out != string(src) {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEveryKeyIsDocumented: every key has a description, so no row of
// the docs or the schema is empty.
func TestEveryKeyIsDocumented(t *testing.T) {
	for name, keys := range DocTables {
		for _, k := range keys {
			if k.Doc == "" {
				t.Errorf("%s key %q has no Doc", name, k.Name)
			}
		}
	}
}
