// Command securefile is the command-line tool for Securefiles: it formats,
// converts and lints build files, prints the TOML schema, and (see docs/cli.md)
// builds them against a BuildKit daemon.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"

	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/internal/version"
)

// Exit codes shared by all commands.
const (
	exitOK       = 0
	exitFindings = 1 // errors in the input, or a --check that failed
	exitUsage    = 2
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands are every command of securefile, here and nowhere else, so
// that the list a reader sees is the list usage prints.
var commands = map[string]command{
	"build":   {"build a Securefile against a BuildKit daemon", runBuild},
	"convert": {"migrate a Dockerfile to a Securefile", runConvert},
	"fmt":     {"format a build file, or convert it to the other syntax", runFmt},
	"graph":   {"print the stage graph and its critical path (dot or mermaid)", runGraph},
	"lint":    {"check build files and print every finding", runLint},
	"llb":     {"print the LLB definition of a build, without a daemon", runLLB},
	"lock":    {"pin images, downloads and git refs in Securefile.lock", runLock},
	"outline": {"print the args, secrets, ssh and caches a target uses", runOutline},
	"schema":  {"print the JSON Schema of Securefile.toml", runSchema},
	"targets": {"list the stages and images a file can build", runTargets},
	"version": {"print the version", runVersion},
}

func main() {
	toolmode.Main(os.Args) // runs and exits when BuildKit starts this binary as a tool
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "securefile: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: securefile COMMAND [ARGS]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'securefile COMMAND -h' for a command's flags.")
}

func runVersion(_ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "securefile %s (language %s, %s/%s)\n", version.String(), version.Language, runtime.GOOS, runtime.GOARCH)
	return exitOK
}
