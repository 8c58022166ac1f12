package lower

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	mode "github.com/tonistiigi/dchapes-mode"

	"github.com/ourorg/securefile/spec"
)

// inline lowers a file step as dockerfile2llb lowers a heredoc COPY
// (COPY <<EOF /dest): the content is made a file of mode 0644 on an empty
// filesystem, which is then copied to the destination with the step's
// mode and owner, creating the missing parent directories (0755, owned
// as the file) as COPY does. The result is one layer, and the same
// files, modes and owners as the Dockerfile's.
func (b *stageBuilder) inline(st *spec.Inline) error {
	dest, err := b.expand(st.Dest, st.Range)
	if err != nil {
		return err
	}
	if len(st.Files) > 0 {
		return b.inlineFiles(st, dest)
	}
	if strings.TrimSpace(dest) == "" || namesDir(dest) {
		return &Error{Range: or(st.Dest.Range, st.Range), Err: fmt.Errorf("file destination %q is not the path of a file", dest)}
	}
	content, err := b.inlineContent(st.Content, st.Raw, st.Range)
	if err != nil {
		return err
	}
	info, flags, err := b.fileOwnership(st.Chown, st.Chmod, st.Range)
	if err != nil {
		return err
	}
	destPath := absIn(b.workingDir(), dest)
	text := strings.Join(append(flags, dest), " ")
	doc, name := b.inlineDoc(destPath, content, st.Range)
	fa := llb.Copy(doc, name, destPath, &info)
	b.out = b.state().File(fa, b.constraints(b.name("FILE", text), st.Range)...).Output()
	b.history("FILE "+writtenWords(flags, st.Dest.V), true)
	return nil
}

// inlineFiles lowers a file step with files as dockerfile2llb lowers
// COPY <<a <<b /dir/: each file made on an empty filesystem, then all
// copied into the destination directory by one FileOp, one layer, each
// with its own mode and owner (the step's unless it sets its own).
func (b *stageBuilder) inlineFiles(st *spec.Inline, dest string) error {
	if !namesDir(dest) {
		return &Error{Range: or(st.Dest.Range, st.Range), Err: fmt.Errorf("file destination %q of a file step with files is not a directory", dest)}
	}
	dir := absIn(b.workingDir(), dest)
	var fa *llb.FileAction
	var written []string
	var stepFlags []string
	for i, f := range st.Files {
		if f == nil {
			return &Error{Range: st.Range, Err: fmt.Errorf("file %d of the file step is empty", i+1)}
		}
		fr := or(f.Range, st.Range)
		p, err := b.expand(f.Path, fr)
		if err != nil {
			return err
		}
		if clean := path.Clean(p); strings.TrimSpace(p) == "" || path.IsAbs(p) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || namesDir(p) {
			return &Error{Range: or(f.Path.Range, fr), Err: fmt.Errorf("file path %q is not the path of a file in the destination directory", p)}
		}
		raw := f.Raw
		if !raw.Set {
			raw = st.Raw
		}
		content, err := b.inlineContent(f.Content, raw, fr)
		if err != nil {
			return err
		}
		chown, chmod := f.Chown, f.Chmod
		if !chown.Set {
			chown = st.Chown
		}
		if !chmod.Set {
			chmod = st.Chmod
		}
		info, flags, err := b.fileOwnership(chown, chmod, fr)
		if err != nil {
			return err
		}
		if i == 0 {
			stepFlags = flags
		}
		// Copied into its directory, named as the document, as
		// dockerfile2llb copies each heredoc into the destination.
		destPath := path.Join(dir, p)
		into := path.Dir(destPath)
		if into != "/" {
			into += "/"
		}
		doc, name := b.inlineDoc(destPath, content, fr)
		if fa == nil {
			fa = llb.Copy(doc, name, into, &info)
		} else {
			fa = fa.Copy(doc, name, into, &info)
		}
		written = append(written, f.Path.V)
	}
	text := strings.Join(append(append(slices.Clone(stepFlags), written...), dest), " ")
	b.out = b.state().File(fa, b.constraints(b.name("FILE", text), st.Range)...).Output()
	b.history("FILE "+writtenWords(stepFlags, append(written, st.Dest.V)...), true)
	return nil
}

// inlineContent is the content of a written file: expanded unless raw. A
// raw content is taken as written, "${" and "$${" included.
func (b *stageBuilder) inlineContent(content spec.Value[string], raw spec.Value[bool], fb spec.Range) (string, error) {
	if raw.Or(false) {
		return content.V, nil
	}
	return b.expand(content, fb)
}

// inlineDoc makes content a file of mode 0644 on an empty filesystem, as
// dockerfile2llb makes a heredoc, named as the file it becomes.
func (b *stageBuilder) inlineDoc(destPath, content string, fb spec.Range) (llb.State, string) {
	name := "/" + path.Base(destPath)
	var mk []llb.MkfileOption
	if e := b.l.opt.Epoch; e != nil {
		mk = append(mk, llb.WithCreatedTime(*e))
	}
	doc := llb.Scratch().File(llb.Mkfile(name, 0o644, []byte(content), mk...),
		b.constraints("[internal] preparing inline document "+destPath, fb)...)
	return doc, name
}

// namesDir reports whether a destination names a directory rather than
// a file (the checker refuses it for a file step).
func namesDir(dest string) bool {
	return strings.HasSuffix(dest, "/") || dest == "." || dest == ".." || strings.HasSuffix(dest, "/.") || strings.HasSuffix(dest, "/..")
}

// chmodOpt reads the mode of copied or written files as dockerfile2llb
// reads --chmod: octal up to 07777, else symbolic ("u+x", "go-w",
// "u=rw,g=r,o=r", "a+X"), which BuildKit applies to each file's own mode.
func chmodOpt(v string) (*llb.ChmodOpt, error) {
	if n, err := strconv.ParseUint(v, 8, 32); err == nil {
		if n > 0o7777 {
			return nil, fmt.Errorf("invalid chmod %q: an octal mode is between 0 and 07777", v)
		}
		return &llb.ChmodOpt{Mode: os.FileMode(n)}, nil
	}
	if strings.TrimSpace(v) == "" || strings.Trim(v, "0123456789") == "" {
		return nil, fmt.Errorf("invalid chmod %q: an octal number between 0 and 07777, or a symbolic mode such as \"u+x\"", v)
	}
	if _, err := mode.Parse(v); err != nil {
		return nil, fmt.Errorf("invalid chmod %q: neither an octal number between 0 and 07777 nor a symbolic mode such as \"u+x\": %w", v, err)
	}
	return &llb.ChmodOpt{ModeStr: v}, nil
}
