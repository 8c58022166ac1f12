package migrate

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// render is the formatted DSL followed by the findings, one per line.
func render(t *testing.T, name string, src []byte) string {
	t.Helper()
	f, findings, err := Dockerfile(name, src)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	out := grammar.Format(f, grammar.DSL)
	// The result must load; the only errors allowed are the missing
	// checksum and the unpinned ssh host key, which the conversion reports
	// on purpose.
	_, diags := grammar.Load("Securefile", out, grammar.DSL)
	_, tdiags := grammar.Load("Securefile.toml", grammar.Format(f, grammar.TOML), grammar.TOML)
	diags = append(diags, tdiags...)
	for _, d := range diags {
		if d.Severity == spec.Error && !strings.Contains(d.Summary, "missing checksum") && !strings.Contains(d.Summary, "no pinned host key") {
			t.Errorf("converted file does not load: %s\n%s", d.Summary, out)
		}
	}
	var b bytes.Buffer
	b.Write(out)
	b.WriteString("---- findings\n")
	for _, fd := range findings {
		fmt.Fprintln(&b, fd)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.Dockerfile")
	if len(files) < 8 {
		t.Fatalf("found %d test Dockerfiles", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, file, src)
			golden := strings.TrimSuffix(file, ".Dockerfile") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingLines(t *testing.T) {
	src := "FROM alpine\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo\nONBUILD RUN x\n"
	_, got, err := Dockerfile("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{1, "FROM alpine: a Securefile build does not run the ONBUILD triggers of a base image's config, which the Dockerfile frontend runs first in the stage; if the image has any (docker image inspect -f '{{.Config.OnBuild}}'), write them as the stage's first steps", false},
		{4, "ONBUILD RUN x: a Securefile image carries no ONBUILD triggers, so the image of stage0 does not have it in its config (OnBuild): a build FROM that image does not run it", true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestParseError(t *testing.T) {
	_, _, err := Dockerfile("Dockerfile", []byte("FROM alpine\nRUN --mount=type=bogus,target=/x echo\nCOPY\n"))
	pe, ok := err.(*ParseError)
	if !ok {
		t.Fatalf("err = %v, want *ParseError", err)
	}
	if pe.Line != 3 {
		t.Errorf("line = %d, want 3 (%v)", pe.Line, pe)
	}
	_, _, err = Dockerfile("Dockerfile", []byte("FROM alpine\nRUN --mount=type=bogus,target=/x echo\n"))
	if pe, ok := err.(*ParseError); !ok || pe.Line != 2 {
		t.Errorf("bad mount: err = %v, want *ParseError at line 2", err)
	}
}

// TestRobust converts BuildKit's own parser test files and random garbage:
// nothing may panic, and every successful conversion must format.
func TestRobust(t *testing.T) {
	var inputs [][]byte
	if dirs, err := filepath.Glob(filepath.Join(modcache(), "github.com/moby/buildkit@v0.34.2/frontend/dockerfile/parser/testfiles/*/Dockerfile")); err == nil {
		for _, d := range dirs {
			b, err := os.ReadFile(d)
			if err != nil {
				continue
			}
			inputs = append(inputs, b)
			// What converts must load, apart from the missing checksums
			// the conversion reports on purpose.
			if f, _, err := Dockerfile(d, b); err == nil {
				_, diags := grammar.Load("Securefile", grammar.Format(f, grammar.DSL), grammar.DSL)
				for _, dg := range diags {
					if dg.Severity == spec.Error && !strings.Contains(dg.Summary, "missing checksum") {
						t.Errorf("%s: converted file does not load: %s", d, dg.Summary)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewSource(1))
	words := []string{"FROM", "RUN", "COPY", "ADD", "ARG", "ENV", "--mount=type=cache,target=/x", "--from=0", "$A", "${B:-c}", "${B%%*.}", "${C/x/y}", "$${D}", "${E", "'$A'", "\\$", "CMD", "ENV", "LABEL", "<<EOF", "EOF", "\n", "\\\n", "[\"a\"]", "=", "AS", "x", " ", "\t", "#", "\"", "'"}
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		b.WriteString("FROM a AS s\n")
		for j := r.Intn(30); j > 0; j-- {
			b.WriteString(words[r.Intn(len(words))])
			b.WriteByte(' ')
		}
		inputs = append(inputs, []byte(b.String()))
	}
	for _, in := range inputs {
		f, _, err := Dockerfile("Dockerfile", in)
		if err == nil {
			grammar.Format(f, grammar.DSL)
			grammar.Format(f, grammar.TOML)
		}
	}
	t.Logf("%d inputs", len(inputs))
}

func modcache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(strings.Split(p, string(os.PathListSeparator))[0], "pkg", "mod")
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, "go", "pkg", "mod")
}

// FuzzDockerfile converts arbitrary input: nothing may panic (there is no
// recover: a bug crashes here rather than becoming a parse error), and
// what converts formats in both syntaxes.
func FuzzDockerfile(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.Dockerfile")
	more, _ := filepath.Glob(filepath.Join(modcache(), "github.com/moby/buildkit@v0.34.2/frontend/dockerfile/parser/testfiles/*/Dockerfile"))
	for _, file := range append(seeds, more...) {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, tc := range flagCases {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, _, err := Dockerfile("Dockerfile", src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T, want *ParseError: %v", err, err)
			}
			return
		}
		grammar.Format(file, grammar.DSL)
		grammar.Format(file, grammar.TOML)
	})
}
