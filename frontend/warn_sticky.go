package frontend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	digest "github.com/opencontainers/go-digest"
)

// stickyWarn sends a build warning that every progress display draws.
//
// A warning sent on dockerui's build-file vertex (Source.Warn) is in the
// status stream, but BuildKit's progressui often never draws it:
// trace.update files a warning under its vertex without marking the vertex
// for redrawing (statuses and logs do), the plain printer prints only
// marked vertices and the tty display reuses a vertex's cached rows. So a
// warning that arrives after its vertex was last drawn is dropped, and the
// build-file vertex completed before the file was even parsed; the warning
// showed only when it beat the display's 100 ms redraw limit, which
// concurrent builds and the Dockerfile frontend's forwarding (it loaded that
// vertex long before) make rare.
//
// So the warning gets a progress group of its own, and the stream is
// ordered to draw it: solve a first marker vertex in the group (the display
// now knows the group), warn on the group's id, solve a second marker in
// the group. A job's progress is one ordered pipe, and a solve returns only
// after its vertex records are in it, so the second marker's records come
// after the warning; they change the group (a new interval), which marks it
// for the plain printer and drops the tty display's cached rows, and the
// group is drawn with its warning. The first marker is the same op in
// every build (cached, shared by concurrent builds; every build that loads
// it gets its record) and a weak member, which keeps the group hidden until
// the second one reveals it, warning included: one entry, not two. The
// second carries a fresh nonce, so that it runs, and reports, even when
// this job already solved the markers once.
func stickyWarn(ctx context.Context, c client.Client, name, msg string, opts client.WarnOpts, co ...llb.ConstraintsOpt) error {
	id := digest.FromString("securefile.warning\x00" + name)
	marker := func(file string, data []byte, weak bool) error {
		group := llb.ProgressGroup(id.String(), name, weak)
		st := llb.Scratch().File(llb.Mkfile(file, 0o444, data), llb.WithCustomName(name), group)
		def, err := st.Marshal(ctx, co...)
		if err != nil {
			return err
		}
		_, err = c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), Evaluate: true})
		return err
	}
	if err := marker("/group", []byte(id.String()), true); err != nil {
		return fmt.Errorf("showing the warning %q: %w", name, err)
	}
	if opts.Level == 0 {
		opts.Level = 1
	}
	if err := c.Warn(ctx, id, msg, opts); err != nil {
		return fmt.Errorf("showing the warning %q: %w", name, err)
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("showing the warning %q: %w", name, err)
	}
	if err := marker("/drawn", []byte(hex.EncodeToString(nonce)), false); err != nil {
		return fmt.Errorf("showing the warning %q: %w", name, err)
	}
	return nil
}
