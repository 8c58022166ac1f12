//go:build toolbin

package toolbin

import (
	"embed"
	"io/fs"
)

// bin/* and not bin: a directory pattern leaves out files whose names
// start with '.' or '_', a glob keeps every file build.sh writes. The
// committed bin/README.md makes the pattern match in a tree without the
// prebuilt binaries.
//
//go:embed bin/*
var embedded embed.FS

var files fs.FS = embedded
