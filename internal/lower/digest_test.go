package lower

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"

	"github.com/ourorg/securefile/internal/toolmode"
)

// digestOpts are the frontend's options: every secret gets a digest, and
// there is no project salt.
func digestOpts() Options {
	o := rotateOpts()
	o.SecretDigests = true
	o.RotationSalt = nil
	return o
}

const digestSrc = `
secret netrc {
  target = "/root/.netrc"
}
secret token {
  env = "TOKEN"
  required = false
}
image app from scratch {
  run "untouched"
  run "fetch" {
    secret netrc
  }
  run "both" {
    secret netrc
    secret token
  }
}
`

// With SecretDigests every step that mounts a secret is keyed on its
// digest, not only the secrets declared with rotate = true.
func TestSecretDigestsKeyEveryStepThatMountsASecret(t *testing.T) {
	g := marshal(t, lower(t, digestSrc, digestOpts()).State)
	steps := g.digestSteps()
	if len(steps) != 2 || len(steps["netrc"]) != 1 || len(steps["token"]) != 1 {
		t.Fatalf("digest steps = %v; want one for netrc and one for token", steps)
	}
	for cmd, secrets := range map[string][]string{"untouched": nil, "fetch": {"netrc"}, "both": {"netrc", "token"}} {
		d := g.byName(t, "RUN "+cmd)
		var got []string
		for _, m := range g.ops[d].GetExec().Mounts {
			if name, ok := strings.CutPrefix(m.Dest, RotateDir+"/"); ok {
				got = append(got, name)
				if !m.Readonly || g.mountInput(d, m) != steps[name][0] {
					t.Errorf("%s: digest mount %v is not a read-only mount of the digest step of %s", cmd, m, name)
				}
			}
		}
		if !slices.Equal(got, secrets) {
			t.Errorf("%s: digest mounts for %q, want %q", cmd, got, secrets)
		}
	}
}

// Without a project salt the digest step keys with the daemon's own salt,
// kept in a cache mount (which never leaves the daemon); no salt is in the
// definition.
func TestSecretDigestsUseTheDaemonSaltWithoutALock(t *testing.T) {
	g := marshal(t, lower(t, digestSrc, digestOpts()).State)
	d := g.digestSteps()["netrc"][0]
	e := g.ops[d].GetExec()
	want := toolmode.Command(toolMountDir+"/bin/securefile-frontend", "digest", "--salt-dir", rotateSaltDir, "--", "netrc", rotateSecretPath, rotateOutDir+"/digest")
	if !slices.Equal(e.Meta.Args, want) {
		t.Errorf("digest step runs %q, want %q", e.Meta.Args, want)
	}
	m := mountAt(t, e, rotateSaltDir)
	if m.MountType != pb.MountType_CACHE || m.CacheOpt.ID != DaemonSaltCacheID || m.CacheOpt.Sharing != pb.CacheSharingOpt_SHARED {
		t.Errorf("daemon salt mount = %v, want the shared cache %q", m, DaemonSaltCacheID)
	}
	for _, m := range e.Mounts {
		if m.Dest == rotateSaltPath {
			t.Errorf("a salt file is mounted without a project salt: %v", m)
		}
	}
	// BuildKit prunes the cache mounts of an op that ignores the cache: the
	// salt would be new on every build. The nonce makes the step new.
	if g.def.Metadata[d].IgnoreCache {
		t.Error("the digest step with the daemon salt ignores the cache, which prunes the salt")
	}
	if !slices.Contains(e.Meta.Env, "SECUREFILE_BUILD_NONCE=nonce-1") {
		t.Errorf("the digest step lacks the build nonce: env %q", e.Meta.Env)
	}

	// With a lock, the project's salt keys every secret.
	o := digestOpts()
	o.RotationSalt = []byte(testSalt)
	g = marshal(t, lower(t, digestSrc, o).State)
	e = g.ops[g.digestSteps()["netrc"][0]].GetExec()
	if !slices.Contains(e.Meta.Args, "--salt") || slices.Contains(e.Meta.Args, "--salt-dir") {
		t.Errorf("with a project salt the digest step runs %q", e.Meta.Args)
	}
}

// A build that must key its secret steps and has no tool fails at the
// secret, with what to do.
func TestSecretDigestsNeedTheTool(t *testing.T) {
	o := digestOpts()
	o.ToolState, o.ToolPath = nil, ""
	f := load(t, digestSrc)
	_, err := Lower(t.Context(), f, o)
	var e *Error
	if !errors.As(err, &e) || e.Range.Start.Line != 2 || !strings.Contains(err.Error(), "securefile tool") {
		t.Fatalf("err = %v; want an error at the netrc declaration (line 2) naming the tool", err)
	}
	// The caller's reason for having no tool (the client's, through the
	// frontend) is part of the error, at the secret.
	reason := errors.New("this securefile is dynamically linked (built with cgo): pass --tool-image REF")
	o.NoTool = reason
	if _, err := Lower(t.Context(), f, o); !errors.As(err, &e) || e.Range.Start.Line != 2 || !errors.Is(err, reason) || !strings.Contains(err.Error(), "--tool-image") {
		t.Errorf("with a reason: err = %v; want it at line 2, wrapping the reason", err)
	}
	o.NoTool = nil
	// Offline (securefile llb) there are no digests, and no tool is needed.
	o.SecretDigests = false
	if _, err := Lower(t.Context(), f, o); err != nil {
		t.Errorf("without SecretDigests: %v", err)
	}
}

// With verdict keys the digest step mounts the daemon's verdict epoch (a
// shared cache mount of its own) and asks for the keys; a build that can
// leave BuildKit with other results under known keys renews the epoch.
func TestDigestStepVerdictKeys(t *testing.T) {
	for _, renew := range []bool{false, true} {
		opt := digestOpts()
		opt.VerdictKeys, opt.RenewVerdictEpoch = true, renew
		g := marshal(t, lower(t, digestSrc, opt).State)
		d := g.digestSteps()["netrc"][0]
		e := g.ops[d].GetExec()
		flags := []string{"digest", "--salt-dir", rotateSaltDir, "--epoch-dir", rotateEpochDir}
		if renew {
			flags = append(flags, "--renew-epoch")
		}
		want := toolmode.Command(toolMountDir+"/bin/securefile-frontend", flags[0], append(flags[1:], "--", "netrc", rotateSecretPath, rotateOutDir+"/digest")...)
		if !slices.Equal(e.Meta.Args, want) {
			t.Errorf("renew=%v: digest step runs %q, want %q", renew, e.Meta.Args, want)
		}
		m := mountAt(t, e, rotateEpochDir)
		if m.MountType != pb.MountType_CACHE || m.CacheOpt.ID != VerdictEpochCacheID || m.CacheOpt.Sharing != pb.CacheSharingOpt_SHARED {
			t.Errorf("verdict epoch mount = %v, want the shared cache %q", m, VerdictEpochCacheID)
		}
		if g.def.Metadata[d].IgnoreCache {
			t.Errorf("renew=%v: the digest step ignores the cache, which would prune the epoch on every build", renew)
		}
	}
	g := marshal(t, lower(t, digestSrc, digestOpts()).State)
	for _, m := range g.ops[g.digestSteps()["netrc"][0]].GetExec().Mounts {
		if m.Dest == rotateEpochDir {
			t.Errorf("an epoch is mounted without VerdictKeys: %v", m)
		}
	}
}
