package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/grammar"
)

func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fmt", "[-w | --check] [--to toml|dsl] [--syntax toml|dsl] FILE...", stderr)
	write := fs.Bool("w", false, "write the result back to the file instead of printing it")
	check := fs.Bool("check", false, "print the names of files that are not formatted and exit 1 if any")
	to := fs.String("to", "", "convert to this syntax (toml or dsl) instead of formatting in place")
	forced := fs.String("syntax", "", "read the input as this syntax (default: from the file name; stdin is dsl)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	if *write && *check {
		fmt.Fprintln(stderr, "securefile fmt: -w and --check cannot be used together")
		return exitUsage
	}
	var target *grammar.Syntax
	if *to != "" {
		s, err := grammar.ParseSyntax(*to)
		if err != nil {
			fmt.Fprintf(stderr, "securefile fmt: --to: %v\n", err)
			return exitUsage
		}
		target = &s
		if *write || *check {
			fmt.Fprintln(stderr, "securefile fmt: --to prints the converted file; it cannot be combined with -w or --check")
			return exitUsage
		}
	}
	code := exitOK
	for _, name := range fs.Args() {
		if c := fmtOne(name, *forced, target, *write, *check, stdout, stderr); c > code {
			code = c
		}
	}
	return code
}

func fmtOne(name, forced string, target *grammar.Syntax, write, check bool, stdout, stderr io.Writer) int {
	in, err := readInput(name, forced, os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "securefile fmt: %v\n", err)
		return exitFindings
	}
	f, diags := grammar.Parse(in.name, in.src, in.syntax)
	if diags.HasErrors() {
		fmt.Fprintln(stderr, diags.Errors().String())
		return exitFindings
	}
	out := in.syntax
	if target != nil {
		out = *target
	}
	formatted := grammar.Format(f, out)
	switch {
	case check:
		if !bytes.Equal(formatted, in.src) {
			fmt.Fprintln(stdout, in.name)
			return exitFindings
		}
	case write && name != "-":
		if bytes.Equal(formatted, in.src) {
			return exitOK
		}
		info, err := os.Stat(name)
		if err != nil {
			fmt.Fprintf(stderr, "securefile fmt: %v\n", err)
			return exitFindings
		}
		if err := os.WriteFile(name, formatted, info.Mode().Perm()); err != nil {
			fmt.Fprintf(stderr, "securefile fmt: %v\n", err)
			return exitFindings
		}
	default:
		stdout.Write(formatted)
	}
	return exitOK
}
