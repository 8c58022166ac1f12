package lock

import (
	"bytes"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

func sha(c string) digest.Digest { return digest.Digest("sha256:" + strings.Repeat(c, 64)) }

func sample(t *testing.T) *File {
	t.Helper()
	f, err := New()
	if err != nil {
		t.Fatal(err)
	}
	f.Images = []*Image{
		{Ref: "localhost:5000/busybox:latest", Index: sha("a"), Platforms: map[string]digest.Digest{"linux/amd64": sha("b"), "linux/386": sha("c")}},
		{Ref: "docker.io/library/alpine:3.20", Index: sha("d"), Platforms: map[string]digest.Digest{"linux/arm/v7": sha("e")}},
	}
	f.HTTP = []*HTTP{{URL: "https://example.com/a \"quoted\".tgz", Checksum: sha("f")}}
	f.Git = []*Git{
		{URL: "https://github.com/x/y.git", Ref: "v1", Commit: strings.Repeat("1", 40)},
		{URL: "https://github.com/x/y.git", Ref: "", Commit: strings.Repeat("2", 40)},
	}
	return f
}

func TestRoundTrip(t *testing.T) {
	f := sample(t)
	out := Marshal(f)
	g, err := Parse(FileName, out)
	if err != nil {
		t.Fatalf("parse of our own output: %v\n%s", err, out)
	}
	if again := Marshal(g); !bytes.Equal(out, again) {
		t.Fatalf("not byte-identical after a round trip:\n%s\n---\n%s", out, again)
	}
	if !bytes.Equal(g.Salt, f.Salt) || len(g.Salt) != SaltSize {
		t.Fatalf("salt changed: %x vs %x", g.Salt, f.Salt)
	}
	if d := g.ImageDigest("localhost:5000/busybox:latest", "linux/386"); d != sha("c") {
		t.Fatalf("ImageDigest = %q", d)
	}
	if e := g.GitEntry("https://github.com/x/y.git", ""); e == nil || e.Commit != strings.Repeat("2", 40) {
		t.Fatalf("GitEntry = %+v", e)
	}
	if e := g.HTTPEntry(`https://example.com/a "quoted".tgz`); e == nil {
		t.Fatal("http entry with quotes lost")
	}
}

func TestMarshalSortedAndStable(t *testing.T) {
	f := sample(t)
	out := string(Marshal(f))
	// Sorted: alpine before busybox, 386 before amd64, ref "" before "v1".
	for _, pair := range [][2]string{
		{"docker.io/library/alpine:3.20", "localhost:5000/busybox:latest"},
		{`"linux/386"`, `"linux/amd64"`},
		{`ref = ""`, `ref = "v1"`},
	} {
		if i, j := strings.Index(out, pair[0]), strings.Index(out, pair[1]); i < 0 || j < 0 || i > j {
			t.Errorf("%q should come before %q in\n%s", pair[0], pair[1], out)
		}
	}
	f.Images[0], f.Images[1] = f.Images[1], f.Images[0]
	if string(Marshal(f)) != out {
		t.Error("output depends on entry order")
	}
	if !strings.Contains(out, "\nversion = 1\n") || !strings.Contains(out, "\n[image.platforms]\n") {
		t.Errorf("unexpected layout:\n%s", out)
	}
	if other, _ := New(); bytes.Equal(other.Salt, f.Salt) {
		t.Error("two new locks share a salt")
	}
}

func TestParseProblems(t *testing.T) {
	salt := strings.Repeat("ab", 32)
	cases := []struct {
		name, src string
		want      []string
	}{
		{"syntax", "version = 1\nsalt = \"x\n", []string{"Securefile.lock:2:"}},
		{"missing version and salt", "", []string{"Securefile.lock:1:1: missing salt", "Securefile.lock:1:1: missing version"}},
		{"bad version and salt", "version = 2\nsalt = \"abc\"\n", []string{
			"Securefile.lock:1:1: version 2 is not supported",
			"Securefile.lock:2:1: salt must be 32 bytes",
		}},
		{"bad image", "version = 1\nsalt = \"" + salt + "\"\n\n[[image]]\nref = \"busybox\"\nindex = \"sha256:zz\"\n[image.platforms]\n\"linux/x86_64\" = \"md5:abc\"\n", []string{
			`Securefile.lock:5:1: image reference "busybox" is not in normalized form ("docker.io/library/busybox:latest")`,
			`Securefile.lock:6:1: index "sha256:zz" is not a digest`,
			`Securefile.lock:8:1: invalid platform "linux/x86_64"`,
			`Securefile.lock:8:1: platform digest "md5:abc" is not a digest`,
		}},
		{"unknown key in an entry", "version = 1\nsalt = \"" + salt + "\"\n\n[[http]]\nurl = \"u\"\nchecksum = \"sha256:" + strings.Repeat("a", 64) + "\"\nsize = 3\n", []string{
			`Securefile.lock:7:1: unknown key "http.size"`,
		}},
		{"duplicates and unknown", "version = 1\nsalt = \"" + salt + "\"\nextra = 1\n\n[[git]]\nurl = \"u\"\ncommit = \"" + strings.Repeat("a", 40) + "\"\n\n[[git]]\nurl = \"u\"\ncommit = \"abc\"\n", []string{
			`Securefile.lock:3:1: unknown key "extra"`,
			`Securefile.lock:10:1: git "u" ref "" is locked twice (first at Securefile.lock:5:1)`,
			`Securefile.lock:11:1: commit "abc" is not a full commit id`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(FileName, []byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("missing %q in:\n%s", w, msg)
				}
			}
			if !strings.Contains(msg, `run "securefile lock"`) {
				t.Errorf("no hint in %s", msg)
			}
			for _, line := range strings.Split(msg, "\n") {
				if strings.HasPrefix(line, "Securefile.lock") || strings.Contains(line, "problems in the lock file") {
					continue
				}
				t.Errorf("line without position: %q", line)
			}
		})
	}
}
