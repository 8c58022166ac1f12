//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/migrate"
)

// TestMigrationFidelity builds every Dockerfile of testdata/migrate/* with
// BuildKit's own Dockerfile frontend, converts it with migrate.Dockerfile,
// builds the conversion with our frontend (in process), and compares the two
// images: the flattened root filesystems (path, type, mode, owner, content,
// link target; not mtimes) and the runtime part of the image config (Env,
// User, WorkingDir, Entrypoint, Cmd, Labels, ExposedPorts, Volumes,
// Healthcheck, StopSignal, Shell). History, created times and layer
// boundaries are allowed to differ.
//
// A case directory holds a Dockerfile and its context; an optional file
// "target" names the stage both builds select (or "targets" several,
// one per line, each a case of its own), an optional file "platforms" the platforms both build (then every platform's image is
// compared with its counterpart), an optional file "build-args" the build
// args both get (NAME=VALUE lines; # starts a comment), and an optional
// file "base" the image the build arg BASE names: "debian" for the Debian
// image, else (and without the file) busybox. The cases taken from
// BuildKit's own tests (bk-*) keep their image references: the harness
// points FROM, COPY --from and RUN --mount from= at the local images
// (busybox, and alpine, which busybox stands in for, name the busybox
// base; debian the Debian one; any tag or digest is dropped), so that their
// Dockerfiles stay as BuildKit wrote them. Their file "origin" names the
// BuildKit test they come from.
//
// The build context both frontends get is the case directory without these
// harness files (the Dockerfile stays in it, as in BuildKit's tests, so that
// COPY . gives both images the same files); our frontend reads the
// converted Securefile from a directory of its own.
//
// The test tallies instead of stopping at the first difference: every case
// ends identical or in one of four classes (conversion refused, our build
// failed, filesystem differs, config differs), and the summary prints
// "fidelity: N/M identical" with the count of each class. A case whose
// directory holds a file "expected-difference" is accepted when it differs:
// the file is one paragraph beginning "deliberate:" (a documented, intended
// difference) or "gap:" (what the language cannot say yet). Such a case
// that becomes identical fails the test, so that the list stays true: delete
// the file when the language closes the gap. A case without the file that
// differs fails the test. A Dockerfile build that fails is a broken case and
// fails the test too. A run of the whole corpus also fails when docs/cli.md
// does not print its tally line.
func TestMigrationFidelity(t *testing.T) {
	root := filepath.Join(h.repo, "e2e", "testdata", "migrate")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var tally fidelityTally
	start := time.Now()
	// The cases run migrationJobs at a time, from goroutines rather than
	// with t.Parallel, whose limit (-parallel) is GOMAXPROCS: a case spends
	// its time waiting on the daemon, not on this process's CPU, and on 2
	// cores 6 at a time take half the wall time of 2.
	sem := make(chan struct{}, migrationJobs)
	var wg sync.WaitGroup
	cases := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		for _, target := range caseTargets(t, dir) {
			name := e.Name()
			if target != "" {
				name += "/" + target
			}
			cases++
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				t.Run(name, func(t *testing.T) { fidelityCase(t, dir, name, target, &tally) })
			}()
		}
	}
	wg.Wait()
	n, total := tally.report(t, time.Since(start))
	if total == cases {
		checkDocTally(t, n, total)
	}
}

// caseTargets are the targets a case builds, one case each: the lines of
// its file "targets" (one Dockerfile of BuildKit's tests often serves
// several targets, kept once), else one case with the target of its file
// "target", if any ("").
func caseTargets(t *testing.T, dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, "targets"))
	if os.IsNotExist(err) {
		return []string{""}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Fields(string(b))
	if len(out) == 0 {
		t.Fatalf("%s/targets names no target", dir)
	}
	return out
}

// docTally is the tally line docs/cli.md prints.
var docTally = regexp.MustCompile(`(?m)^fidelity: (\d+)/(\d+) identical$`)

