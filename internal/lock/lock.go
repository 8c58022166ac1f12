// Package lock is the model of Securefile.lock, the file `securefile lock`
// writes next to a build file: every image a build uses pinned per
// platform to a manifest digest, every http download to a checksum and
// every git ref to a commit, plus a per-project salt.
//
// The file is TOML, written in one canonical form (Marshal) so that two
// locks of the same sources are byte-identical and a change shows as a
// small diff; Parse reads it back and reports every problem with its
// position in the lock file.
package lock

import (
	"crypto/rand"
	"fmt"
	"sort"

	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/spec"
)

// FileName is the lock's name, in the directory of the build file. A
// Securefile and a Securefile.toml in one directory describe one project
// and share it.
const FileName = "Securefile.lock"

// Version is the format version Marshal writes and Parse accepts.
const Version = 1

// SaltSize is the length of File.Salt in bytes.
const SaltSize = 32

// File is a parsed or freshly resolved lock. Entries are kept sorted
// (Sort) so that lookups and output do not depend on resolution order.
type File struct {
	Version int
	// Salt is random, made once when the lock is first created and kept
	// by every later `securefile lock`; secret rotation mixes it into the
	// digests it computes so that they cannot be matched across projects.
	Salt   []byte
	Images []*Image
	HTTP   []*HTTP
	Git    []*Git
}

// Image pins one image reference.
type Image struct {
	// Ref is the reference as the build resolves it: normalized and
	// tagged ("docker.io/library/busybox:latest"), never with a digest
	// (a reference with a digest is pinned by the build file itself).
	Ref string
	// Index is what the tag resolved to when it was locked: the image
	// index, or the manifest of a single-platform image.
	Index digest.Digest
	// Platforms maps a platform (containerd's FormatAll: "linux/amd64",
	// "linux/arm/v7") to the manifest the build uses for it.
	Platforms map[string]digest.Digest
	Range     spec.Range
}

// HTTP pins a downloaded file.
type HTTP struct {
	URL      string
	Checksum digest.Digest
	Range    spec.Range
}

// Git pins a repository ref ("" is the remote's default branch) to a
// commit.
type Git struct {
	URL    string
	Ref    string
	Commit string
	Range  spec.Range
}

// New is an empty lock with a fresh salt.
func New() (*File, error) {
	salt := make([]byte, SaltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("making the lock salt: %w", err)
	}
	return &File{Version: Version, Salt: salt}, nil
}

// Image returns the entry for ref, or nil.
func (f *File) Image(ref string) *Image {
	if f == nil {
		return nil
	}
	for _, im := range f.Images {
		if im.Ref == ref {
			return im
		}
	}
	return nil
}

// ImageDigest is the manifest pinned for ref on platform (FormatAll form),
// or "".
func (f *File) ImageDigest(ref, platform string) digest.Digest {
	if im := f.Image(ref); im != nil {
		return im.Platforms[platform]
	}
	return ""
}

// HTTPEntry returns the entry for url, or nil.
func (f *File) HTTPEntry(url string) *HTTP {
	if f == nil {
		return nil
	}
	for _, h := range f.HTTP {
		if h.URL == url {
			return h
		}
	}
	return nil
}

// GitEntry returns the entry for url and ref, or nil.
func (f *File) GitEntry(url, ref string) *Git {
	if f == nil {
		return nil
	}
	for _, g := range f.Git {
		if g.URL == url && g.Ref == ref {
			return g
		}
	}
	return nil
}

// Sort puts the entries in the order Marshal writes them.
func (f *File) Sort() {
	sort.Slice(f.Images, func(i, j int) bool { return f.Images[i].Ref < f.Images[j].Ref })
	sort.Slice(f.HTTP, func(i, j int) bool { return f.HTTP[i].URL < f.HTTP[j].URL })
	sort.Slice(f.Git, func(i, j int) bool {
		if f.Git[i].URL != f.Git[j].URL {
			return f.Git[i].URL < f.Git[j].URL
		}
		return f.Git[i].Ref < f.Git[j].Ref
	})
}
