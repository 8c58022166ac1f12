package lower

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/internal/toolmode"
)

const rotateSrc = `
secret netrc {
  target = "/root/.netrc"
  rotate = true
}
secret token {
  id = "gh_token"
  env = "GITHUB_TOKEN"
  required = false
  rotate = true
}
secret plain
stage deps from scratch {
  run "untouched"
  run "fetch" {
    secret netrc
  }
}
image app from deps {
  run "build" {
    secret netrc
    secret token
  }
  run "plain-only" {
    secret plain
  }
}
`

const testSalt = "salt-7f3a9c"

func rotateOpts() Options {
	o := opts()
	tool := llb.Image("example.com/securefile-tool:test")
	o.ToolState = &tool
	o.ToolPath = "/bin/securefile-frontend"
	o.RotationSalt = []byte(testSalt)
	o.RotationNonce = "nonce-1"
	return o
}

// digestSteps returns the digest ops by the secret their name gives.
func (g *graph) digestSteps() map[string][]digest.Digest {
	out := map[string][]digest.Digest{}
	for _, d := range g.order {
		if n, ok := strings.CutPrefix(g.name(d), "[internal] digest of secret "); ok {
			out[n] = append(out[n], d)
		}
	}
	return out
}

// mountInput is the op a mount of the op at d reads.
func (g *graph) mountInput(d digest.Digest, m *pb.Mount) digest.Digest {
	return digest.Digest(g.ops[d].Inputs[m.Input].Digest)
}

func TestRotationDigestStepOncePerSecret(t *testing.T) {
	g := marshal(t, lower(t, rotateSrc, rotateOpts()).State)
	steps := g.digestSteps()
	if len(steps) != 2 || len(steps["netrc"]) != 1 || len(steps["token"]) != 1 {
		t.Fatalf("digest steps = %v; want one for netrc and one for token, none for plain", steps)
	}
	for name, ids := range map[string][2]string{"netrc": {"netrc", "false"}, "token": {"gh_token", "true"}} {
		d := steps[name][0]
		// The nonce makes it run; ignoring the cache would also prune its
		// cache mounts (the verdict epoch) on every build.
		if g.def.Metadata[d].IgnoreCache {
			t.Errorf("the digest step of %s ignores the cache, which prunes its cache mounts", name)
		}
		e := g.ops[d].GetExec()
		want := toolmode.Command(toolMountDir+"/bin/securefile-frontend", "digest", "--salt", rotateSaltPath, "--", ids[0], rotateSecretPath, rotateOutDir+"/digest")
		if !slices.Equal(e.Meta.Args, want) {
			t.Errorf("digest step of %s runs %q, want %q", name, e.Meta.Args, want)
		}
		if !slices.Contains(e.Meta.Env, "SECUREFILE_BUILD_NONCE=nonce-1") {
			t.Errorf("digest step of %s lacks the build nonce: env %q", name, e.Meta.Env)
		}
		if e.Network != pb.NetMode_NONE {
			t.Errorf("digest step of %s has network %v, want none", name, e.Network)
		}
		// The secret is a file here even when the steps get it as env.
		sm := mountAt(t, e, rotateSecretPath)
		if sm.MountType != pb.MountType_SECRET || sm.SecretOpt.ID != ids[0] || sm.SecretOpt.Mode != 0o400 || (sm.SecretOpt.Optional != (ids[1] == "true")) {
			t.Errorf("digest step of %s mounts the secret as %v", name, sm)
		}
		if len(e.Secretenv) != 0 {
			t.Errorf("digest step of %s has secret env %v", name, e.Secretenv)
		}
		salt := mountAt(t, e, rotateSaltPath)
		if !salt.Readonly || salt.Selector != "/salt" {
			t.Errorf("salt mount = %v, want read-only /salt", salt)
		}
		mk := g.ops[g.mountInput(d, salt)].GetFile().Actions[0].GetMkfile()
		if mk == nil || string(mk.Data) != testSalt {
			t.Errorf("the salt mount of %s is not a file holding the salt: %v", name, mk)
		}
		// The tool's filesystem is a read-only mount, the root empty: a
		// writable root on a local source made BuildKit resend it.
		if root := mountAt(t, e, "/"); root.Input != int64(pb.Empty) {
			t.Errorf("the digest step of %s has a root of its own: %v", name, root)
		}
		tm := mountAt(t, e, toolMountDir)
		tool := g.ops[g.mountInput(d, tm)].GetSource()
		if !tm.Readonly || tool == nil || !strings.Contains(tool.Identifier, "securefile-tool:test") {
			t.Errorf("the digest step of %s does not mount the tool's filesystem read-only: %v, %v", name, tm, tool)
		}
		if p := g.ops[d].Platform; p == nil || p.Architecture != "amd64" {
			t.Errorf("the digest step of %s runs on %v, want the build platform (amd64), which the tool is built for", name, p)
		}
	}
}

