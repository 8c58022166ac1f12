// Command securefile-tool is the small binary that runs the tools of
// package toolmode (the leak scanner, the secret digest, the ssh agent
// check) inside BuildKit, and nothing else. securefile build shares it
// with the daemon instead of the whole CLI (internal/toolbin carries a
// prebuilt one per linux architecture): a secret build then sends a few
// megabytes once, not the 35 MB CLI on every build.
//
// It is started the way the frontend starts every tool binary,
// "securefile-tool __securefile-tool --protocol=P NAME ARGS..."
// (toolmode.Command); any other command line is a usage error. It must
// link only the tools' packages: `go list -deps ./cmd/securefile-tool`
// has no BuildKit in it, which cmd/securefile-tool's test checks.
package main

import (
	"fmt"
	"os"

	// The packages that register the tools, by their init functions.
	_ "github.com/ourorg/securefile/internal/rotate"
	"github.com/ourorg/securefile/internal/toolmode" // also registers the ssh agent check
	_ "github.com/ourorg/securefile/internal/verify"
)

func main() {
	toolmode.Main(os.Args) // runs the tool and exits
	fmt.Fprintf(os.Stderr, "securefile-tool runs inside BuildKit as %s %s --protocol=%s NAME ARGS; it has no other use\n", os.Args[0], toolmode.Arg, toolmode.Protocol)
	os.Exit(2)
}
