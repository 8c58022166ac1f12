//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ourorg/securefile/frontend"
)

// badInput is one build file no entry point may build, or panic on.
type badInput struct {
	name string
	file string // Securefile or Securefile.toml
	// write puts the file at path.
	write func(t *testing.T, path string)
	// pos is the "file:line:col" every refusal names; "" when the input has
	// no position to name, and then want is what the refusal says instead.
	pos, want string
	// formats: the file is well formed and its fault is in what it means
	// (an undefined name, a cycle, no stages), which fmt does not judge, so
	// fmt prints it formatted and exits 0.
	formats bool
}

func text(s string) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// badInputs is the corpus of issue 11, one of each way a file can be bad.
var badInputs = []badInput{
	{name: "invalid UTF-8 in a string", file: "Securefile",
		write: text("image a from \"busybox\" {\n  run \"echo \xff\xfe > /x\"\n}\n"), pos: "Securefile:2:13"},
	{name: "NUL in a string", file: "Securefile",
		write: text("image a from \"busybox\" {\n  run \"echo \x00 > /x\"\n}\n"), pos: "Securefile:2:13"},
	{name: "file > 16 MiB", file: "Securefile",
		write: func(t *testing.T, path string) {
			t.Helper()
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, frontend.MaxFileSize+1); err != nil {
				t.Fatal(err)
			}
		},
		want: "too large"},
	{name: "duplicate TOML table", file: "Securefile.toml",
		write: text("[stage.a]\nfrom = \"busybox:1.36\"\n\n[stage.a]\nfrom = \"busybox:1.36\"\n\n[image.b]\nfrom = \"busybox:1.36\"\n"),
		pos:   "Securefile.toml:4:8"},
	{name: "unterminated string", file: "Securefile",
		write: text("image a from \"busybox\" {\n  run \"echo hi\n}\n"), pos: "Securefile:2:7"},
	{name: "unknown step verb", file: "Securefile",
		write: text("image a from \"busybox\" {\n  frobnicate \"x\"\n}\n"), pos: "Securefile:2:3"},
	{name: "${secret} interpolation", file: "Securefile",
		write: text("secret token {\n  env = \"TOKEN\"\n}\n\nimage app from \"busybox:1.36\" {\n  env AUTH = \"${token}\"\n}\n"),
		pos:   "Securefile:6:15", formats: true},
	{name: "undefined arg", file: "Securefile",
		write: text("arg VERSION = \"1\"\n\nimage app from \"busybox:${VERION}\" {\n  run \"true\"\n}\n"),
		pos:   "Securefile:3:25", formats: true},
	{name: "cycle of stages", file: "Securefile",
		write: text("stage a from b {\n  run \"true\"\n}\n\nstage b from \"busybox:1.36\" {\n  copy \"/x\" from a to \"/x\"\n}\n\nimage app from a {\n  run \"true\"\n}\n"),
		pos:   "Securefile:6:18", formats: true},
	{name: "empty file", file: "Securefile", write: text(""), pos: "Securefile:1:1", formats: true},
	{name: "binary garbage", file: "Securefile",
		// Fixed bytes, not random ones, so that the position is the same
		// on every run: the start of an ELF header, whose first NUL (the
		// 8th byte) is the first byte no build file may hold.
		write: text("\x7fELF\x02\x01\x01\x00\x00\x00\x80\xff\xfe\xc3\x28"), pos: "Securefile:1:8"},
}

// measure is what one entry point did with one input.
type measure struct {
	code    int // exit status; -1 for the gateway, which answers with an error
	elapsed time.Duration
	rssKB   int64 // peak RSS of the child; 0 when not measured (the gateway)
	out     string
}

// TestBadInput (issue 11) feeds every bad input to every entry point: the
// offline commands, securefile build against the daemon, and the frontend
// image through gateway.v0. Each must refuse it without a panic, and name
// its position where it has one; time and peak memory are measured and
// logged as the table in docs/testing.md, not asserted.
func TestBadInput(t *testing.T) {
	bin := buildCLI(t)
	launcher := buildMaxRSS(t)
	entries := []string{"lint", "fmt", "llb", "outline", "build", "gateway"}
	results := make([]map[string]measure, len(badInputs))
	for i, in := range badInputs {
		results[i] = map[string]measure{}
		t.Run(in.name, func(t *testing.T) {
			dir := t.TempDir()
			in.write(t, filepath.Join(dir, in.file))
			for _, e := range entries {
				var m measure
				if e == "gateway" {
					m = gatewayBuild(t, dir, in.file)
				} else {
					m = runMeasured(t, launcher, bin, dir, cliArgs(e, in.file))
				}
				results[i][e] = m
				checkRefusal(t, e, in, m)
			}
		})
	}
	var tab bytes.Buffer
	w := tabwriter.NewWriter(&tab, 0, 0, 1, ' ', 0)
	fmt.Fprintf(w, "input\t%s\tpositioned\n", strings.Join(entries, "\t"))
	for i, in := range badInputs {
		cells := []string{in.name}
		for _, e := range entries {
			cells = append(cells, results[i][e].cell())
		}
		positioned := "no"
		if in.pos != "" {
			positioned = "yes"
		}
		fmt.Fprintln(w, strings.Join(append(cells, positioned), "\t"))
	}
	w.Flush()
	t.Logf("exit status, wall time, peak RSS of each entry point:\n%s", tab.String())
}

