package lower

import (
	"fmt"
	"os"
	"path"
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
	if strings.TrimSpace(dest) == "" || namesDir(dest) {
		return &Error{Range: or(st.Dest.Range, st.Range), Err: fmt.Errorf("file destination %q is not the path of a file", dest)}
	}
	content := st.Content.V
	if !st.Raw.Or(false) {
		// A raw content is taken as written, "${" and "$${" included.
		if content, err = b.expand(st.Content, st.Range); err != nil {
			return err
		}
	}
	info, flags, err := b.fileOwnership(st.Chown, st.Chmod, st.Range)
	if err != nil {
		return err
	}
	destPath := absIn(b.workingDir(), dest)
	name := "/" + path.Base(destPath)
	var mk []llb.MkfileOption
	if e := b.l.opt.Epoch; e != nil {
		mk = append(mk, llb.WithCreatedTime(*e))
	}
	text := strings.Join(append(flags, dest), " ")
	doc := llb.Scratch().File(llb.Mkfile(name, 0o644, []byte(content), mk...),
		b.constraints("[internal] preparing inline document "+destPath, st.Range)...)
	fa := llb.Copy(doc, name, destPath, &info)
	b.out = llb.NewState(b.out).File(fa, b.constraints(b.name("FILE", text), st.Range)...).Output()
	b.history("FILE "+writtenWords(flags, st.Dest.V), true)
	return nil
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
