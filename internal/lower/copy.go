package lower

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/spec"
)

func (b *stageBuilder) copy(ctx context.Context, c *spec.Copy) error {
	l := b.l
	src, err := b.sourceState(ctx, c.From, or(c.From.Range, c.Range))
	if err != nil {
		return err
	}
	dest, err := b.expand(c.Dest, c.Range)
	if err != nil {
		return err
	}
	destPath := resolveDest(b.workingDir(), dest)
	info, flags, err := b.fileOwnership(c.Chown, c.Chmod, c.Range)
	if err != nil {
		return err
	}
	info.FollowSymlinks = true
	// A directory source copies its contents, not the directory itself,
	// as COPY does.
	info.CopyDirContentsOnly = true
	info.AllowWildcard = true
	// A pattern that matches nothing is an error, not an empty copy: a
	// renamed file must not silently drop out of the image.
	info.AllowEmptyWildcard = false
	// A tar archive (plain, gzip, bzip2, xz, zstd) is extracted at the
	// destination, with BuildKit's rules for ADD of a local archive; any
	// other file is copied as it is.
	info.AttemptUnpack = c.Unpack.Or(false)
	include, err := l.expandList(c.Include, c.Range)
	if err != nil {
		return err
	}
	exclude, err := l.expandList(c.Exclude, c.Range)
	if err != nil {
		return err
	}
	parents := c.Parents.Or(false)
	link := c.Link.Or(false)

	if from := describeFrom(c.From, l); from != "" {
		flags = append([]string{"--from=" + from}, flags...)
	}
	if link {
		flags = append(flags, "--link")
	}
	if parents {
		flags = append(flags, "--parents")
	}
	if info.AttemptUnpack {
		flags = append(flags, "--unpack")
	}

	var fa *llb.FileAction
	words := flags
	for _, it := range c.Sources.Items {
		s, err := b.expand(it, or(c.Sources.Range, c.Range))
		if err != nil {
			return err
		}
		words = append(words, s)
		ci := info
		srcPath := cleanAbs(s)
		ci.IncludePatterns, ci.ExcludePatterns = include, exclude
		if parents {
			srcPath, ci.IncludePatterns, ci.ExcludePatterns, ci.RequiredPaths = parentsCopy(s, include, exclude)
		}
		if fa == nil {
			fa = llb.Copy(src, srcPath, destPath, &ci)
		} else {
			fa = fa.Copy(src, srcPath, destPath, &ci)
		}
	}
	if fa == nil {
		return &Error{Range: c.Range, Err: fmt.Errorf("copy step without a source")}
	}
	words = append(words, dest)
	text := strings.Join(words, " ")
	name := b.name("COPY", text)
	if link {
		// The copy is made onto an empty layer and merged, so the layer
		// does not depend on what the stage had before it: a change
		// there neither invalidates nor copies it again (COPY --link).
		layer := llb.Scratch().File(fa, b.constraints(name, c.Range)...)
		merged := llb.Merge([]llb.State{b.state(), layer}, b.constraints(b.name("LINK", "COPY "+text), c.Range)...)
		b.out = merged.Output()
	} else {
		b.out = b.state().File(fa, b.constraints(name, c.Range)...).Output()
	}
	written := make([]string, 0, len(c.Sources.Items)+1)
	for _, it := range c.Sources.Items {
		written = append(written, it.V)
	}
	b.history("COPY "+writtenWords(flags, append(written, c.Dest.V)...), true)
	return nil
}

// parentsCopy lowers one source of a copy that keeps parent directories,
// as COPY --parents does: the copy starts at the root of the source (or at
// the part before a "/./" pivot) and the rest of the path becomes an
// include pattern, so the directories above each file are copied along.
// Include and exclude patterns, written relative to the source path, are
// moved below it.
func parentsCopy(src string, include, exclude []string) (srcPath string, inc, exc, required []string) {
	parent, pattern, ok := strings.Cut(src, "/./")
	if !ok {
		parent, pattern = "/", src
	}
	parent = cleanAbs(parent)
	pattern = strings.TrimPrefix(cleanAbs(pattern), "/")
	if pattern == "" {
		return parent, include, exclude, nil
	}
	if len(include) == 0 {
		inc = []string{pattern}
	}
	for _, p := range include {
		inc = append(inc, path.Join(pattern, p))
	}
	for _, p := range exclude {
		exc = append(exc, path.Join(pattern, p))
	}
	// Without wildcards the path names one file or directory, which must
	// exist; with them, matching nothing is reported by the copy itself.
	if !spec.HasWildcard(parent) && !spec.HasWildcard(pattern) {
		required = []string{path.Join(parent, pattern)}
	}
	return parent, inc, exc, required
}

// fileOwnership reads chown and chmod into a CopyInfo and the flags that
// describe them.
func (b *stageBuilder) fileOwnership(chown, chmod spec.Value[string], fb spec.Range) (llb.CopyInfo, []string, error) {
	l := b.l
	info := llb.CopyInfo{CreateDestPath: true, CreatedTime: l.opt.Epoch}
	var flags []string
	if chown.Set {
		v, err := b.expand(chown, fb)
		if err != nil {
			return info, nil, err
		}
		// User and group names are resolved by BuildKit against the
		// stage's /etc/passwd and /etc/group.
		if co, ok := llb.WithUser(v).(llb.ChownOpt); ok {
			info.ChownOpt = &co
		}
		flags = append(flags, "--chown="+v)
	}
	if chmod.Set {
		v, err := b.expand(chmod, fb)
		if err != nil {
			return info, nil, err
		}
		if info.Mode, err = chmodOpt(v); err != nil {
			return info, nil, &Error{Range: or(chmod.Range, fb), Err: err}
		}
		flags = append(flags, "--chmod="+v)
	}
	return info, flags, nil
}

// resolveDest resolves a destination against the working directory. A
// trailing "/" (or a destination that is "." or ends in "/.") means "into
// this directory" and is kept.
func resolveDest(wd, dest string) string {
	dir := dest == "" || dest == "." || strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, "/.")
	p := absIn(wd, dest)
	if dir && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func (l *lowerer) expandList(list spec.List[string], fb spec.Range) ([]string, error) {
	if len(list.Items) == 0 {
		return nil, nil
	}
	out := make([]string, len(list.Items))
	for i, it := range list.Items {
		v, err := l.args.expand(it, or(list.Range, fb))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// describeFrom names a copy source for progress and history, "" for the
// main context.
func describeFrom(src spec.Source, l *lowerer) string {
	switch {
	case isMainContext(src):
		return ""
	case src.Kind == spec.SourceImage:
		if v, err := l.args.expand(src.Name, src.Range); err == nil {
			return v
		}
	case src.Kind == spec.SourceNamedContext:
		return "context:" + src.Name.V
	}
	return src.Name.V
}
