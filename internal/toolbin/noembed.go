//go:build !toolbin

package toolbin

import "io/fs"

// files is nil without the tag toolbin: the CLI embeds no tool (embed.go).
var files fs.FS
