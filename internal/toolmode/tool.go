// Package toolmode holds the small programs that securefile runs inside
// BuildKit, in a container of its own: the leak scanner and the secret
// digest for rotation. They must never run in the frontend process,
// because they read secret values, which the frontend must never see.
//
// Every securefile binary carries every tool: the frontend binary, the
// CLI, and cmd/securefile-tool, which carries nothing else (3.7 MB; the
// CLI embeds it per linux architecture, internal/toolbin, and shares it
// instead of itself). When a binary is started as
// "<binary> __securefile-tool --protocol=P NAME ARGS..." (Command), Main
// runs that tool instead of the program. The frontend mounts its own image
// (or the securefile image the client names, or, in-process, the static
// CLI binary the client shares) and runs it that way, so the tools work
// whatever the user's base image is, scratch and distroless included.
package toolmode

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Arg is the first argument that selects tool mode.
const Arg = "__securefile-tool"

// Protocol is the version of what the frontend and the tools say to each
// other: the tools' arguments and what they write (the scanner's JSON
// report, the digest file). The tool binary can come from an image of
// another securefile version than the frontend's (securefile build
// --tool-image, --opt securefile-tool-image), and a report read by a
// frontend that does not know all of it could pass a leak (encoding/json
// skips fields it does not know). So the frontend names the protocol on
// every command line and a tool runs only for its own: a tool of another
// protocol, or one from before there was a protocol (it takes the
// argument for an unknown tool name), exits 2 and the build fails. Bump
// it with any change to a tool's arguments or output.
const Protocol = "1"

// protocolPrefix starts the argument after Arg that names the protocol.
const protocolPrefix = "--protocol="

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
// tool's container), for this Protocol.
func Command(binary, name string, args ...string) []string {
	return append([]string{binary, Arg, protocolPrefix + Protocol, name}, args...)
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
	if len(args) == 0 || !strings.HasPrefix(args[0], protocolPrefix) {
		fmt.Fprintf(stderr, "securefile tool: the caller names no tool protocol; this binary speaks protocol %s: the frontend and the tool image must be the same securefile version\n", Protocol)
		return 2
	}
	if p := strings.TrimPrefix(args[0], protocolPrefix); p != Protocol {
		fmt.Fprintf(stderr, "securefile tool: the caller speaks tool protocol %q and this binary %s: the frontend and the tool image must be the same securefile version\n", p, Protocol)
		return 2
	}
	args = args[1:]
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
