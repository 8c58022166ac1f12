package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/grammar"
)

// input is one build file named on the command line; "-" is stdin.
type input struct {
	name   string
	src    []byte
	syntax grammar.Syntax
}

// readInput reads a file and decides its syntax: forced by --syntax when
// given, otherwise from the name (stdin defaults to the DSL).
func readInput(name, forced string, stdin io.Reader) (input, error) {
	in := input{name: name, syntax: grammar.Detect(name)}
	var err error
	if name == "-" {
		in.name = "<stdin>"
		in.src, err = io.ReadAll(stdin)
	} else {
		in.src, err = os.ReadFile(name)
	}
	if err != nil {
		return in, err
	}
	if forced != "" {
		in.syntax, err = grammar.ParseSyntax(forced)
	}
	return in, err
}

// newFlags makes a FlagSet whose errors and -h go to stderr with a usage
// line, and that never exits the process.
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: securefile %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses and maps -h to success and bad flags to exitUsage;
// done is true when the command should return code right away.
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return exitOK, true
	case err != nil:
		return exitUsage, true
	}
	return exitOK, false
}
