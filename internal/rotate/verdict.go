package rotate

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// The verdict key lets a cached build reuse the leak scan's verdict
// (frontend/verify.go): the scan mounts, read-only, one verdict key per
// secret it looks for, so BuildKit keys the scan on their content, and a
// scan of the same chain with the same values is a cache hit.
//
// A verdict key is the HMAC, keyed by the daemon's verdict epoch, of the
// secret's digest line. The digest already changes exactly when the value
// does; the epoch adds what a digest cannot see: that a cached layer may
// no longer be the layer a verdict was made for. BuildKit can keep several
// results under one cache key (a step rebuilt by --no-cache, a result
// imported from a cache), and a verdict is matched by key, not by result.
// Every build that can add such a result renews the epoch (the frontend
// sets lower.Options.RenewVerdictEpoch), so no verdict made before it is
// ever matched again: the next scan is made for the results BuildKit holds
// from then on. The epoch lives in a cache mount of its own, which never
// leaves the daemon, so a verdict is never imported from another builder
// either. docs/security.md, "Cached verdicts", has the whole argument.

// VerdictSuffix is appended to a digest file's name for its verdict key.
const VerdictSuffix = ".verdict"

// verdictDomain separates verdict keys from digests (the same HMAC
// construction) and versions their format.
const verdictDomain = "securefile-verdict-v1\x00"

// epochName is the epoch's file in its directory.
const epochName = "epoch"

// VerdictKey is the hex HMAC-SHA256, keyed by epoch, of a digest file's
// content (a digest line, or Absent).
func VerdictKey(epoch []byte, digestFile string) string {
	m := hmac.New(sha256.New, epoch)
	m.Write([]byte(verdictDomain))
	m.Write([]byte(digestFile))
	return hex.EncodeToString(m.Sum(nil))
}

// Epoch returns the verdict epoch kept in dir, creating it on first use;
// with renew, it first replaces it with a new one. Concurrent builds that
// find none agree on one (as DaemonSalt does); a renewal is a rename, so a
// concurrent reader sees the old epoch or the new one, whole.
func Epoch(dir string, renew bool) ([]byte, error) {
	p := filepath.Join(dir, epochName)
	if renew {
		if err := renewKey(dir, p); err != nil {
			return nil, fmt.Errorf("renewing the verdict epoch: %w", err)
		}
	}
	return keyIn(dir, p, "verdict epoch")
}

func renewKey(dir, p string) error {
	var key [SaltSize]byte
	if _, err := rand.Read(key[:]); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".epoch-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(key[:])
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
