package toolbin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// MaxUnused is how long a tool directory may go unused before Prune
// removes it. Every build marks the directory it shares (MarkUsed) when it
// starts, so a directory is removed only when no CLI of its version and
// digest has started a build for this long: far longer than any build
// runs (BuildKit may read the tool local only at the very end of a long
// build, for the scan), so a directory an older CLI is building with at
// the same time is never removed. Removing one too early costs little:
// that CLI writes its 3.7 MB again on its next build and sends it once.
// Keeping one too long costs 3.7 MB of cache per CLI version and tool
// digest; a month of upgrades is a few of them.
const MaxUnused = 30 * 24 * time.Hour

// usedSuffix makes the marker's name from its directory's: the marker is
// the directory's sibling, not inside it. The shared directory's own
// metadata is not sent (fsutil's Walk skips the root) and a file inside
// it would be filtered out of the share, but a marker outside keeps the
// shared directory exactly as Install left it, whatever BuildKit
// compares, and lets Prune judge a directory without looking into it.
const usedSuffix = ".used"

// dirName is the name of a directory Install writes (Dir): a version as
// safeName keeps it, '-', and a SHA-256 in lower-case hex. Prune looks at
// nothing else under root.
var dirName = regexp.MustCompile(`^[A-Za-z0-9._-]+-[0-9a-f]{64}$`)

// ErrInternal marks an error of Prune's or MarkUsed's caller (a tool
// whose directory is not one Install writes), as opposed to one of the
// file system: the CLI reports it instead of skipping it.
var ErrInternal = errors.New("internal error")

// MarkUsed records that the directory Install writes t to is in use now:
// it sets the modification time of its marker, root/<dir>.used, creating
// the empty file if needed. Neither the directory nor the tool file in it
// is touched, so BuildKit has nothing new to send.
func MarkUsed(t Tool, root, version string, now time.Time) error {
	dir, err := toolDir(t, root, version)
	if err != nil {
		return err
	}
	marker := dir + usedSuffix
	err = os.Chtimes(marker, now, now)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(root, 0o700); err != nil {
			return err
		}
		var f *os.File
		if f, err = os.OpenFile(marker, os.O_WRONLY|os.O_CREATE, 0o600); err != nil {
			return err
		}
		if err = f.Close(); err != nil {
			return err
		}
		err = os.Chtimes(marker, now, now)
	}
	return err
}

// Prune removes, under root, the tool directories other than t's (of
// this version) that have not been used for longer than maxUnused, and
// their markers; it returns the paths it removed.
//
// A directory is judged by its marker's mtime (MarkUsed), or, with no
// marker (written by a CLI from before markers), by its own mtime, which
// is when its tool file was last written. Only entries named as Dir names
// them are looked at, and a directory is removed only if it holds nothing
// but the tool file and Install's temporary files: anything else under
// root, or in such a directory, is left alone. A marker whose directory
// is gone is removed once it is as old.
//
// Every entry is tried; the errors of those that could not be read or
// removed are returned joined, each naming its path. A directory used
// again between Prune's look at its marker and its removal (a CLI of
// that version, unused for a month, starting at that very moment) may be
// removed under it: Prune looks at the marker again right before
// removing, so the window is a few system calls.
func Prune(t Tool, root, version string, now time.Time, maxUnused time.Duration) ([]string, error) {
	keep, err := toolDir(t, root, version)
	if err != nil {
		return nil, err
	}
	if maxUnused <= 0 {
		return nil, fmt.Errorf("%w: pruning tool directories unused for %v", ErrInternal, maxUnused)
	}
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	old := func(tm time.Time) bool { return now.Sub(tm) > maxUnused }
	present := map[string]bool{}
	for _, e := range entries {
		present[e.Name()] = true
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(root, name)
		if base, ok := strings.CutSuffix(name, usedSuffix); ok && dirName.MatchString(base) {
			// A marker alone: its directory was removed and the marker
			// was not (an error, or a crash, in between).
			if present[base] || path == keep+usedSuffix {
				continue
			}
			fi, err := os.Lstat(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if fi.Mode().IsRegular() && old(fi.ModTime()) {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				} else {
					removed = append(removed, path)
				}
			}
			continue
		}
		if !dirName.MatchString(name) || path == keep {
			continue
		}
		used, ok, err := lastUsed(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok || !old(used) {
			continue
		}
		if ours, err := onlyTool(path); err != nil {
			errs = append(errs, err)
			continue
		} else if !ours {
			continue
		}
		// Again, right before: a CLI that has just marked it keeps it.
		if used, ok, err := lastUsed(path); err != nil {
			errs = append(errs, err)
			continue
		} else if !ok || !old(used) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			// The marker stays, so the next Prune tries again.
			errs = append(errs, err)
			continue
		}
		removed = append(removed, path)
		if err := os.Remove(path + usedSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// toolDir is Dir(t, root, version), checked to be a name Prune
// recognizes: else MarkUsed would write a marker Prune never removes, and
// Prune could not tell the directory to keep.
func toolDir(t Tool, root, version string) (string, error) {
	dir := Dir(t, root, version)
	if !dirName.MatchString(filepath.Base(dir)) {
		return "", fmt.Errorf("%w: the tool %s has the directory name %q, not <version>-<sha256>", ErrInternal, t.Name, filepath.Base(dir))
	}
	return dir, nil
}

// lastUsed is when the tool directory path was last used: its marker's
// mtime, else its own; ok is false when path is not a directory (a file
// or a symbolic link of that name is not Install's, and is left alone).
func lastUsed(path string) (time.Time, bool, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return time.Time{}, false, err
	}
	if !fi.IsDir() {
		return time.Time{}, false, nil
	}
	used := fi.ModTime()
	m, err := os.Lstat(path + usedSuffix)
	switch {
	case err == nil && m.Mode().IsRegular():
		used = m.ModTime()
	case err == nil:
		// Not a marker MarkUsed wrote: not a directory to judge.
		return time.Time{}, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return time.Time{}, false, err
	}
	return used, true, nil
}

// onlyTool reports whether the directory dir holds nothing but regular
// files Install writes: the tool, and temporary files a crash left.
func onlyTool(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || (n != FileName && !strings.HasPrefix(n, "."+FileName+"-")) {
			return false, nil
		}
	}
	return true, nil
}
