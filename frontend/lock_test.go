package frontend

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/internal/lock"
)

const lockedFile = `image app from "busybox:1.36" {
  copy "/bin/sh" from "alpine:3.20" to "/sh"
  add git "https://example.com/r.git" to "/r" {
    ref = "main"
  }
}
`

var (
	commit    = strings.Repeat("c", 40)
	saltHex   = strings.Repeat("5a", 32)
	pinnedBB  = digest.FromString("busybox amd64")
	fakeNowBB = fakeDigest() // what the fake client resolves every image to
)

func fakeDigest() digest.Digest {
	_, d, err := fakeImageConfig(&sourceresolver.ResolveImageOpt{Platform: &linuxAMD64})
	if err != nil {
		panic(err)
	}
	return d
}

func lockText(images map[string]digest.Digest, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version = 1\nsalt = %q\n", saltHex)
	for _, ref := range []string{"docker.io/library/alpine:3.20", "docker.io/library/busybox:1.36"} {
		if d, ok := images[ref]; ok {
			fmt.Fprintf(&b, "\n[[image]]\nref = %q\nindex = %q\n[image.platforms]\n\"linux/amd64\" = %q\n", ref, d, d)
		}
	}
	fmt.Fprintf(&b, "\n[[git]]\nurl = \"https://example.com/r.git\"\nref = \"main\"\ncommit = %q\n", commit)
	return b.String() + extra
}

