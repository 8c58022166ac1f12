// Package toolmode holds the small programs that securefile runs inside
// BuildKit, in a container of its own: the leak scanner and the secret
// digest for rotation. They must never run in the frontend process,
// because they read secret values, which the frontend must never see.
//
// There is no separate binary. Both the frontend binary and the CLI are
// static, and each carries every tool: when a binary is started as
// "<binary> __securefile-tool NAME ARGS...", Main runs that tool instead of
// the program. The frontend mounts its own image (or, in-process, the CLI
// binary the client shares) and runs itself that way, so the tools work
// whatever the user's base image is, scratch and distroless included.
package toolmode

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Arg is the first argument that selects tool mode.
const Arg = "__securefile-tool"

// Func runs a tool with its arguments and returns the exit code.
type Func func(args []string, stdout, stderr io.Writer) int

var tools = map[string]Func{}

// Register adds a tool; packages call it from init.
func Register(name string, f Func) {
	if _, dup := tools[name]; dup {
		panic("tool: " + name + " registered twice")
	}
	tools[name] = f
}

// Command is the argv that runs tool name from binary (a path inside the
// tool's container).
func Command(binary, name string, args ...string) []string {
	return append([]string{binary, Arg, name}, args...)
}

// Main runs a tool and exits when args (os.Args) ask for one; otherwise it
// returns and the program goes on.
func Main(args []string) {
	if len(args) < 2 || args[1] != Arg {
		return
	}
	os.Exit(run(args[2:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "securefile tool: no tool named; have:", names())
		return 2
	}
	f, ok := tools[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "securefile tool: unknown tool %q; have: %v\n", args[0], names())
		return 2
	}
	return f(args[1:], stdout, stderr)
}

func names() []string {
	out := make([]string, 0, len(tools))
	for n := range tools {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
