package lower

import (
	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/spec"
)

// SSHUse is a required ssh agent that a lowered run step forwards, once
// per id.
type SSHUse struct {
	// ID is the id the client forwards the agent under (--ssh ID=...).
	ID string
	// Range is the first required declaration with this id.
	Range spec.Range
	// Check is a step that only forwards the agent: BuildKit asks the
	// client for it when the step's mounts are made. The frontend solves
	// it before the build, so that an agent the client did not forward
	// fails the build before any step runs. Nil when the build has no
	// tool to run it from (Options.ToolState).
	Check *llb.State
}

// sshCheckSocket is where the check step finds the agent, in a directory
// of its own inside the tool's filesystem.
const sshCheckSocket = "/run/securefile-ssh-check/agent"

// useSSH records a required agent a run step forwards and, when the build
// has a tool and keys secrets on digests (the frontend), its check step.
// Like a digest step, the check carries the build's nonce, so it is never
// a cache hit and always asks the client.
func (l *lowerer) useSSH(d *spec.SSH, id string) {
	if !d.IsRequired() {
		return
	}
	if _, seen := l.sshIndex[id]; seen {
		return
	}
	if l.sshIndex == nil {
		l.sshIndex = map[string]int{}
	}
	l.sshIndex[id] = len(l.sshUses)
	use := SSHUse{ID: id, Range: d.Range}
	if l.opt.SecretDigests && l.opt.ToolState != nil && l.opt.ToolPath != "" && l.opt.RotationNonce != "" {
		cons := []llb.ConstraintsOpt{llb.Platform(l.buildPlatform)}
		if loc := l.location(d.Range); loc != nil {
			cons = append(cons, loc)
		}
		ro := []llb.RunOption{
			llb.Args(l.toolCommand(toolmode.SSHCheckName, sshCheckSocket)),
			llb.Dir("/"),
			llb.AddSSHSocket(llb.SSHID(id), llb.SSHSocketOpt(sshCheckSocket, 0, 0, 0o600)),
			llb.Network(llb.NetModeNone),
			llb.AddEnv("SECUREFILE_BUILD_NONCE", l.opt.RotationNonce),
			llb.WithCustomName("[internal] ssh agent " + id + " is forwarded"),
		}
		for _, c := range cons {
			ro = append(ro, c)
		}
		st := l.runTool(ro...).Root()
		use.Check = &st
	}
	l.sshUses = append(l.sshUses, use)
}
