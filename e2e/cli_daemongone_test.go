//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIDaemonGoneMidBuild kills a second buildkitd while
// `securefile build` waits on a step, and checks that the CLI says the
// daemon at that address went away and what to check, not only gRPC's
// "rpc error: code = Unavailable desc = error reading from server: EOF"
// (issue 11), that it exits 1, and that the output directory is left
// empty.
func TestCLIDaemonGoneMidBuild(t *testing.T) {
	t.Parallel()
	bin := buildCLI(t)
	addr := startDaemon(t)
	pid := daemonPID(t, addr)

	// The step prints a word its command text does not hold (so the
	// progress line that shows the command does not match), then sleeps.
	ctxDir := t.TempDir()
	word := "gone-" + nonce(t, 4)
	src := "# syntax=ourorg/securefile\n" +
		"arg BASE = \"busybox:1.36\"\n" +
		"image app from \"${BASE}\" {\n" +
		"  run \"printf 'daemon%s\\\\n' " + word + " && sleep 30 && echo done > /done\"\n" +
		"}\n"
	// The step's shell outlives the killed daemon (runc leaves the
	// container running); end it before the daemon's cleanup unmounts its
	// root (cleanups run last first).
	t.Cleanup(func() { killStep(t, word) })
	if err := os.WriteFile(filepath.Join(ctxDir, "Securefile"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "out")

	c := exec.Command(bin, "build", "--addr", addr, "--progress", "plain",
		"--build-arg", "BASE="+h.base, "--output", "type=local,dest="+dest, ctxDir)
	c.Dir = h.repo
	stderrPipe, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	c.Stdout = &stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	started := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderrPipe)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		once := false
		for sc.Scan() {
			line := sc.Text()
			stderr.Write([]byte(line + "\n"))
			if !once && strings.Contains(line, "daemongone-") {
				once = true
				close(started)
			}
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-read
		exited <- c.Wait()
	}()

	select {
	case <-started:
	case err := <-exited:
		t.Fatalf("securefile build ended before the step started (%v):\n%s", err, stderr.String())
	case <-time.After(3 * time.Minute):
		_ = c.Process.Kill()
		<-exited
		t.Fatalf("the step did not start in 3 minutes:\n%s", stderr.String())
	}
	// The daemon dies as a crash or an OOM kill ends it: SIGKILL to its
	// process group (it and the runc processes it started).
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing buildkitd %d: %v", pid, err)
	}

	var waitErr error
	select {
	case waitErr = <-exited:
	case <-time.After(time.Minute):
		_ = c.Process.Kill()
		<-exited
		t.Fatalf("securefile build still runs a minute after the daemon died:\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		t.Fatalf("securefile build: %v, want exit code 1 after the daemon died:\n%s", waitErr, stderr.String())
	}
	if code := ee.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	out := stderr.String()
	t.Logf("securefile build after the daemon died:\n%s", out)
	for _, want := range []string{
		"securefile build: the BuildKit daemon at " + addr + " went away during the build",
		"Check the daemon's log for why it stopped",
		"that it is running again, and that --addr or BUILDKIT_HOST points at it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// The gRPC text may appear inside the message, never as a line of
	// its own that would be all the user is told.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "rpc error: code = Unavailable") && !strings.Contains(line, "went away") {
			t.Errorf("a raw gRPC error line: %q\n%s", line, out)
		}
	}
	// Nothing was built: the step never finished, and nothing is exported.
	if entries, err := os.ReadDir(dest); err == nil && len(entries) > 0 {
		t.Errorf("%s holds %d entries after a failed build, want none", dest, len(entries))
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Error(err)
	}
}

// daemonPID is the pid of the buildkitd that startDaemon started on addr,
// found by its --addr argument (startDaemon keeps its *exec.Cmd to
// itself; its cleanup still reaps the process and unmounts what it left).
func daemonPID(t *testing.T, addr string) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		dt, err := os.ReadFile(p)
		if err != nil {
			continue // the process ended
		}
		args := strings.Split(strings.TrimRight(string(dt), "\x00"), "\x00")
		if filepath.Base(args[0]) != "buildkitd" {
			continue
		}
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "--addr" && args[i+1] == addr {
				pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
				if err != nil {
					t.Fatal(err)
				}
				return pid
			}
		}
	}
	t.Fatalf("no buildkitd process listens on %s", addr)
	return 0
}

// killStep ends the container processes of the step whose command holds
// word: each is killed with its process group (the container's shell
// leads it), and killStep waits up to 10 s for them to be gone.
func killStep(t *testing.T, word string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := processesWith(word)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			if pgid, err := syscall.Getpgid(pid); err == nil && pgid > 1 {
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if time.Now().After(deadline) {
			t.Logf("the step's processes %v are still running", pids)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processesWith are the pids whose command line holds word.
func processesWith(word string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range procs {
		dt, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(dt), word) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}
