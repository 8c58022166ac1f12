package lower

import (
	"strings"
	"testing"

	"github.com/containerd/platforms"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const pinnedSrc = `
arg BASE = "alpine:3.20"
stage tools from "busybox:1.36" {
  run "true"
}
image app from "${BASE}" {
  copy "/bin/sh" from "busybox@sha256:` + "0000000000000000000000000000000000000000000000000000000000000001" + `" to "/sh"
  copy "/bin/true" from tools to "/true"
}
`

func TestPinsLowerImagesToDigests(t *testing.T) {
	pinned := map[string]digest.Digest{
		"docker.io/library/alpine:3.20 linux/arm64":  digest.FromString("alpine arm64"),
		"docker.io/library/busybox:1.36 linux/arm64": digest.FromString("busybox arm64"),
	}
	var asked []string
	o := opts()
	o.Pins = func(ref string, p ocispecs.Platform) digest.Digest {
		asked = append(asked, ref+" "+platforms.FormatAll(p))
		return pinned[ref+" "+platforms.FormatAll(p)]
	}
	g := marshal(t, lower(t, pinnedSrc, o).State)
	srcs := strings.Join(g.sources(), "\n")
	for _, want := range []string{
		"docker-image://docker.io/library/alpine:3.20@" + pinned["docker.io/library/alpine:3.20 linux/arm64"].String(),
		"docker-image://docker.io/library/busybox:1.36@" + pinned["docker.io/library/busybox:1.36 linux/arm64"].String(),
		// A digest written in the file is the file's pin, not the lock's.
		"docker-image://docker.io/library/busybox@sha256:0000000000000000000000000000000000000000000000000000000000000001",
	} {
		if !strings.Contains(srcs, want+"\n") && !strings.HasSuffix(srcs, want) {
			t.Errorf("no source %s in\n%s", want, srcs)
		}
	}
	for _, a := range asked {
		if strings.Contains(a, "@") {
			t.Errorf("Pins asked about a reference with a digest: %s", a)
		}
	}

	// Without a pin for the platform the tag is used, as before.
	o.TargetPlatform = amd64
	g = marshal(t, lower(t, pinnedSrc, o).State)
	if s := g.source(t, "docker-image://docker.io/library/alpine"); s.Identifier != "docker-image://docker.io/library/alpine:3.20" {
		t.Errorf("unpinned platform lowered to %s", s.Identifier)
	}
}

func TestPinnedImageConfigIsResolvedByDigest(t *testing.T) {
	d := digest.FromString("alpine")
	r := &fakeResolver{}
	o := opts()
	o.MetaResolver = r
	o.Pins = func(string, ocispecs.Platform) digest.Digest { return d }
	lower(t, `image app from "alpine:3.20" {
  run "true"
}`, o)
	if got := r.sortedCalls(); len(got) != 1 || got[0] != "docker.io/library/alpine:3.20@"+d.String()+" linux/arm64" {
		t.Errorf("resolver calls = %q; want the pinned reference", got)
	}
}

func TestUsesCoversEveryStage(t *testing.T) {
	f := load(t, `
arg REF = "v1"
stage unused from "alpine:${TARGETARCH}" {
  add git "https://example.com/r.git" to "/r" {
    ref = "${REF}"
  }
}
image app from "busybox:1.36" {
  platform = "linux/386"
  add "https://example.com/f.tgz" to "/f" {
    checksum = "sha256:`+strings.Repeat("a", 64)+`"
  }
}
`)
	uses, err := Uses(f, opts())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range uses {
		switch u.Kind {
		case UseImage:
			got = append(got, "image "+u.Ref+" "+platforms.FormatAll(u.Platform)+" "+u.Range.String())
		case UseHTTP:
			got = append(got, "http "+u.URL+" "+u.Checksum+" "+u.Range.String())
		case UseGit:
			got = append(got, "git "+u.URL+"#"+u.GitRef+" "+u.Range.String())
		}
	}
	want := []string{
		"image docker.io/library/alpine:arm64 linux/arm64 Securefile:3:19",
		"image docker.io/library/busybox:1.36 linux/386 Securefile:8:16",
		"git https://example.com/r.git#v1 Securefile:4:11",
		"http https://example.com/f.tgz sha256:" + strings.Repeat("a", 64) + " Securefile:10:7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Uses =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