// checkDocTally fails a run of the whole corpus whose tally is not the one
// docs/cli.md prints, so that the documented figure stays true.
func checkDocTally(t *testing.T, n, total int) {
	b, err := os.ReadFile(filepath.Join(h.repo, "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := docTally.FindSubmatch(b)
	want := fmt.Sprintf("fidelity: %d/%d identical", n, total)
	switch {
	case m == nil:
		t.Errorf("docs/cli.md has no line %q", want)
	case string(m[0]) != want:
		t.Errorf("docs/cli.md says %q, this run %q: update it", m[0], want)
	}
}

// migrationJobs is how many cases TestMigrationFidelity builds at once.
const migrationJobs = 6

// fidelityCase runs one case and records its outcome in tally.
func fidelityCase(t *testing.T, dir, name, target string, tally *fidelityTally) {
	expected, err := readExpectedDifference(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := migrationCase(t, dir, target)
	if t.Failed() {
		// A harness or Dockerfile-build failure: already reported.
		return
	}
	tally.add(name, expected, r)
	switch {
	case r.class == identical && expected != "":
		t.Errorf("identical, but expected-difference says %q: delete the file", expected)
	case r.class != identical && expected != "":
		t.Logf("accepted (%s): %s\n%s", r.class, expected, r.detail)
	case r.class != identical:
		t.Errorf("%s:\n%s", r.class, r.detail)
	}
}

// harnessFiles are the case files that configure the harness and are not
// part of the build context.
var harnessFiles = map[string]bool{
	"target": true, "targets": true, "platforms": true, "build-args": true, "base": true,
	"origin": true, "expected-difference": true,
}

// readExpectedDifference returns the reason of dir/expected-difference, or
// "" without the file. A reason is "deliberate: ..." or "gap: ..."; anything
// else is refused, so that the summary can tell the two apart.
func readExpectedDifference(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "expected-difference"))
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if !strings.HasPrefix(s, "gap: ") && !strings.HasPrefix(s, "deliberate: ") {
		return "", fmt.Errorf("%s/expected-difference: the reason must begin with \"gap: \" or \"deliberate: \", got %q", filepath.Base(dir), s)
	}
	return s, nil
}

// outcome classes of a case.
const (
	identical    = "identical"
	refused      = "conversion refused"
	ourBuild     = "our build failed"
	fsDiffers    = "filesystem differs"
	configDiffer = "config differs"
)

var outcomeClasses = []string{refused, ourBuild, fsDiffers, configDiffer}

type caseResult struct {
	class  string
	detail string
}

type fidelityTally struct {
	mu    sync.Mutex
	cases []tallyCase
}

type tallyCase struct {
	name, expected string
	r              caseResult
}

func (ft *fidelityTally) add(name, expected string, r caseResult) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.cases = append(ft.cases, tallyCase{name, expected, r})
}

// report prints the summary: the identical count, the count of each class of
// difference, and the accepted differences grouped into gaps and deliberate
// ones. It returns the identical count and the number of cases.
func (ft *fidelityTally) report(t *testing.T, took time.Duration) (same, total int) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	sort.Slice(ft.cases, func(i, j int) bool { return ft.cases[i].name < ft.cases[j].name })
	n := 0
	byClass := map[string]int{}
	var gaps, deliberate, unexpected []string
	for _, c := range ft.cases {
		if c.r.class == identical {
			n++
			continue
		}
		byClass[c.r.class]++
		line := fmt.Sprintf("  %s (%s)", c.name, c.r.class)
		switch {
		case strings.HasPrefix(c.expected, "gap: "):
			gaps = append(gaps, line+": "+strings.TrimPrefix(c.expected, "gap: "))
		case strings.HasPrefix(c.expected, "deliberate: "):
			deliberate = append(deliberate, line+": "+strings.TrimPrefix(c.expected, "deliberate: "))
		default:
			unexpected = append(unexpected, line)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fidelity: %d/%d identical (%s)\n", n, len(ft.cases), took.Round(time.Second))
	for _, cl := range outcomeClasses {
		fmt.Fprintf(&b, "  %s: %d\n", cl, byClass[cl])
	}
	fmt.Fprintf(&b, "deliberate: %d\n", len(deliberate))
	for _, l := range deliberate {
		fmt.Fprintln(&b, l)
	}
	fmt.Fprintf(&b, "gap: %d\n", len(gaps))
	for _, l := range gaps {
		fmt.Fprintln(&b, l)
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, "unexpected: %d\n", len(unexpected))
		for _, l := range unexpected {
			fmt.Fprintln(&b, l)
		}
	}
	t.Log(b.String())
	return n, len(ft.cases)
}

// localImage matches an image reference the bk-* cases name, in FROM (any
// case of the keyword, with or without --platform) and in --from= or from=
// (COPY, RUN --mount), with its tag (a tag from an arg too) or digest.
var localImage = regexp.MustCompile(`(?im)(^\s*FROM\s+(?:--platform=\S+\s+)?|\bfrom=)(busybox|alpine|debian)(?::[\w.${}-]+)?(?:@sha256:[0-9a-f]{64})?([\s,]|$)`)