func cliArgs(entry, file string) []string {
	if entry == "build" {
		return []string{"build", "--addr", h.addr, "--progress", "plain", "-f", file, "."}
	}
	return []string{entry, file}
}

// checkRefusal fails the test unless m is a refusal of in without a panic,
// naming in's position (or, without one, saying what in.want says); fmt
// formats the inputs whose fault is only in their meaning.
func checkRefusal(t *testing.T, entry string, in badInput, m measure) {
	t.Helper()
	if strings.Contains(m.out, "panic:") || strings.Contains(m.out, "goroutine ") {
		t.Errorf("%s panicked on %s:\n%s", entry, in.name, m.out)
	}
	if entry == "fmt" && in.formats {
		if m.code != 0 {
			t.Errorf("fmt of %s: exit %d, want 0 (the file is well formed)\n%s", in.name, m.code, m.out)
		}
		return
	}
	if m.code == 0 {
		t.Errorf("%s accepted %s:\n%s", entry, in.name, m.out)
	}
	if in.pos != "" && !strings.Contains(m.out, in.pos+":") {
		t.Errorf("%s refused %s without naming %s:\n%s", entry, in.name, in.pos, m.out)
	}
	if in.want != "" && !strings.Contains(m.out, in.want) {
		t.Errorf("%s refused %s without saying %q:\n%s", entry, in.name, in.want, m.out)
	}
}

// buildMaxRSS builds the launcher (testdata/maxrss) that reads a child's
// peak RSS from a process small enough not to hide it.
func buildMaxRSS(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "maxrss")
	c := exec.Command("go", "build", "-o", bin, "./e2e/testdata/maxrss")
	c.Dir = h.repo
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go build ./e2e/testdata/maxrss: %v\n%s", err, out)
	}
	return bin
}

// runMeasured runs the CLI in dir through the launcher and returns its exit
// status, wall time, peak RSS (Linux reports ru_maxrss in KiB) and output.
func runMeasured(t *testing.T, launcher, bin, dir string, args []string) measure {
	t.Helper()
	c := exec.Command(launcher, append([]string{bin}, args...)...)
	c.Dir = dir
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	t0 := time.Now()
	err := c.Run()
	m := measure{elapsed: time.Since(t0)}
	if err != nil {
		t.Fatalf("maxrss securefile %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	// The launcher's line comes last: it is written after the child exited.
	all := strings.TrimSuffix(out.String(), "\n")
	i := strings.LastIndex(all, "\n") + 1
	if _, err := fmt.Sscanf(all[i:], "maxrss: %d %d", &m.code, &m.rssKB); err != nil {
		t.Fatalf("securefile %s: no maxrss line (%v):\n%s", strings.Join(args, " "), err, all)
	}
	m.out = all[:i]
	return m
}

// gatewayBuild builds dir with the frontend image through gateway.v0; the
// error and the build's logs are its output.
func gatewayBuild(t *testing.T, dir, file string) measure {
	t.Helper()
	t0 := time.Now()
	res, err := h.tryBuild(t, variant{"gateway", modeGateway, file}, buildOpts{dir: dir})
	m := measure{elapsed: time.Since(t0)}
	var out strings.Builder
	if err != nil {
		m.code = -1
		out.WriteString(err.Error() + "\n")
	}
	if res != nil {
		for _, s := range res.statuses {
			for _, l := range s.Logs {
				out.Write(l.Data)
			}
			for _, v := range s.Vertexes {
				if v.Error != "" {
					out.WriteString(v.Error + "\n")
				}
			}
		}
	}
	m.out = out.String()
	return m
}

// cell is m as a table cell: exit status, time, peak memory.
func (m measure) cell() string {
	code := fmt.Sprint(m.code)
	if m.code == -1 {
		code = "error"
	}
	s := fmt.Sprintf("%s %v", code, m.elapsed.Round(time.Millisecond))
	if m.rssKB > 0 {
		s += fmt.Sprintf(" %.0fMB", float64(m.rssKB)/1024)
	}
	return s
}
