package lock

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// header opens every lock file, so that a reader who finds one knows where
// it comes from and how to change it.
const header = `# Securefile.lock: the images, downloads and git commits the build uses,
# pinned. Written by "securefile lock"; run it again to update the pins.
`

// Marshal is the lock in its canonical form: the same lock gives the same
// bytes, entries sorted, one value per line.
func Marshal(f *File) []byte {
	c := *f
	c.Images = append([]*Image(nil), f.Images...)
	c.HTTP = append([]*HTTP(nil), f.HTTP...)
	c.Git = append([]*Git(nil), f.Git...)
	c.Sort()

	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "version = %d\n", Version)
	fmt.Fprintf(&b, "salt = %s\n", quote(hex.EncodeToString(c.Salt)))
	for _, im := range c.Images {
		b.WriteString("\n[[image]]\n")
		fmt.Fprintf(&b, "ref = %s\n", quote(im.Ref))
		fmt.Fprintf(&b, "index = %s\n", quote(im.Index.String()))
		b.WriteString("[image.platforms]\n")
		ps := make([]string, 0, len(im.Platforms))
		for p := range im.Platforms {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		for _, p := range ps {
			fmt.Fprintf(&b, "%s = %s\n", quote(p), quote(im.Platforms[p].String()))
		}
	}
	for _, h := range c.HTTP {
		b.WriteString("\n[[http]]\n")
		fmt.Fprintf(&b, "url = %s\n", quote(h.URL))
		fmt.Fprintf(&b, "checksum = %s\n", quote(h.Checksum.String()))
	}
	for _, g := range c.Git {
		b.WriteString("\n[[git]]\n")
		fmt.Fprintf(&b, "url = %s\n", quote(g.URL))
		fmt.Fprintf(&b, "ref = %s\n", quote(g.Ref))
		fmt.Fprintf(&b, "commit = %s\n", quote(g.Commit))
	}
	return b.Bytes()
}

// quote is a TOML basic string. Go's strconv.Quote is not one: its \x and
// \a escapes are not TOML.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == utf8.RuneError, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
