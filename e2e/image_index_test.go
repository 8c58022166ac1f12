//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/ourorg/securefile/internal/version"
)

// releasePlatforms is the Makefile's RELEASE_PLATFORMS with what each
// platform's binary must be: an ELF for its machine, word size and byte
// order, so that a binary built for the wrong GOARCH (or a host binary
// copied into every platform) cannot pass.
var releasePlatforms = []struct {
	platform ocispecs.Platform
	machine  elf.Machine
	class    elf.Class
	order    binary.ByteOrder
}{
	{ocispecs.Platform{OS: "linux", Architecture: "amd64"}, elf.EM_X86_64, elf.ELFCLASS64, binary.LittleEndian},
	{ocispecs.Platform{OS: "linux", Architecture: "arm64"}, elf.EM_AARCH64, elf.ELFCLASS64, binary.LittleEndian},
	{ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, elf.EM_ARM, elf.ELFCLASS32, binary.LittleEndian},
	{ocispecs.Platform{OS: "linux", Architecture: "ppc64le"}, elf.EM_PPC64, elf.ELFCLASS64, binary.LittleEndian},
	{ocispecs.Platform{OS: "linux", Architecture: "s390x"}, elf.EM_S390, elf.ELFCLASS64, binary.BigEndian},
	{ocispecs.Platform{OS: "linux", Architecture: "riscv64"}, elf.EM_RISCV, elf.ELFCLASS64, binary.LittleEndian},
}

