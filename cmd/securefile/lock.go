package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ourorg/securefile/internal/lock"
)

// runLock asks the frontend, in-process against the daemon, for the lock
// of the build file (the lock subrequest: BuildKit resolves every source)
// and writes it next to the build file.
func runLock(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lock", "[flags] [CONTEXT]", stderr)
	var f buildFlags
	f.registerCommon(fs)
	fs.StringVar(&f.platform, "platform", "", "pin for these target `platforms`, comma-separated (default: the file's, else the daemon's)")
	fs.StringVar(&f.progress, "progress", "auto", "progress output: auto, tty, plain or quiet")
	fs.Var(&f.buildArgs, "build-arg", "build argument `KEY=VALUE` (repeatable), for references that use args")
	fs.Var(&f.ssh, "ssh", "ssh agent or keys `default|ID[=SOCKET|KEYS]` for git repositories over ssh (repeatable)")
	f.call = "lock"
	contextDir, opt, mode, code, ok := f.prepare(fs, args, "lock", stderr)
	if !ok {
		return code
	}
	file, err := buildFile(contextDir, f.file)
	if err != nil {
		fmt.Fprintln(stderr, "securefile lock:", err)
		return exitFindings
	}
	var out bytes.Buffer
	if code := doBuild(f, opt, mode, &out, stderr); code != exitOK {
		return code
	}
	// The frontend parses what it writes, but the file on disk is what
	// every later build reads: refuse to write one it would reject.
	path := filepath.Join(filepath.Dir(file), lock.FileName)
	if _, err := lock.Parse(path, out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "securefile lock: the frontend answered with an invalid lock: %v\n", err)
		return exitFindings
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, out.Bytes()) {
		fmt.Fprintf(stdout, "%s is up to date\n", path)
		return exitOK
	}
	if err := writeFileAtomic(path, out.Bytes()); err != nil {
		fmt.Fprintln(stderr, "securefile lock:", err)
		return exitFindings
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return exitOK
}

// writeFileAtomic replaces path in one rename, so that a build never reads
// half a lock.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".Securefile.lock.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
