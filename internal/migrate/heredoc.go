package migrate

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/ourorg/securefile/spec"
)

// Heredocs of COPY and ADD. BuildKit writes each heredoc to a file named
// after its delimiter (mode 0644, owned by root) and copies that file to
// the destination with the instruction's --chmod and --chown: into it when
// the destination ends in "/" (required for several sources), else as it.
// Each becomes a file step: raw for a quoted delimiter (<<'EOF', <<"EOF"),
// else a template with what BuildKit expands in it. The parser has already
// stripped the tabs of <<-EOF.

// heredocs converts the heredoc sources of a COPY or ADD (what) to file
// steps of s.
func (c *conv) heredocs(s *spec.Stage, sc *scope, what string, sd instructions.SourcesAndDest, chown, chmod string, link bool, exclude []string, line int) {
	if len(sd.SourceContents) == 0 {
		return
	}
	if link {
		// --link changes how the layer is made, not the files.
		c.note(line, "%s --link: a file step has no link option; its file is the same", what)
	}
	dest := c.val(sc, line, sd.DestPath)
	for _, src := range sd.SourceContents {
		if excluded(src.Path, exclude) {
			// BuildKit's copy of the heredoc's file applies the
			// patterns to its name.
			c.changed(line, "%s <<%s: --exclude matches the heredoc's name, so BuildKit copies nothing for it; the file step writes it", what, src.Path)
		}
		f := &spec.Inline{Dest: spec.Of(dest)}
		if dirDest(sd.DestPath) && !strings.HasSuffix(dest, "/") {
			dest += "/"
		}
		if dirDest(sd.DestPath) {
			f.Dest = spec.Of(dest + escapeLit(src.Path))
		}
		if src.Expand {
			f.Content = spec.Of(c.heredocValue(sc, line, src.Data))
		} else {
			f.Content = spec.Of(src.Data)
			f.Raw = spec.Of(true)
		}
		if chown != "" {
			f.Chown = spec.Of(c.val(sc, line, chown))
		}
		if chmod != "" {
			f.Chmod = spec.Of(c.val(sc, line, chmod))
		}
		s.Steps = append(s.Steps, f)
	}
	c.note(line, "%s of a heredoc converted to a file step per heredoc", what)
}

// dirDest reports whether a destination names a directory whatever the
// stage holds: it ends in "/", or is "." or ".." (the working directory,
// its parent). BuildKit copies into a destination that is an existing
// directory too, which the conversion cannot see; the file step then
// writes the file of that name.
func dirDest(d string) bool {
	if strings.HasSuffix(d, "/") {
		return true
	}
	b := d
	if i := strings.LastIndex(d, "/"); i >= 0 {
		b = d[i+1:]
	}
	return b == "." || b == ".."
}

// excluded reports whether an exclude pattern matches name (a heredoc's,
// one path component).
func excluded(name string, patterns []string) bool {
	for _, p := range patterns {
		if ok, err := path.Match(strings.TrimPrefix(p, "/"), name); err == nil && ok {
			return true
		}
	}
	return false
}