func platformName(p ocispecs.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// TestImageIndex builds the frontend image the way a release does
// (`make image PLATFORMS=$(RELEASE_PLATFORMS) VERSION=vX.Y.Z ATTEST=1`:
// every platform cross-compiled on the host, no emulation) into a
// repository of its own, and reads back from the registry what a user
// pulls: one index under every release tag, an image per platform whose
// binary is a static ELF of that platform, labelled with the version, and
// a provenance attestation per image. The SBOM is left out (ATTEST_SBOM=0):
// its scanner image is on Docker Hub, out of reach here.
func TestImageIndex(t *testing.T) {
	const ver = "v9.8.7"
	qemu := "/usr/bin/qemu-aarch64-static"
	if _, err := os.Stat(qemu); err != nil {
		t.Fatalf("%v: hack/e2e.sh setup installs qemu-user-static", err)
	}
	repo := "ourorg/securefile-release-test"
	tags := version.Tags(ver)
	if len(tags) == 0 {
		t.Fatalf("version.Tags(%q) is empty", ver)
	}
	reg := &registryAPI{host: h.registry, repo: repo}
	// Tags left by an earlier run must not pass for this one's.
	for _, tag := range tags {
		if err := reg.deleteTag(tag); err != nil {
			t.Fatal(err)
		}
	}

	var plats []string
	for _, p := range releasePlatforms {
		plats = append(plats, platformName(p.platform))
	}
	digestFile := filepath.Join(t.TempDir(), "digest")
	cmd := exec.Command(filepath.Join(h.repo, "hack", "e2e.sh"), "image")
	cmd.Env = append(os.Environ(),
		"BUILDKIT_HOST="+h.addr,
		"PLATFORMS="+strings.Join(plats, ","),
		// The tag is not pushed: a release version names the tags.
		"IMAGE="+h.registry+"/"+repo+":whatever",
		"VERSION="+ver,
		"PUSH=1", "ATTEST=1", "ATTEST_SBOM=0",
		"IMAGE_DIGEST_FILE="+digestFile,
	)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("hack/e2e.sh image: %v", err)
	}
	t.Logf("hack/e2e.sh image (%d platforms): %s", len(plats), time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := digest.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("IMAGE_DIGEST_FILE: %q: %v", b, err)
	}

	for _, tag := range tags {
		raw, mediaType, err := reg.manifest(tag)
		if err != nil {
			t.Fatal(err)
		}
		if d := digest.FromBytes(raw); d != pushed {
			t.Errorf("tag %s is %s, want the pushed index %s", tag, d, pushed)
		}
		if mediaType != ocispecs.MediaTypeImageIndex {
			t.Errorf("tag %s: media type %s, want %s", tag, mediaType, ocispecs.MediaTypeImageIndex)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	raw, _, err := reg.manifest(pushed.String())
	if err != nil {
		t.Fatal(err)
	}
	var idx ocispecs.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	images := map[string]ocispecs.Descriptor{}              // platform -> image manifest
	attestations := map[digest.Digest]ocispecs.Descriptor{} // image manifest -> its attestation manifest
	for _, d := range idx.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			attestations[digest.Digest(d.Annotations["vnd.docker.reference.digest"])] = d
			continue
		}
		if d.Platform == nil {
			t.Errorf("index entry %s has no platform", d.Digest)
			continue
		}
		name := platformName(*d.Platform)
		if _, dup := images[name]; dup {
			t.Errorf("platform %s twice in the index", name)
		}
		images[name] = d
	}
	if len(images) != len(releasePlatforms) {
		t.Errorf("index has %d images, want %d: %v", len(images), len(releasePlatforms), keys(images))
	}
	revision, err := exec.Command("git", "-C", h.repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}

	var arm64 []byte
	for _, want := range releasePlatforms {
		name := platformName(want.platform)
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			desc, ok := images[name]
			if !ok {
				t.Fatalf("no %s image in the index (has %v)", name, keys(images))
			}
			var m ocispecs.Manifest
			if err := reg.getJSON(desc.Digest, true, &m); err != nil {
				t.Fatal(err)
			}
			var cfg ocispecs.Image
			if err := reg.getJSON(m.Config.Digest, false, &cfg); err != nil {
				t.Fatal(err)
			}
			if got := platformName(cfg.Platform); got != name {
				t.Errorf("config platform %s", got)
			}
			for k, v := range map[string]string{
				"org.opencontainers.image.version":  ver,
				"org.opencontainers.image.revision": strings.TrimSpace(string(revision)),
				"org.opencontainers.image.source":   "https://github.com/ourorg/securefile",
			} {
				if got := cfg.Config.Labels[k]; got != v {
					t.Errorf("label %s=%q, want %q", k, got, v)
				}
			}
			bin, err := reg.layerFile(m.Layers, "bin/securefile-frontend")
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(bin))
			if err != nil {
				t.Fatalf("bin/securefile-frontend: %v", err)
			}
			if f.Machine != want.machine || f.Class != want.class || f.ByteOrder != want.order {
				t.Errorf("bin/securefile-frontend is %v %v %v, want %v %v %v",
					f.Machine, f.Class, f.ByteOrder, want.machine, want.class, want.order)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Errorf("bin/securefile-frontend has an interpreter (PT_INTERP): not static")
				}
			}
			if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
				t.Errorf("bin/securefile-frontend needs %v (%v): not static", libs, err)
			}
			if want.platform.Architecture == "arm64" {
				arm64 = bin
			}

			att, ok := attestations[desc.Digest]
			if !ok {
				t.Fatalf("no attestation manifest for %s", desc.Digest)
			}
			var am ocispecs.Manifest
			if err := reg.getJSON(att.Digest, true, &am); err != nil {
				t.Fatal(err)
			}
			var provenance bool
			for _, l := range am.Layers {
				pt := l.Annotations["in-toto.io/predicate-type"]
				switch {
				case strings.HasPrefix(pt, "https://slsa.dev/provenance/"):
					provenance = true
					var stmt struct {
						Predicate json.RawMessage `json:"predicate"`
					}
					if err := reg.getJSON(l.Digest, false, &stmt); err != nil {
						t.Fatal(err)
					}
					// mode=max records the build arguments.
					if !bytes.Contains(stmt.Predicate, []byte(`"build-arg:VERSION":"`+ver+`"`)) {
						t.Errorf("provenance (%s) does not record build-arg:VERSION=%s (mode=max)", pt, ver)
					}
				case strings.HasPrefix(pt, "https://spdx.dev/"):
					t.Errorf("an SBOM (%s) although ATTEST_SBOM=0", pt)
				}
			}
			if !provenance {
				t.Errorf("attestation manifest %s has no provenance", att.Digest)
			}
		})
	}

	// The arm64 binary runs, under user-mode emulation, and knows its version.
	if arm64 == nil {
		t.Fatal("no arm64 binary to run")
	}
	exe := filepath.Join(t.TempDir(), "securefile-frontend")
	if err := os.WriteFile(exe, arm64, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(qemu, exe, "-version").CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-aarch64-static securefile-frontend -version: %v: %s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "securefile-frontend "+ver; got != want {
		t.Errorf("-version printed %q, want %q", got, want)
	}
}

