package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestSearchFindsPlantedSecrets checks the leak search itself (not behind
// the e2e tag): a secret planted in a gzipped layer's file content, in a
// file name, and in the config's history is found in each place, and the
// layers flatten to the expected files.
func TestSearchFindsPlantedSecrets(t *testing.T) {
	const secret = "s3cr3t-planted-value"
	layer := tarOf(t, map[string]string{
		"etc/app.conf":           "password=" + secret + "\n",
		"tmp/" + secret + ".txt": "x",
		"hello.txt":              "hello\n",
	})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()

	blobs := map[digest.Digest][]byte{}
	put := func(b []byte) ocispecs.Descriptor {
		d := digest.FromBytes(b)
		blobs[d] = b
		return ocispecs.Descriptor{Digest: d, Size: int64(len(b))}
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"history": []map[string]string{{"created_by": "RUN echo " + secret}},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{digest.FromBytes(layer).String()}},
	})
	cd := put(cfg)
	cd.MediaType = ocispecs.MediaTypeImageConfig
	ld := put(gz.Bytes())
	ld.MediaType = ocispecs.MediaTypeImageLayerGzip
	man, _ := json.Marshal(ocispecs.Manifest{MediaType: ocispecs.MediaTypeImageManifest, Config: cd, Layers: []ocispecs.Descriptor{ld}})
	md := put(man)
	md.MediaType = ocispecs.MediaTypeImageManifest
	idx, _ := json.Marshal(ocispecs.Index{MediaType: ocispecs.MediaTypeImageIndex, Manifests: []ocispecs.Descriptor{md}})

	members := map[string]string{"index.json": string(idx), "oci-layout": `{"imageLayoutVersion":"1.0.0"}`}
	for d, b := range blobs {
		members["blobs/sha256/"+d.Encoded()] = string(b)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(path, tarOf(t, members), 0o644); err != nil {
		t.Fatal(err)
	}

	a := readOCI(t, path)
	hits := strings.Join(a.search(map[string][]byte{"secret": []byte(secret)}), "\n")
	for _, want := range []string{
		"file etc/app.conf",
		"header of tmp/" + secret + ".txt",
		"blobs/sha256/" + cd.Digest.Encoded(),
	} {
		if !strings.Contains(hits, want) {
			t.Errorf("search did not report %q; hits:\n%s", want, hits)
		}
	}
	if got := fileString(t, a.image(t).files(t), "/hello.txt"); got != "hello" {
		t.Errorf("/hello.txt = %q", got)
	}
}

// tarOf returns a tar of regular files, sorted by name.
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(files[n]))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
