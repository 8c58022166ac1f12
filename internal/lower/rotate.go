package lower

import (
	"fmt"
	"path"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/internal/rotate"
	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/spec"
)

// RotateDir is where a run step finds, read-only, the digest of each
// rotated secret it uses: one file per secret, named for the secret's
// declaration (names are plain words; ids need not be).
const RotateDir = "/run/securefile/rotate"

// Paths inside the digest step, which runs in the tool's filesystem and
// never in the user's. They are under a directory of their own: the tool's
// binary may be at the root under any name (in-process, "/securefile").
const (
	rotateSaltPath   = "/run/securefile-rotate/salt"
	rotateSecretPath = "/run/securefile-rotate/secret"
	rotateOutDir     = "/run/securefile-rotate/out"
	rotateOutFile    = "digest"
	rotateSaltDir    = "/run/securefile-rotate/daemon-salt"
	rotateEpochDir   = "/run/securefile-rotate/verdict-epoch"
)

// VerdictFile is, in the output of a secret's digest step (SecretUse.Digest),
// the file that holds the secret's verdict key when Options.VerdictKeys is
// set. The leak scan mounts it read-only, so that BuildKit keys the scan on
// its content.
const VerdictFile = "/" + rotateOutFile + rotate.VerdictSuffix

// VerdictEpochCacheID is the cache mount that keeps the daemon's verdict
// epoch (rotate.Epoch). Like the daemon salt's, it never leaves the daemon.
const VerdictEpochCacheID = "securefile-verdict-epoch"

// DaemonSaltCacheID is the cache mount that keeps the daemon's own salt
// for the secret digests of builds without a project salt
// (rotate.DaemonSalt). A cache mount never leaves the daemon.
const DaemonSaltCacheID = "securefile-secret-digest-salt"

// rotation makes the current run step depend on the value of a secret it
// mounts, without that value entering a cache key or the definition: for
// every secret when Options.SecretDigests is set (the frontend), else for
// a secret declared with rotate = true.
//
// BuildKit leaves secrets out of cache keys (moby/buildkit#2547), so a
// step that mounts a secret is a cache hit of a run with any other value
// of it, and a layer that holds an earlier value would be exported past a
// leak scan that looks for the current one. So a step of its own, run
// from the tool with the secret mounted, writes a salted HMAC of the value
// to a file, and the using step mounts that file read-only. BuildKit keys
// a read-only mount by the content it selects
// (solver/llbsolver/ops/exec.go), so the using step is rebuilt exactly
// when the digest changes.
//
// The digest step must run on every build, because its definition is the
// same whatever the value. Ignoring the cache makes it run, but is not
// enough: a consumer's cache record is also linked to the definition-based
// key of the step, and when BuildKit computes the content key of a
// dependency it links that key to whatever the definition key found
// (solver/edge.go, "connect def key to slow key"), so a new digest would
// be tied to the record of the old one. The build's nonce in the digest
// step's definition gives it a key no earlier build had; the content of
// the digest is then the only thing a consumer can match on. (A local
// source, the in-process tool, has a per-session key and behaves the same
// way without the nonce; the frontend image does not.)
//
// The salt is the project's (Securefile.lock), so that builders sharing a
// registry cache share these steps; without a lock it is the daemon's own
// (rotate.DaemonSalt), so that the steps are cached per daemon and a cache
// imported from another daemon never provides them. rotate = true asks for
// the project's salt.
//
// One digest step per secret id serves every step and stage of the
// platform being lowered.
func (b *stageBuilder) rotation(d *spec.Secret, id string) (llb.RunOption, error) {
	l := b.l
	at := or(d.Rotate.Range, d.Range)
	if d.Rotate.Or(false) && len(l.opt.RotationSalt) == 0 {
		return nil, &Error{Range: at, Err: fmt.Errorf("secret %q has rotate = true, but the project has no rotation salt: run `securefile lock` next to the build file to create Securefile.lock, which holds one, and build again", d.Name.V)}
	}
	if l.opt.ToolState == nil || l.opt.ToolPath == "" {
		const what = "secret %q is mounted by a step, which is keyed on a digest of the secret's value so that a changed value rebuilds it, and this build has no securefile tool to compute the digest with"
		if l.opt.NoTool != nil {
			return nil, &Error{Range: at, Err: fmt.Errorf(what+": %w", d.Name.V, l.opt.NoTool)}
		}
		return nil, &Error{Range: at, Err: fmt.Errorf(what+": run the frontend from its image (a \"# syntax=\" line, or gateway.v0 with a source), or, in-process, share a static securefile binary as the local \"securefile-tool\" and name it with --opt securefile-tool=NAME (securefile build does this)", d.Name.V)}
	}
	if l.opt.RotationNonce == "" {
		return nil, &Error{Range: at, Err: fmt.Errorf("internal error: the caller gave no build nonce for the digest step of secret %q", d.Name.V)}
	}
	st, ok := l.rotations[id]
	if !ok {
		if l.rotations == nil {
			l.rotations = map[string]llb.State{}
		}
		st = l.digestStep(d, id)
		l.rotations[id] = st
	}
	return llb.AddMount(path.Join(RotateDir, d.Name.V), st, llb.SourcePath("/"+rotateOutFile), llb.Readonly), nil
}

