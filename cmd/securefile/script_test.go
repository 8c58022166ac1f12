package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The scripts in testdata/script run the real command as "securefile",
// in-process, and check its output, files and exit codes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"securefile": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
