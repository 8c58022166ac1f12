//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// registryImages fetches ref (host/repo:tag) from the plain-HTTP registry
// with the registry API and returns its images.
func registryImages(t *testing.T, ref string) []*ociImage {
	t.Helper()
	imgs, err := fetchImages(ref)
	if err != nil {
		t.Fatal(err)
	}
	return imgs
}

// fetchImages is registryImages without a *testing.T (the CLI scripts'
// commands).
func fetchImages(ref string) ([]*ociImage, error) {
	host, rest, _ := strings.Cut(ref, "/")
	repo, tag, _ := strings.Cut(rest, ":")
	get := func(kind, ref string) ([]byte, error) {
		req, err := http.NewRequest("GET", fmt.Sprintf("http://%s/v2/%s/%s/%s", host, repo, kind, ref), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", strings.Join([]string{
			"application/vnd.oci.image.index.v1+json",
			"application/vnd.oci.image.manifest.v1+json",
			"application/vnd.docker.distribution.manifest.list.v2+json",
			"application/vnd.docker.distribution.manifest.v2+json",
		}, ", "))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %s", req.URL, resp.Status, b)
		}
		return b, nil
	}
	top, err := get("manifests", tag)
	if err != nil {
		return nil, err
	}
	blob := func(d digest.Digest) ([]byte, error) {
		// manifests live under manifests/, everything else under blobs/
		if b, err := get("manifests", d.String()); err == nil {
			return b, nil
		}
		return get("blobs", d.String())
	}
	return resolveImages(blob, top, nil)
}
