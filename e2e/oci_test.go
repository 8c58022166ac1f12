package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// ociArchive is an OCI image layout tar, every member in memory.
type ociArchive struct {
	members map[string][]byte // tar member name -> content
	order   []string
}

func readOCI(t *testing.T, p string) *ociArchive {
	t.Helper()
	a, err := loadOCI(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// loadOCI is readOCI for callers without a *testing.T (the CLI scripts'
// commands).
func loadOCI(p string) (*ociArchive, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a := &ociArchive{members: map[string][]byte{}}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		name := path.Clean(hdr.Name)
		a.members[name] = data
		a.order = append(a.order, name)
	}
	if _, ok := a.members["index.json"]; !ok {
		return nil, fmt.Errorf("%s: no index.json (members: %v)", p, a.order)
	}
	return a, nil
}

// blob returns the content of a blob of the layout.
func (a *ociArchive) blob(d digest.Digest) ([]byte, error) {
	b, ok := a.members[path.Join("blobs", d.Algorithm().String(), d.Encoded())]
	if !ok {
		return nil, fmt.Errorf("blob %s is not in the archive", d)
	}
	return b, nil
}

// images resolves index.json to its images (through nested indexes),
// skipping attestation manifests.
func (a *ociArchive) images(t *testing.T) []*ociImage {
	t.Helper()
	imgs, err := resolveImages(a.blob, a.members["index.json"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) == 0 {
		t.Fatal("the archive holds no image")
	}
	return imgs
}

// image returns the only image of the archive.
func (a *ociArchive) image(t *testing.T) *ociImage {
	t.Helper()
	img, err := a.onlyImage()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// onlyImage is image without a *testing.T.
func (a *ociArchive) onlyImage() (*ociImage, error) {
	imgs, err := resolveImages(a.blob, a.members["index.json"], nil)
	if err != nil {
		return nil, err
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("want one image in the archive, have %d", len(imgs))
	}
	return imgs[0], nil
}

// ociImage is one image: manifest, config and uncompressed layers.
type ociImage struct {
	platform *ocispecs.Platform // from the index, if any
	manifest ocispecs.Manifest
	config   dockerspec.DockerOCIImage
	layers   [][]byte // uncompressed tars, bottom first
}

func (img *ociImage) platformString() string {
	if img.platform != nil {
		return platforms.Format(*img.platform)
	}
	return platforms.Format(img.config.Platform)
}

// resolveImages reads an index or manifest (raw) and everything it points to.
func resolveImages(get func(digest.Digest) ([]byte, error), raw []byte, plat *ocispecs.Platform) ([]*ociImage, error) {
	var probe struct {
		MediaType string            `json:"mediaType"`
		Manifests []json.RawMessage `json:"manifests"`
		Config    json.RawMessage   `json:"config"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if probe.Manifests != nil || probe.Config == nil {
		var idx ocispecs.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return nil, err
		}
		var out []*ociImage
		for _, d := range idx.Manifests {
			if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
				continue
			}
			b, err := get(d.Digest)
			if err != nil {
				return nil, err
			}
			imgs, err := resolveImages(get, b, d.Platform)
			if err != nil {
				return nil, err
			}
			out = append(out, imgs...)
		}
		return out, nil
	}
	img := &ociImage{platform: plat}
	if err := json.Unmarshal(raw, &img.manifest); err != nil {
		return nil, err
	}
	cfg, err := get(img.manifest.Config.Digest)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cfg, &img.config); err != nil {
		return nil, err
	}
	for _, l := range img.manifest.Layers {
		b, err := get(l.Digest)
		if err != nil {
			return nil, err
		}
		u, err := uncompress(b)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		img.layers = append(img.layers, u)
	}
	return []*ociImage{img}, nil
}

// uncompress returns b gunzipped if it is gzip, else b (an uncompressed
// tar). zstd layers are not used by the tests.
func uncompress(b []byte) ([]byte, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	if len(b) >= 4 && bytes.Equal(b[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		return nil, errors.New("zstd layers are not supported by the tests")
	}
	return b, nil
}

// file is one entry of an image's filesystem.
type file struct {
	hdr  *tar.Header
	data []byte
}

// files flattens the layers: path without leading "/" -> entry (whiteouts
// applied).
func (img *ociImage) files(t *testing.T) map[string]*file {
	t.Helper()
	fs, err := img.fileMap()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// fileMap is files without a *testing.T.
func (img *ociImage) fileMap() (map[string]*file, error) {
	fs := map[string]*file{}
	for i, l := range img.layers {
		tr := tar.NewReader(bytes.NewReader(l))
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("layer %d: %v", i, err)
			}
			name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
			dir, base := path.Split(name)
			if base == ".wh..wh..opq" {
				for k := range fs {
					if strings.HasPrefix(k, dir) {
						delete(fs, k)
					}
				}
				continue
			}
			if strings.HasPrefix(base, ".wh.") {
				gone := dir + strings.TrimPrefix(base, ".wh.")
				for k := range fs {
					if k == gone || strings.HasPrefix(k, gone+"/") {
						delete(fs, k)
					}
				}
				continue
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("layer %d: %v", i, err)
			}
			fs[name] = &file{hdr: hdr, data: data}
		}
	}
	return fs, nil
}

// search looks for each needle in every member of the archive (index,
// manifests, configs with their history, layer blobs), in every layer
// uncompressed, and in every file of every layer, and returns one line per
// hit.
func (a *ociArchive) search(needles map[string][]byte) []string {
	var hits []string
	find := func(where string, data []byte) {
		for what, n := range needles {
			if len(n) > 0 && bytes.Contains(data, n) {
				hits = append(hits, fmt.Sprintf("%s found in %s", what, where))
			}
		}
	}
	for _, name := range a.order {
		data := a.members[name]
		find(name, data)
		u, err := uncompress(data)
		if err != nil || bytes.Equal(u, data) && !isTar(u) {
			continue
		}
		if !bytes.Equal(u, data) {
			find(name+" (uncompressed)", u)
		}
		tr := tar.NewReader(bytes.NewReader(u))
		for {
			hdr, err := tr.Next()
			if err != nil {
				break
			}
			find(fmt.Sprintf("%s: header of %s", name, hdr.Name), []byte(fmt.Sprint(hdr.Name, hdr.Linkname, hdr.PAXRecords)))
			if body, err := io.ReadAll(tr); err == nil {
				find(fmt.Sprintf("%s: file %s", name, hdr.Name), body)
			}
		}
	}
	return hits
}

// isTar reports whether b starts with a tar header (ustar magic at 257).
func isTar(b []byte) bool {
	return len(b) >= 262 && bytes.Equal(b[257:262], []byte("ustar"))
}

// fileString returns the content of a regular file of the image, trimmed.
func fileString(t *testing.T, files map[string]*file, path string) string {
	t.Helper()
	f := files[strings.TrimPrefix(path, "/")]
	if f == nil {
		t.Fatalf("%s is not in the image", path)
	}
	return strings.TrimSpace(string(f.data))
}
