package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/migrate"
)

func runConvert(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("convert", "[--to dsl|toml] [-o FILE] [--allow-lossy] DOCKERFILE", stderr)
	to := fs.String("to", "dsl", "print the result in this syntax (dsl or toml)")
	out := fs.String("o", "", "write the result to this file instead of stdout")
	lossy := fs.Bool("allow-lossy", false, "accept a conversion that changes what the build does (the \"changed\" findings): print or write it and exit 0")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	syntax, err := grammar.ParseSyntax(*to)
	if err != nil {
		fmt.Fprintf(stderr, "securefile convert: --to: %v\n", err)
		return exitUsage
	}
	name := fs.Arg(0)
	src, err := readFile(name, os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "securefile convert: %v\n", err)
		return exitFindings
	}
	f, findings, err := migrate.Dockerfile(name, src)
	if err != nil {
		var pe *migrate.ParseError
		if errors.As(err, &pe) && pe.Line > 0 {
			fmt.Fprintf(stderr, "%s:%d: %v\n", name, pe.Line, pe.Err)
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
		}
		return exitFindings
	}
	changed := 0
	for _, fd := range findings {
		fmt.Fprintf(stderr, "%s:%s\n", name, fd)
		if fd.Changed {
			changed++
		}
	}
	if changed > 0 && !*lossy {
		// A file that builds something else than the Dockerfile must not
		// appear as if it were the conversion: nothing is written.
		what := "1 finding"
		if changed > 1 {
			what = fmt.Sprintf("%d findings", changed)
		}
		fmt.Fprintf(stderr, "securefile convert: %s: the conversion changes what the build does (%s marked \"changed\"); nothing written: review them, then accept them with --allow-lossy\n", name, what)
		return exitFindings
	}
	result := grammar.Format(f, syntax)
	if *out != "" {
		if err := os.WriteFile(*out, result, 0o644); err != nil {
			fmt.Fprintf(stderr, "securefile convert: %v\n", err)
			return exitFindings
		}
		return exitOK
	}
	stdout.Write(result)
	return exitOK
}
