//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/frontend"
)

// optOutFile leaks its secret on purpose: with verification on it fails,
// so a build that exports it proves the opt-out reached the frontend.
const optOutFile = `arg BASE
secret token { }

image app from "${BASE}" {
  run "cat /run/secrets/token > /leak.txt" {
    secret token
  }
}
`

// optOutBuilds is how many identical opt-out builds run at once: what the
// probe that lost the warning ran.
const optOutBuilds = 16

const optOutWarning = "SecretLeaksNotVerified: leak verification is off"

// TestOptOutWarningUnderConcurrency: every one of 16 concurrent identical
// opt-out builds shows SecretLeaksNotVerified, through every route: in the
// status stream, on a vertex or group the stream has, and drawn by both
// progressui displays (plain and tty), which drop a warning that arrives
// after its vertex was drawn.
func TestOptOutWarningUnderConcurrency(t *testing.T) {
	dir := writeSecurefile(t, optOutFile)
	value := "sf-" + nonce(t, 12)
	for _, m := range []mode{modeInProcess, modeGateway, modeSyntax} {
		t.Run(string(m), func(t *testing.T) {
			runs := make([]*optOutRun, optOutBuilds)
			for i := range runs {
				runs[i] = newOptOutRun(t, m, dir, value)
			}
			var wg sync.WaitGroup
			for _, r := range runs {
				wg.Add(1)
				go func() { defer wg.Done(); r.build() }()
			}
			wg.Wait()
			for i, r := range runs {
				if msg := r.check(value); msg != "" {
					t.Errorf("build %d of %d: %s\nplain progress:\n%s\ntty progress:\n%s", i+1, len(runs), msg, r.plain.String(), r.tty)
				}
			}
		})
	}
	t.Run("cli", func(t *testing.T) {
		bin := buildCLI(t)
		type cliRun struct {
			tty      bool
			dest     string
			out      string
			code     int
			err      error
			exported string
		}
		runs := make([]*cliRun, optOutBuilds)
		for i := range runs {
			runs[i] = &cliRun{tty: i%2 == 1, dest: t.TempDir()}
		}
		var wg sync.WaitGroup
		for _, r := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				progress := "plain"
				if r.tty {
					progress = "tty"
				}
				args := []string{"build", "--addr", h.addr, "--progress", progress, "--no-verify",
					"--build-arg", "BASE=" + h.base, "--secret", "id=token,env=TOKEN_ENV",
					"--output", "type=local,dest=" + r.dest, dir}
				r.out, r.code, r.err = runCLIConsole(bin, []string{"TOKEN_ENV=" + value}, r.tty, args...)
			}()
		}
		wg.Wait()
		for i, r := range runs {
			var msg string
			switch {
			case r.err != nil:
				msg = r.err.Error()
			case r.code != 0:
				msg = fmt.Sprintf("exit code %d", r.code)
			case exportedLeak(r.dest) != value:
				msg = fmt.Sprintf("/leak.txt = %q, want the secret: the opt-out should export what was built", exportedLeak(r.dest))
			case r.tty && !strings.Contains(r.out, "WARN: "+optOutWarning):
				msg = "the tty display did not draw the warning"
			case !r.tty && !plainWarnLine.MatchString(r.out):
				msg = "the plain display did not draw the warning"
			}
			if msg != "" {
				t.Errorf("securefile build %d of %d (tty %v): %s\n%s", i+1, len(runs), r.tty, msg, r.out)
			}
		}
	})
}

// optOutRun is one opt-out build through the client, drawn live by a plain
// and a tty display, as buildctl and the CLI draw it.
type optOutRun struct {
	mode     mode
	opt      client.SolveOpt
	dest     string
	statuses []*client.SolveStatus
	plain    syncBuffer
	tty      string
	err      error
}

// newOptOutRun prepares the build in the test's goroutine (route and the
// tool share may fail the test); build runs it in any.
func newOptOutRun(t *testing.T, m mode, dir, value string) *optOutRun {
	t.Helper()
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &optOutRun{mode: m, dest: t.TempDir()}
	r.opt = client.SolveOpt{
		Exports:       []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: r.dest}},
		LocalMounts:   map[string]fsutil.FS{"context": src, "dockerfile": src},
		Session:       []session.Attachable{secretsprovider.FromMap(map[string][]byte{"token": []byte(value)})},
		FrontendAttrs: map[string]string{"filename": "Securefile", "build-arg:BASE": h.base},
	}
	// Each route with another spelling of the opt-out.
	if m == modeGateway {
		r.opt.FrontendAttrs[frontend.VerifyOption] = "false"
	} else {
		r.opt.FrontendAttrs["build-arg:BUILDKIT_SECUREFILE_VERIFY"] = "false"
	}
	route(t, m, &r.opt)
	return r
}