// digestStep is the step that computes the digest of secret id. It runs
// on the build platform, which the tool is built for, and has no network.
// The secret is mounted as a file even when the steps get it as an
// environment variable: the tool reads files, and this step is ours.
func (l *lowerer) digestStep(d *spec.Secret, id string) llb.State {
	cons := []llb.ConstraintsOpt{llb.Platform(l.buildPlatform)}
	if loc := l.location(d.Range); loc != nil {
		cons = append(cons, loc)
	}
	secret := []llb.SecretOption{llb.SecretID(id), llb.SecretFileOpt(0, 0, 0o400)}
	if !d.IsRequired() {
		secret = append(secret, llb.SecretOptional)
	}
	ta := rotate.ToolArgs{Secrets: []rotate.Secret{{ID: id, In: rotateSecretPath, Out: path.Join(rotateOutDir, rotateOutFile)}}}
	var saltMount llb.RunOption
	if len(l.opt.RotationSalt) > 0 {
		salt := llb.Scratch().File(llb.Mkfile("/salt", 0o444, l.opt.RotationSalt),
			append(cons, llb.WithCustomName("[internal] rotation salt"))...)
		ta.SaltFile = rotateSaltPath
		saltMount = llb.AddMount(rotateSaltPath, salt, llb.SourcePath("/salt"), llb.Readonly)
	} else {
		ta.SaltDir = rotateSaltDir
		saltMount = llb.AddMount(rotateSaltDir, llb.Scratch(), llb.AsPersistentCacheDir(DaemonSaltCacheID, llb.CacheMountShared))
	}
	var epochMount []llb.RunOption
	if l.opt.VerdictKeys {
		ta.EpochDir, ta.Renew = rotateEpochDir, l.opt.RenewVerdictEpoch
		epochMount = append(epochMount, llb.AddMount(rotateEpochDir, llb.Scratch(), llb.AsPersistentCacheDir(VerdictEpochCacheID, llb.CacheMountShared)))
	}
	ro := []llb.RunOption{
		llb.Args(l.toolCommand(rotate.ToolName, ta.Args()...)),
		llb.Dir("/"),
		saltMount,
		llb.AddSecret(rotateSecretPath, secret...),
		llb.Network(llb.NetModeNone),
		llb.AddEnv("SECUREFILE_BUILD_NONCE", l.opt.RotationNonce),
		llb.WithCustomName("[internal] digest of secret " + d.Name.V),
	}
	ro = append(ro, epochMount...)
	// The nonce alone makes the step new on every build. It must not
	// ignore the cache as well: BuildKit prunes the cache mounts of every
	// op that ignores the cache when it loads it (solver/llbsolver/vertex.go,
	// detectPrunedCacheID), and the daemon salt and the verdict epoch would
	// be new on every build: every step that mounts a secret would run, and
	// no verdict would be reused. (The frontend leaves these steps unmarked
	// under --no-cache too, frontend/nocache.go, and renews the epoch by
	// the tool's flag instead.)
	for _, c := range cons {
		ro = append(ro, c)
	}
	return l.runTool(ro...).AddMount(rotateOutDir, llb.Scratch())
}

// toolMountDir is where a tool step mounts the tool's filesystem.
const toolMountDir = "/.securefile-tool"

// toolCommand is the argv of tool name in a step made by runTool.
func (l *lowerer) toolCommand(name string, args ...string) []string {
	return toolmode.Command(toolMountDir+l.opt.ToolPath, name, args...)
}

// runTool is a step that runs the tool in an empty root, with the tool's
// filesystem mounted read-only. Not as the root: BuildKit keeps a reusable
// copy of a local source only while no step writes on it, and a step's
// root is writable, so a shared tool binary (in process) was sent again
// on every build; read-only, the unchanged file is not resent.
func (l *lowerer) runTool(ro ...llb.RunOption) llb.ExecState {
	ro = append(ro, llb.AddMount(toolMountDir, *l.opt.ToolState, llb.Readonly))
	return llb.Scratch().Run(ro...)
}
