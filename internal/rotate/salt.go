package rotate

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SaltSize is the length of a daemon salt.
const SaltSize = 32

// saltName is the daemon salt's file in its directory.
const saltName = "salt"

// DaemonSalt returns the salt kept in dir, creating it on first use.
//
// A build without Securefile.lock has no project salt, so its secret
// digests are keyed by a salt of the daemon's own: dir is a cache mount,
// which stays on the daemon and is never exported, so neither the salt nor
// anything computed only from public inputs leaves the builder. Builds
// that share a daemon share the salt, and so their cache.
//
// Concurrent builds may find no salt at once: each writes a random salt to
// a file of its own and links it into place, which fails when another was
// first; every build then reads the one salt that was linked.
func DaemonSalt(dir string) ([]byte, error) {
	return keyIn(dir, filepath.Join(dir, saltName), "daemon's salt")
}

// keyIn reads the random key at p in dir, creating it first when there is
// none; what names it in errors.
func keyIn(dir, p, what string) ([]byte, error) {
	key, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createSalt(dir, p); err != nil {
			return nil, err
		}
		key, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, err
	}
	if len(key) != SaltSize {
		return nil, fmt.Errorf("the %s %s has %d bytes, want %d: it is damaged; prune the builder's cache mounts (buildctl prune, docker buildx prune) to make a new one", what, p, len(key), SaltSize)
	}
	return key, nil
}

func createSalt(dir, p string) error {
	var salt [SaltSize]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".salt-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(salt[:])
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, p); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}