func TestRotationMountsDigestReadOnlyInUsingSteps(t *testing.T) {
	g := marshal(t, lower(t, rotateSrc, rotateOpts()).State)
	steps := g.digestSteps()
	for cmd, secrets := range map[string][]string{
		"fetch":      {"netrc"},
		"build":      {"netrc", "token"},
		"untouched":  nil,
		"plain-only": nil,
	} {
		d := g.byName(t, "RUN "+cmd)
		e := g.ops[d].GetExec()
		var got []string
		for _, m := range e.Mounts {
			name, ok := strings.CutPrefix(m.Dest, RotateDir+"/")
			if !ok {
				continue
			}
			got = append(got, name)
			// Read-only is what makes BuildKit key the step by the
			// digest's content rather than by the digest step's
			// definition, which never changes.
			if !m.Readonly || m.Selector != "/digest" || m.MountType != pb.MountType_BIND {
				t.Errorf("%s: rotation mount %v; want a read-only bind of /digest", cmd, m)
			}
			if src := g.mountInput(d, m); len(steps[name]) != 1 || src != steps[name][0] {
				t.Errorf("%s: %s mounts %s, not the digest step of that secret", cmd, m.Dest, src)
			}
		}
		if !slices.Equal(got, secrets) {
			t.Errorf("%s: rotation mounts for %q, want %q", cmd, got, secrets)
		}
	}
}

func TestRotationDefinitionIsDeterministicAndSharedAcrossPlatforms(t *testing.T) {
	f := load(t, rotateSrc)
	defBytes := func(o Options) []byte {
		res, err := Lower(context.Background(), f, o)
		if err != nil {
			t.Fatal(err)
		}
		def, err := res.State.Marshal(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Join(def.Def, []byte{0})
	}
	a, b := defBytes(rotateOpts()), defBytes(rotateOpts())
	if !bytes.Equal(a, b) {
		t.Error("two lowerings of the same file marshal differently")
	}
	// The digest step runs on the build platform, so the builds for every
	// target platform share it: BuildKit runs it once.
	o := rotateOpts()
	o.TargetPlatform = amd64
	ga := marshal(t, lower(t, rotateSrc, rotateOpts()).State)
	gb := marshal(t, lower(t, rotateSrc, o).State)
	if ga.digestSteps()["netrc"][0] != gb.digestSteps()["netrc"][0] {
		t.Error("the digest step of netrc differs between target platforms")
	}
	// A changed salt changes the digest step, and nothing else changes
	// with the salt but the salt file.
	o = rotateOpts()
	o.RotationSalt = []byte("another-salt")
	if c := defBytes(o); bytes.Equal(a, c) || !bytes.Contains(c, []byte("another-salt")) || bytes.Contains(c, []byte(testSalt)) {
		t.Error("the salt does not reach the definition as given")
	}
}

// A new build (a new nonce) makes new digest steps, and so new
// definitions for the steps that mount them; the steps that use no rotated
// secret keep theirs.
func TestRotationNonceRenewsOnlyTheDigestSteps(t *testing.T) {
	o := rotateOpts()
	o.RotationNonce = "nonce-2"
	g1 := marshal(t, lower(t, rotateSrc, rotateOpts()).State)
	g2 := marshal(t, lower(t, rotateSrc, o).State)
	for _, n := range []string{"digest of secret netrc", "RUN fetch", "RUN build"} {
		if g1.byName(t, n) == g2.byName(t, n) {
			t.Errorf("%q has the same definition under another nonce", n)
		}
	}
	for _, n := range []string{"rotation salt", "RUN untouched"} {
		if g1.byName(t, n) != g2.byName(t, n) {
			t.Errorf("%q changed with the nonce", n)
		}
	}
}

func TestRotationWithoutSaltOrTool(t *testing.T) {
	f := load(t, rotateSrc)
	o := rotateOpts()
	o.RotationSalt = nil
	_, err := Lower(context.Background(), f, o)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Lower without a salt = %v, want an *Error", err)
	}
	// The position is the rotate key of the first secret used.
	if ce.Range.Start.Line != 4 || !strings.Contains(err.Error(), "securefile lock") || !strings.Contains(err.Error(), `secret "netrc" has rotate = true`) {
		t.Errorf("error = %v (line %d); want line 4 and a hint to run securefile lock", err, ce.Range.Start.Line)
	}

	o = rotateOpts()
	o.ToolState = nil
	_, err = Lower(context.Background(), f, o)
	if !errors.As(err, &ce) || ce.Range.Start.Line != 4 || !strings.Contains(err.Error(), "no securefile tool") {
		t.Errorf("Lower without a tool = %v; want an error at line 4 about the tool", err)
	}

	o = rotateOpts()
	o.RotationNonce = ""
	_, err = Lower(context.Background(), f, o)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no build nonce") {
		t.Errorf("Lower without a nonce = %v; want an internal error", err)
	}

	// A build that uses no rotated secret needs none of them.
	g := marshal(t, lower(t, `
secret netrc {
  rotate = true
}
secret plain
image app from scratch {
  run "x" {
    secret plain
  }
}
`, opts()).State)
	if n := len(g.digestSteps()); n != 0 {
		t.Errorf("%d digest steps for a build that uses no rotated secret", n)
	}
}
