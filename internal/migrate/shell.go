package migrate

import (
	"fmt"
	"slices"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/ourorg/securefile/spec"
)

// SHELL. A Dockerfile's SHELL sets the shell of the shell-form RUN, CMD and
// ENTRYPOINT after it (each is wrapped in the shell when it is
// dispatched), and the image's Shell; a stage built on a stage starts with
// that stage's. A Securefile's shell is the stage's: the last SHELL of the
// stage becomes it, and a shell-form command that runs with another shell
// (one before a later SHELL) is written in exec form with that shell, as
// dockerfile2llb hands it on.

// defaultShell is the shell of a stage on an image without a Shell of its
// own (dockerfile2llb's defaultShell on Linux).
var defaultShell = []string{"/bin/sh", "-c"}

// execShell is the shell to write a shell-form command of the stage with
// in exec form, if it is not the stage's.
func (sc *scope) execShell() ([]string, bool) {
	if slices.Equal(sc.shell, sc.finalShell) {
		return nil, false
	}
	if sc.shell == nil {
		return slices.Clone(defaultShell), true
	}
	return slices.Clone(sc.shell), true
}

// lastShell is the shell of the last SHELL of cmds, or nil.
func lastShell(cmds []instructions.Command) []string {
	var sh []string
	for _, cmd := range cmds {
		if x, ok := cmd.(*instructions.ShellCommand); ok {
			sh = x.Shell
		}
	}
	return sh
}

// shell converts SHELL.
func (c *conv) shell(s *spec.Stage, sc *scope, x *instructions.ShellCommand, line int) {
	sc.shell = slices.Clone(x.Shell)
	if sc.finalShell == nil {
		// A SHELL of an ONBUILD trigger, the stage having none: it is the
		// stage's from here on.
		sc.finalShell = sc.shell
	}
	if slices.Equal(sc.shell, sc.finalShell) {
		s.Config.Shell = spec.ListOf(escapeAll(sc.shell)...)
	}
}

func escapeAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = escapeLit(s)
	}
	return out
}

// shebang converts RUN <<EOF whose script starts with "#!": BuildKit writes
// it to a file of mode 0755 named after the delimiter, mounts that at
// /dev/pipes and runs the file with the shell. The file comes from a stage
// of its own (a file step in a scratch stage), bound read-only there; the
// command is the file's path.
func (c *conv) shebang(s *spec.Stage, r *spec.Run, name, data string, line int) string {
	st := &spec.Stage{Name: spec.Of(c.helperStage(fmt.Sprintf("%s_heredoc_%d", s.Name.V, line))),
		From: spec.Source{Set: true, Kind: spec.SourceScratch}}
	st.Comments = []string{fmt.Sprintf(" the script of the RUN heredoc at Dockerfile line %d", line)}
	st.Steps = []spec.Step{&spec.Inline{Dest: spec.Of("/" + escapeLit(name)), Content: spec.Of(data), Raw: spec.Of(true), Chmod: spec.Of("0755")}}
	c.f.Stages = append(c.f.Stages, st)
	r.Binds = append(r.Binds, &spec.Bind{From: spec.Source{Set: true, Kind: spec.SourceStage, Name: st.Name}, Target: spec.Of("/dev/pipes")})
	c.note(line, "RUN <<%s starts with #!: the script is a file step of stage %s, bound at /dev/pipes and run as /dev/pipes/%s, as BuildKit does", name, st.Name.V, name)
	return "/dev/pipes/" + name
}

// helperStage is a stage name based on base that no stage of the
// Dockerfile has.
func (c *conv) helperStage(base string) string {
	name := sanitize(base)
	for c.used[name] || c.reserved[name] {
		name += "_"
	}
	c.used[name] = true
	return name
}
