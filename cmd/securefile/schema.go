package main

import (
	"io"

	"github.com/ourorg/securefile/grammar/tomlfile"
)

func runSchema(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schema", "", stderr)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	stdout.Write(tomlfile.Schema())
	return exitOK
}
