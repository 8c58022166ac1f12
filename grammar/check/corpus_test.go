package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

// The security corpora, parsed by the real parsers (so positions and
// comments are what users get). Each insecure/*.txtar holds a Securefile
// and/or a Securefile.toml with the diagnostics each must produce, one
// "file:line:col: severity code" per line, in files want and want.toml;
// every diagnostic counts, so a case also shows what does not fire. Each
// clean/*.txtar holds realistic files that must produce no diagnostic at
// all. UPDATE_CORPUS=1 rewrites the want files of the insecure cases
// (review the diff: it is the test's expectation).

func corpus(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func diagLines(ds spec.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Range.String()+": "+d.Severity.String()+" "+d.Code)
	}
	return out
}

func nonEmptyLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type variant struct{ file, want string }

var variants = []variant{{"Securefile", "want"}, {"Securefile.toml", "want.toml"}}

func TestInsecureCorpus(t *testing.T) {
	files := corpus(t, "insecure")
	if len(files) < 15 {
		t.Fatalf("%d insecure cases, want at least 15", len(files))
	}
	for _, path := range files {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		content := map[string]string{}
		for _, f := range ar.Files {
			content[f.Name] = string(f.Data)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		if os.Getenv("UPDATE_CORPUS") != "" {
			updateWants(t, path, ar)
			for _, f := range ar.Files {
				content[f.Name] = string(f.Data)
			}
		}
		ran := 0
		for _, v := range variants {
			src, ok := content[v.file]
			if !ok {
				continue
			}
			ran++
			t.Run(name+"/"+v.file, func(t *testing.T) {
				want, ok := content[v.want]
				if !ok {
					t.Fatalf("%s has %s but no %s", path, v.file, v.want)
				}
				_, diags := grammar.Load(v.file, []byte(src), grammar.Detect(v.file))
				if diff := cmp.Diff(nonEmptyLines(want), diagLines(diags)); diff != "" {
					t.Errorf("diagnostics (-want +got):\n%s\nall:\n%s", diff, diags)
				}
				if !diags.HasErrors() && !strings.Contains(want, "warning") {
					t.Errorf("an insecure case must report something")
				}
			})
		}
		if ran == 0 {
			t.Errorf("%s has no Securefile", path)
		}
	}
}

func TestCleanCorpus(t *testing.T) {
	files := corpus(t, "clean")
	if len(files) < 10 {
		t.Fatalf("%d clean cases, want at least 10", len(files))
	}
	for _, path := range files {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar")+"/"+f.Name, func(t *testing.T) {
				_, diags := grammar.Load(f.Name, f.Data, grammar.Detect(f.Name))
				if len(diags) > 0 {
					t.Errorf("a clean spec has diagnostics:\n%s", diags)
				}
			})
		}
	}
}

// TestCorporaAreFiles keeps the directories honest: nothing but cases.
func TestCorporaAreFiles(t *testing.T) {
	for _, dir := range []string{"insecure", "clean"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".txtar") {
				t.Errorf("testdata/%s/%s is not a case", dir, e.Name())
			}
		}
	}
}

func updateWants(t *testing.T, path string, ar *txtar.Archive) {
	t.Helper()
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name == "want" || f.Name == "want.toml" {
			continue
		}
		files = append(files, f)
		for _, v := range variants {
			if f.Name == v.file {
				_, diags := grammar.Load(v.file, f.Data, grammar.Detect(v.file))
				want := strings.Join(diagLines(diags), "\n")
				if want != "" {
					want += "\n"
				}
				files = append(files, txtar.File{Name: v.want, Data: []byte(want)})
			}
		}
	}
	ar.Files = files
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