func (r *optOutRun) build() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := client.New(ctx, h.addr)
	if err != nil {
		r.err = err
		return
	}
	defer c.Close()
	master, slave, err := openConsole()
	if err != nil {
		r.err = err
		return
	}
	defer master.Close()
	plain, err := progressui.NewDisplay(&r.plain, progressui.PlainMode)
	if err != nil {
		slave.Close()
		r.err = err
		return
	}
	tty, err := progressui.NewDisplay(slave, progressui.TtyMode)
	if err != nil {
		slave.Close()
		r.err = err
		return
	}
	var ttyOut bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&ttyOut, master) }()

	ch := make(chan *client.SolveStatus)
	toPlain, toTTY := make(chan *client.SolveStatus), make(chan *client.SolveStatus)
	var eg errgroup.Group
	eg.Go(func() error {
		defer close(toPlain)
		defer close(toTTY)
		for s := range ch {
			r.statuses = append(r.statuses, s)
			toPlain <- s
			toTTY <- s
		}
		return nil
	})
	eg.Go(func() error { _, err := plain.UpdateFrom(context.Background(), toPlain); return err })
	eg.Go(func() error { _, err := tty.UpdateFrom(context.Background(), toTTY); return err })
	if r.mode == modeInProcess {
		_, r.err = c.Build(ctx, r.opt, "", frontend.Build, ch)
	} else {
		_, r.err = c.Solve(ctx, nil, r.opt, ch)
	}
	if err := eg.Wait(); err != nil && r.err == nil {
		r.err = err
	}
	slave.Close()
	<-read
	r.tty = ttyOut.String()
}

// check says what is wrong with the finished build, or "".
func (r *optOutRun) check(value string) string {
	if r.err != nil {
		return "build failed: " + r.err.Error()
	}
	if got := exportedLeak(r.dest); got != value {
		return fmt.Sprintf("/leak.txt = %q, want the secret: the opt-out should export what was built", got)
	}
	if scanRan(&buildResult{statuses: r.statuses}) {
		return "the scan ran although verification was off"
	}
	groups := map[string]bool{}
	vertices := map[string]bool{}
	var warnings []*client.VertexWarning
	for _, s := range r.statuses {
		for _, v := range s.Vertexes {
			vertices[v.Digest.String()] = true
			if v.ProgressGroup != nil {
				groups[v.ProgressGroup.Id] = true
			}
		}
		for _, w := range s.Warnings {
			if strings.HasPrefix(string(w.Short), optOutWarning) {
				warnings = append(warnings, w)
			}
		}
	}
	if len(warnings) != 1 {
		return fmt.Sprintf("%d %s warnings in the status stream, want 1", len(warnings), optOutWarning)
	}
	if w := warnings[0].Vertex.String(); !groups[w] && !vertices[w] {
		return fmt.Sprintf("the warning is on %s, which is no vertex or progress group of the build", w)
	}
	if !plainWarnLine.MatchString(r.plain.String()) {
		return "the plain display did not draw the warning"
	}
	if !strings.Contains(r.tty, "WARN: "+optOutWarning) {
		return "the tty display did not draw the warning"
	}
	return ""
}

// plainWarnLine is the plain printer's line for the warning: "#N WARN: ",
// N the entry it is drawn under (the CLI's list after the build is " - ").
var plainWarnLine = regexp.MustCompile(`(?m)^#\d+ WARN: ` + regexp.QuoteMeta(optOutWarning))

func exportedLeak(dest string) string {
	dt, err := os.ReadFile(filepath.Join(dest, "leak.txt"))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(dt)
}

// runCLIConsole runs the binary with stdout and stderr on a terminal (tty)
// or a pipe and returns what it wrote, with its exit code.
func runCLIConsole(bin string, env []string, tty bool, args ...string) (string, int, error) {
	c := exec.Command(bin, args...)
	c.Dir = h.repo
	c.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	var master, slave *os.File
	read := make(chan struct{})
	if tty {
		var err error
		if master, slave, err = openConsole(); err != nil {
			return "", 0, err
		}
		defer master.Close()
		c.Stdout, c.Stderr = slave, slave
		go func() { defer close(read); _, _ = io.Copy(&out, master) }()
	} else {
		c.Stdout, c.Stderr = &out, &out
		close(read)
	}
	err := c.Run()
	if slave != nil {
		slave.Close()
	}
	<-read
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode(), nil
	}
	return out.String(), 0, err
}

// openConsole opens a pseudo-terminal, 300 columns wide so that no line
// of the tty display is cut: what is written to slave is read from master.
func openConsole() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	var n uint32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	size := struct{ rows, cols, x, y uint16 }{60, 300, 0, 0}
	if err := ioctl(slave, syscall.TIOCSWINSZ, unsafe.Pointer(&size)); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("setting the terminal size: %w", err)
	}
	return master, slave, nil
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}