func keys(m map[string]ocispecs.Descriptor) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

// registryAPI reads one repository of the plain-HTTP test registry with
// the OCI distribution API.
type registryAPI struct {
	host, repo string
}

var errNotFound = errors.New("not found")

func (r *registryAPI) do(method, kind, ref string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(method, fmt.Sprintf("http://%s/v2/%s/%s/%s", r.host, r.repo, kind, ref), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", strings.Join([]string{
		ocispecs.MediaTypeImageIndex,
		ocispecs.MediaTypeImageManifest,
		"application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.docker.distribution.manifest.v2+json",
	}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil, fmt.Errorf("%s %s: %w", method, req.URL, errNotFound)
	case resp.StatusCode/100 != 2:
		return nil, nil, fmt.Errorf("%s %s: %s: %s", method, req.URL, resp.Status, b)
	}
	return b, resp.Header, nil
}

// manifest is the manifest or index that ref (a tag or digest) names, as
// stored, and its media type.
func (r *registryAPI) manifest(ref string) ([]byte, string, error) {
	b, hdr, err := r.do("GET", "manifests", ref)
	if err != nil {
		return nil, "", err
	}
	return b, hdr.Get("Content-Type"), nil
}

// deleteTag removes what tag points to (the registry deletes manifests by
// digest); a tag that is not there is fine.
func (r *registryAPI) deleteTag(tag string) error {
	_, hdr, err := r.do("HEAD", "manifests", tag)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d := hdr.Get("Docker-Content-Digest")
	if d == "" {
		return fmt.Errorf("HEAD %s:%s: no Docker-Content-Digest", r.repo, tag)
	}
	if _, _, err := r.do("DELETE", "manifests", d); err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	return nil
}

// get is the blob or manifest d, checked against its digest.
func (r *registryAPI) get(d digest.Digest, manifest bool) ([]byte, error) {
	kind := "blobs"
	if manifest {
		kind = "manifests"
	}
	b, _, err := r.do("GET", kind, d.String())
	if err != nil {
		return nil, err
	}
	if got := digest.FromBytes(b); got != d {
		return nil, fmt.Errorf("%s %s: content is %s", kind, d, got)
	}
	return b, nil
}

func (r *registryAPI) getJSON(d digest.Digest, manifest bool, v any) error {
	b, err := r.get(d, manifest)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", d, err)
	}
	return nil
}

// layerFile is the content of the regular file name in the gzip tar
// layers, the topmost first.
func (r *registryAPI) layerFile(layers []ocispecs.Descriptor, name string) ([]byte, error) {
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if l.MediaType != ocispecs.MediaTypeImageLayerGzip && l.MediaType != "application/vnd.docker.image.rootfs.diff.tar.gzip" {
			return nil, fmt.Errorf("layer %s: media type %s, want a gzip tar", l.Digest, l.MediaType)
		}
		b, err := r.get(l.Digest, false)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("layer %s: %v", l.Digest, err)
		}
		tr := tar.NewReader(zr)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("layer %s: %v", l.Digest, err)
			}
			if strings.TrimPrefix(hdr.Name, "./") == name && hdr.Typeflag == tar.TypeReg {
				return io.ReadAll(tr)
			}
		}
	}
	return nil, fmt.Errorf("no %s in the layers", name)
}
