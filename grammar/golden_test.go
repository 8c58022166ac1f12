package grammar

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ourorg/securefile/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cases")

// Each testdata/cases/*.txtar holds one build, usually in both syntaxes
// (files "Securefile" and "Securefile.toml"), the expected model dump
// ("model", shared by both syntaxes, so it also proves they agree) and the
// expected diagnostics of each syntax ("diagnostics.dsl",
// "diagnostics.toml"). A case may hold only one syntax when the mistake it
// shows exists only there (a syntax error, say).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			sources := 0
			for _, s := range []struct {
				file, diags string
				syntax      Syntax
			}{{"Securefile", "diagnostics.dsl", DSL}, {"Securefile.toml", "diagnostics.toml", TOML}} {
				src, ok := section(ar, s.file)
				if !ok {
					continue
				}
				sources++
				f, diags := Load(s.file, []byte(src), s.syntax)
				got[s.diags] = renderDiags(diags)
				if !diags.HasErrors() {
					dump := spec.Dump(f)
					if prev, ok := got["model"]; ok && prev != dump {
						t.Errorf("the two syntaxes give different models (-dsl +toml):\n%s", cmp.Diff(prev, dump))
					}
					got["model"] = dump
				}
			}
			if sources == 0 {
				t.Fatal("case has neither Securefile nor Securefile.toml")
			}
			if *update {
				writeGolden(t, path, ar, got)
				return
			}
			for name, g := range got {
				want, _ := section(ar, name)
				if diff := cmp.Diff(want, g); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

func renderDiags(ds spec.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteString("\n")
	}
	return b.String()
}

func section(ar *txtar.Archive, name string) (string, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return string(f.Data), true
		}
	}
	return "", false
}

func writeGolden(t *testing.T, path string, ar *txtar.Archive, got map[string]string) {
	t.Helper()
	var keep []txtar.File
	for _, f := range ar.Files {
		if _, generated := got[f.Name]; !generated {
			keep = append(keep, f)
		}
	}
	for _, name := range []string{"model", "diagnostics.dsl", "diagnostics.toml"} {
		if g, ok := got[name]; ok {
			keep = append(keep, txtar.File{Name: name, Data: []byte(g)})
		}
	}
	ar.Files = keep
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