// localImages points the image references of a Dockerfile at the local
// images (see TestMigrationFidelity).
func localImages(src []byte, debian string) []byte {
	return localImage.ReplaceAllFunc(src, func(m []byte) []byte {
		sm := localImage.FindSubmatch(m)
		ref := h.base
		if strings.EqualFold(string(sm[2]), "debian") {
			ref = debian
		}
		return slices.Concat(sm[1], []byte(ref), sm[3])
	})
}

func migrationCase(t *testing.T, dir, target string) caseResult {
	debian := getenv("E2E_DEBIAN_IMAGE", h.registry+"/debian:bookworm")
	attrs := map[string]string{"build-arg:BASE": h.base}
	if b, err := os.ReadFile(filepath.Join(dir, "base")); err == nil && strings.TrimSpace(string(b)) == "debian" {
		attrs["build-arg:BASE"] = debian
	}
	if b, err := os.ReadFile(filepath.Join(dir, "build-args")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				t.Fatalf("build-args: %q is not NAME=VALUE", l)
			}
			attrs["build-arg:"+k] = v
		}
	}
	if target != "" {
		attrs["target"] = target
	} else if tgt, err := os.ReadFile(filepath.Join(dir, "target")); err == nil {
		attrs["target"] = strings.TrimSpace(string(tgt))
	}
	if p, err := os.ReadFile(filepath.Join(dir, "platforms")); err == nil {
		attrs["platform"] = strings.TrimSpace(string(p))
	}

	// The context: the case without the harness files, the Dockerfile's
	// image references made local.
	ctxDir := t.TempDir()
	if err := os.CopyFS(ctxDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for f := range harnessFiles {
		if err := os.Remove(filepath.Join(ctxDir, f)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(filepath.Join(ctxDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	src = localImages(src, debian)
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), src, 0o644); err != nil {
		t.Fatal(err)
	}

	dockerImgs, err := migrationBuild(t, ctxDir, ctxDir, "Dockerfile", attrs, false)
	if err != nil {
		t.Fatalf("the Dockerfile frontend: %v", err)
	}
	if p := attrs["platform"]; p != "" && len(dockerImgs) != len(strings.Split(p, ",")) {
		t.Fatalf("the Dockerfile build gave %d images for %s", len(dockerImgs), p)
	}

	f, findings, err := migrate.Dockerfile("Dockerfile", src)
	if err != nil {
		return caseResult{refused, err.Error()}
	}
	var notes strings.Builder
	for _, fd := range findings {
		fmt.Fprintf(&notes, "finding: line %d: %s\n", fd.Line, fd.Message)
	}
	dsl := grammar.Format(f, grammar.DSL)
	fmt.Fprintf(&notes, "converted Securefile:\n%s", dsl)
	sfDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(sfDir, "Securefile"), dsl, 0o644); err != nil {
		t.Fatal(err)
	}
	ourImgs, err := migrationBuild(t, ctxDir, sfDir, "Securefile", attrs, true)
	if err != nil {
		return caseResult{ourBuild, fmt.Sprintf("%v\n%s", err, notes.String())}
	}
	if len(dockerImgs) != len(ourImgs) {
		return caseResult{ourBuild, fmt.Sprintf("the Dockerfile build gave %d images, ours %d\n%s", len(dockerImgs), len(ourImgs), notes.String())}
	}
	var fsd, cfgd strings.Builder
	for _, dockerImg := range dockerImgs {
		p := dockerImg.platformString()
		var ourImg *ociImage
		for _, img := range ourImgs {
			if img.platformString() == p {
				ourImg = img
			}
		}
		if ourImg == nil {
			fmt.Fprintf(&cfgd, "%s: the Dockerfile build has an image, ours has none\n", p)
			continue
		}
		compareImages(t, p, dockerImg, ourImg, &fsd, &cfgd)
	}
	switch {
	case fsd.Len() > 0:
		return caseResult{fsDiffers, fsd.String() + cfgd.String() + notes.String()}
	case cfgd.Len() > 0:
		return caseResult{configDiffer, cfgd.String() + notes.String()}
	}
	return caseResult{identical, ""}
}

// compareImages compares one platform's images of the two builds, writing
// filesystem differences to fsd and config differences to cfgd.
func compareImages(t *testing.T, p string, dockerImg, ourImg *ociImage, fsd, cfgd *strings.Builder) {
	t.Helper()
	want := fsSummary(t, dockerImg)
	got := fsSummary(t, ourImg)
	if d := diffMaps(want, got); d != "" {
		fmt.Fprintf(fsd, "%s: root filesystems differ (-dockerfile +securefile):\n%s", p, d)
	}

	wc, gc := dockerImg.config.Config, ourImg.config.Config
	cmp := func(what string, w, g any) {
		if !reflect.DeepEqual(w, g) {
			fmt.Fprintf(cfgd, "%s: config %s differs:\n dockerfile: %#v\n securefile: %#v\n", p, what, w, g)
		}
	}
	cmp("Architecture", dockerImg.config.Architecture, ourImg.config.Architecture)
	cmp("Env", wc.Env, gc.Env)
	cmp("User", wc.User, gc.User)
	cmp("WorkingDir", wc.WorkingDir, gc.WorkingDir)
	cmp("Entrypoint", wc.Entrypoint, gc.Entrypoint)
	cmp("Cmd", wc.Cmd, gc.Cmd)
	cmp("Labels", wc.Labels, gc.Labels)
	cmp("ExposedPorts", wc.ExposedPorts, gc.ExposedPorts)
	cmp("Volumes", wc.Volumes, gc.Volumes)
	cmp("Healthcheck", wc.Healthcheck, gc.Healthcheck)
	cmp("StopSignal", wc.StopSignal, gc.StopSignal)
	cmp("Shell", wc.Shell, gc.Shell)
}

// migrationBuild builds filename of dfDir with the context ctxDir, with the
// Dockerfile frontend (ours false) or ours in process, and returns the
// images of the OCI export (one per platform), or the build's error with
// its logs.
func migrationBuild(t *testing.T, ctxDir, dfDir, filename string, attrs map[string]string, ours bool) ([]*ociImage, error) {
	t.Helper()
	ctx, c := dialDaemon(t, 5*time.Minute)
	ctxFS, err := fsutil.NewFS(ctxDir)
	if err != nil {
		t.Fatal(err)
	}
	dfFS, err := fsutil.NewFS(dfDir)
	if err != nil {
		t.Fatal(err)
	}
	a := map[string]string{"filename": filename}
	for k, v := range attrs {
		a[k] = v
	}
	exp, path := ociExport(t)
	opt := client.SolveOpt{
		Exports:       []client.ExportEntry{exp},
		LocalMounts:   map[string]fsutil.FS{"context": ctxFS, "dockerfile": dfFS},
		FrontendAttrs: a,
	}
	ch := make(chan *client.SolveStatus)
	var logs bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range ch {
			for _, l := range s.Logs {
				logs.Write(l.Data)
			}
			for _, v := range s.Vertexes {
				if v.Error != "" {
					fmt.Fprintf(&logs, "%s: %s\n", v.Name, v.Error)
				}
			}
		}
	}()
	if ours {
		shareTool(t, &opt)
		_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	} else {
		opt.Frontend = "dockerfile.v0"
		_, err = c.Solve(ctx, nil, opt, ch)
	}
	<-done
	if err != nil {
		return nil, fmt.Errorf("build of %s failed: %v\n%s", filename, err, logs.String())
	}
	return readOCI(t, path).images(t), nil
}

// fsSummary describes every entry of the flattened filesystem, without
// mtimes.
func fsSummary(t *testing.T, img *ociImage) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p, f := range img.files(t) {
		hd := f.hdr
		s := fmt.Sprintf("type=%c mode=%o uid=%d gid=%d", hd.Typeflag, hd.Mode&0o7777, hd.Uid, hd.Gid)
		switch hd.Typeflag {
		case tar.TypeSymlink, tar.TypeLink:
			s += " link=" + hd.Linkname
		case tar.TypeReg:
			s += fmt.Sprintf(" size=%d content=%q", len(f.data), short(f.data))
		}
		out[p] = s
	}
	return out
}

func short(b []byte) string {
	if len(b) > 1024 {
		return fmt.Sprintf("%s...(%x)", b[:64], bytes.TrimSpace(b[len(b)-16:]))
	}
	return string(b)
}

func diffMaps(want, got map[string]string) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, k := range sorted {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "- %s: %s\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "+ %s: %s\n", k, g)
		case w != g:
			fmt.Fprintf(&b, "- %s: %s\n+ %s: %s\n", k, w, k, g)
		}
	}
	return b.String()
}
