// Command maxrss runs a command and writes its exit status and peak RSS
// (KiB) to stderr's last line as "maxrss: CODE KIB".
//
// The test binary cannot read a child's peak itself: os/exec starts a
// child with CLONE_VM, so the child's ru_maxrss starts at the spawning
// process's own high-water mark (tens of MB for the e2e binary), and a
// small CLI run reports the test's footprint. This launcher is a few MB,
// so the peak it reads is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: maxrss COMMAND [ARG]...")
		os.Exit(2)
	}
	c := exec.Command(os.Args[1], os.Args[2:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(2)
	}
	var kib int64
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		kib = ru.Maxrss
	}
	fmt.Fprintf(os.Stderr, "maxrss: %d %d\n", c.ProcessState.ExitCode(), kib)
	os.Exit(0)
}