// solvedSources is every source identifier the build solved.
func solvedSources(t *testing.T, c *fakeClient) string {
	t.Helper()
	var out []string
	for _, def := range c.solves {
		if def == nil {
			continue
		}
		for _, dt := range def.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			if s := op.GetSource(); s != nil {
				out = append(out, s.Identifier)
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestBuildUsesTheLock(t *testing.T) {
	c := newFakeClient(map[string]string{
		"Securefile":      lockedFile,
		"Securefile.lock": lockText(map[string]digest.Digest{"docker.io/library/busybox:1.36": pinnedBB}, ""),
	}, map[string]string{"platform": "linux/amd64"})
	if _, err := Build(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	srcs := solvedSources(t, c)
	for _, want := range []string{
		"docker-image://docker.io/library/busybox:1.36@" + pinnedBB.String(),
		// Not in the lock, and not frozen: what the tag resolves to now,
		// as without a lock.
		"docker-image://docker.io/library/alpine:3.20@" + fakeNowBB.String(),
		"git://example.com/r.git#main",
	} {
		if !strings.Contains(srcs, want+"\n") && !strings.HasSuffix(srcs, want) {
			t.Errorf("no source %s among\n%s", want, srcs)
		}
	}
	// The git commit comes from the lock: BuildKit checks the clone against it.
	var found bool
	for _, def := range c.solves {
		for _, dt := range def.Def {
			var op pb.Op
			_ = op.UnmarshalVT(dt)
			if s := op.GetSource(); s != nil && strings.HasPrefix(s.Identifier, "git://") {
				found = s.Attrs["git.checksum"] == commit
			}
		}
	}
	if !found {
		t.Error("the git source is not pinned to the locked commit")
	}
}

func TestFrozenReportsEveryProblem(t *testing.T) {
	src := lockedFile + `
stage extra from "debian:bookworm" {
  add "https://example.com/f.tgz" to "/f" {
    checksum = "sha256:` + strings.Repeat("a", 64) + `"
  }
}
`
	lk := lockText(map[string]digest.Digest{
		"docker.io/library/busybox:1.36": pinnedBB,  // drifted: the fake resolves to fakeNowBB
		"docker.io/library/alpine:3.20":  fakeNowBB, // current
	}, fmt.Sprintf("\n[[http]]\nurl = \"https://example.com/f.tgz\"\nchecksum = \"sha256:%s\"\n\n[[http]]\nurl = \"https://example.com/gone.tgz\"\nchecksum = \"sha256:%s\"\n",
		strings.Repeat("b", 64), strings.Repeat("d", 64)))
	frozen := func(gitNow string) error {
		c := newFakeClient(map[string]string{"Securefile": src, "Securefile.lock": lk},
			map[string]string{"platform": "linux/amd64", "build-arg:BUILDKIT_SECUREFILE_LOCK": "frozen"})
		c.gitCommit = gitNow
		_, err := Build(context.Background(), c)
		return err
	}
	err := frozen(commit) // the branch has not moved
	if err == nil {
		t.Fatal("frozen build passed")
	}
	for _, want := range []string{
		`Securefile:1:16: image "docker.io/library/busybox:1.36" for linux/amd64 has drifted: Securefile.lock pins ` + pinnedBB.String() + `, the tag now resolves to ` + fakeNowBB.String(),
		`Securefile:8:18: image "docker.io/library/debian:bookworm" for linux/amd64 is not pinned in Securefile.lock`,
		`Securefile:9:7: download "https://example.com/f.tgz": the build file says checksum sha256:aaaa`,
		`Securefile.lock:25:1: download "https://example.com/gone.tgz" is locked but the build file no longer uses it`,
		`run "securefile lock" to update the lock`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "alpine") || strings.Contains(err.Error(), "r.git") {
		t.Errorf("pinned, current sources reported:\n%v", err)
	}

	// A branch that moved is drift too.
	moved := strings.Repeat("e", 40)
	if err := frozen(moved); err == nil || !strings.Contains(err.Error(), `Securefile:3:11: git "https://example.com/r.git" ref "main" has drifted: Securefile.lock pins commit `+commit+`, the ref now points at `+moved) {
		t.Errorf("a moved branch is not reported:\n%v", err)
	}

	// Without frozen the same build just uses the lock.
	if _, err := lockFrozenMode(map[string]string{"securefile-lock": "thawed"}); err == nil || !strings.Contains(err.Error(), `the only value is "frozen"`) {
		t.Errorf("bad mode: %v", err)
	}
}

func TestFrozenWithoutLock(t *testing.T) {
	_, err := Build(context.Background(), newFakeClient(map[string]string{"Securefile": lockedFile},
		map[string]string{"securefile-lock": "frozen"}))
	if err == nil || !strings.Contains(err.Error(), `there is no Securefile.lock next to Securefile; run "securefile lock" to create it`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBrokenLockFailsTheBuild(t *testing.T) {
	_, err := Build(context.Background(), newFakeClient(map[string]string{"Securefile": lockedFile, "Securefile.lock": "version = 3\n"}, nil))
	if err == nil || !strings.Contains(err.Error(), "Securefile.lock:1:1: version 3 is not supported") {
		t.Fatalf("err = %v", err)
	}
}

func TestBrokenLockDoesNotStopLint(t *testing.T) {
	md := subrequestResult(t, map[string]string{"Securefile": lockedFile, "Securefile.lock": "version = 3\n"},
		map[string]string{"requestid": "frontend.lint"})
	if _, ok := md["result.json"]; !ok {
		t.Fatalf("no lint result: %v", md)
	}
}

func TestLockSubrequestKeepsTheSalt(t *testing.T) {
	const file = `image app from "busybox:1.36" {
  copy "/bin/sh" from "alpine@sha256:` + "0000000000000000000000000000000000000000000000000000000000000001" + `" to "/sh"
}
`
	for _, old := range []string{lockText(nil, ""), "version = 3\nsalt = \"" + saltHex + "\"\n"} {
		c := &chainClient{newFakeClient(map[string]string{"Securefile": file, "Securefile.lock": old},
			map[string]string{"requestid": LockRequest, "platform": "linux/amd64,linux/386"})}
		res, err := Build(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		md := res.Metadata
		lf, err := lock.Parse(lock.FileName, md["result.txt"])
		if err != nil {
			t.Fatalf("%v\n%s", err, md["result.txt"])
		}
		if fmt.Sprintf("%x", lf.Salt) != saltHex {
			t.Errorf("salt not kept: %x", lf.Salt)
		}
		im := lf.Image("docker.io/library/busybox:1.36")
		if len(lf.Images) != 1 || im == nil || im.Index != chainRoot || len(im.Platforms) != 2 ||
			im.Platforms["linux/386"] != chainRoot || im.Platforms["linux/amd64"] != chainRoot {
			t.Errorf("lock:\n%s", md["result.txt"])
		}
		if !bytes.Equal(lock.Marshal(lf), md["result.txt"]) {
			t.Error("result.txt is not in canonical form")
		}
	}
}

var chainRoot = digest.FromString("index")

// chainClient answers image resolutions as BuildKit does for a
// multi-platform image: the index's digest, whatever the platform. It
// fails a request for the attestation chain, which crashes BuildKit
// v0.34.2 for images that are not an OCI index (see resolveImagePin).
type chainClient struct{ *fakeClient }

func (c *chainClient) ResolveSourceMetadata(ctx context.Context, op *pb.SourceOp, opt sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	if opt.ImageOpt != nil && opt.ImageOpt.AttestationChain {
		return nil, fmt.Errorf("the attestation chain was asked for")
	}
	res, err := c.fakeClient.ResolveSourceMetadata(ctx, op, opt)
	if err != nil || res.Image == nil {
		return res, err
	}
	res.Image.Digest = chainRoot
	return res, nil
}

// An image that --build-context replaces in this build is not stale in
// the lock: frozen mode does not ask to drop its entry.
func TestFrozenKeepsReplacedImages(t *testing.T) {
	lk := lockText(map[string]digest.Digest{
		"docker.io/library/busybox:1.36": pinnedBB,
		"docker.io/library/alpine:3.20":  fakeNowBB,
	}, "")
	c := newFakeClient(map[string]string{"Securefile": lockedFile, "Securefile.lock": lk},
		map[string]string{"platform": "linux/amd64", "securefile-lock": "frozen",
			"context:busybox:1.36": "docker-image://alpine:3.20"})
	c.gitCommit = commit
	if _, err := Build(context.Background(), c); err != nil {
		t.Errorf("frozen build with a replaced image failed:\n%v", err)
	}
}

// A build arg that replaces an image the lock pins for the file's
// defaults is not a stale lock entry: the file did not change. Frozen
// mode names the build arg, its value, and both ways out.
func TestFrozenNamesTheBuildArgThatReplacesALockedImage(t *testing.T) {
	const file = `arg BASE = "busybox:1.36"
arg TAG = "3.20"

image app from "${BASE}" {
  copy "/bin/sh" from "alpine:${TAG}" to "/sh"
}
`
	var lk strings.Builder
	fmt.Fprintf(&lk, "version = 1\nsalt = %q\n", saltHex)
	for _, ref := range []string{"docker.io/library/alpine:3.20", "docker.io/library/busybox:1.36"} {
		fmt.Fprintf(&lk, "\n[[image]]\nref = %q\nindex = %q\n[image.platforms]\n\"linux/amd64\" = %q\n", ref, fakeNowBB, fakeNowBB)
	}
	frozen := func(args map[string]string) error {
		opts := map[string]string{"platform": "linux/amd64", "securefile-lock": "frozen"}
		for k, v := range args {
			opts["build-arg:"+k] = v
		}
		_, err := Build(context.Background(), newFakeClient(map[string]string{"Securefile": file, "Securefile.lock": lk.String()}, opts))
		return err
	}
	if err := frozen(nil); err != nil {
		t.Fatalf("frozen build with the defaults the lock was made for: %v", err)
	}

	err := frozen(map[string]string{"BASE": "registry.example.com/base:1", "VERSION_UNDECLARED": "x"})
	if err == nil {
		t.Fatal("frozen build with another base passed")
	}
	for _, want := range []string{
		`Securefile.lock:10:1: the build arg BASE=registry.example.com/base:1 replaces the locked image "docker.io/library/busybox:1.36", which the file's defaults use; relock with securefile lock --build-arg BASE=registry.example.com/base:1, or drop the build arg`,
		`Securefile:4:16: image "registry.example.com/base:1" for linux/amd64 is not pinned in Securefile.lock; the build arg BASE=registry.example.com/base:1 names it, not the file's defaults the lock was made for; relock with securefile lock --build-arg BASE=registry.example.com/base:1, or drop the build arg`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, wrong := range []string{"no longer uses", "VERSION_UNDECLARED", "TAG", "alpine"} {
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("error says %q:\n%v", wrong, err)
		}
	}

	// Two args, each replacing its own image: each problem names its own.
	err = frozen(map[string]string{"BASE": "registry.example.com/base:1", "TAG": "3.21"})
	if err == nil {
		t.Fatal("frozen build with two replaced images passed")
	}
	for _, want := range []string{
		`Securefile.lock:4:1: the build arg TAG=3.21 replaces the locked image "docker.io/library/alpine:3.20", which the file's defaults use; relock with securefile lock --build-arg TAG=3.21, or drop the build arg`,
		`the build arg BASE=registry.example.com/base:1 replaces the locked image "docker.io/library/busybox:1.36"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}

	// An entry the file itself no longer uses is still reported as such.
	_, err = Build(context.Background(), newFakeClient(map[string]string{
		"Securefile":      "image app from \"busybox:1.36\" {}\n",
		"Securefile.lock": lk.String(),
	}, map[string]string{"platform": "linux/amd64", "securefile-lock": "frozen", "build-arg:BASE": "x"}))
	if err == nil || !strings.Contains(err.Error(), `image "docker.io/library/alpine:3.20" is locked but the build file no longer uses it; run "securefile lock"`) {
		t.Errorf("a stale entry is not reported as one:\n%v", err)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"BASE=alpine:3.20": "BASE=alpine:3.20",
		"MSG=hello world":  "'MSG=hello world'",
		"Q=it's":           `'Q=it'\''s'`,
		"V=$HOME":          "'V=$HOME'",
		"":                 "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
