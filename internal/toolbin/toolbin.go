// Package toolbin carries, inside the CLI, small static securefile-tool
// binaries (cmd/securefile-tool) for linux architectures, so that
// securefile build shares a few megabytes with a daemon as the tool,
// not the whole CLI, and a macOS or Windows CLI needs no image for a
// secret build.
//
// The binaries are prebuilt into bin/ by build.sh (`make tools`, which
// `make build` and `make dist` run first) with their SHA256SUMS; they
// are not committed. Only a build with the tag toolbin embeds bin/
// (embed.go), and make build and make dist pass it right after
// build.sh: so a plain `go build`, `go test` or `go install` never
// embeds binaries left in bin/ by an earlier make build, which may be of
// older code. Without the tag, or with it and no prebuilt files (bin/
// then holds only the committed README.md), Tools lists none and the
// CLI falls back to what it did before (itself, or the image of its
// version).
package toolbin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	// sumsFile lists every embedded tool with its digest (sha256sum
	// format); a tool binary not listed there is not offered.
	sumsFile = "bin/SHA256SUMS"
	// FileName is the name the tool has in the directory Install writes,
	// and so in the local securefile build shares.
	FileName = "securefile-tool"
)

// toolName is a tool's file name in bin/: securefile-tool-linux-ARCH, and
// -VARIANT for an ARM variant (securefile-tool-linux-arm-v7).
var toolName = regexp.MustCompile(`^securefile-tool-linux-([a-z0-9]+)(?:-(v[0-9]+))?$`)

// Tool is one embedded binary.
type Tool struct {
	// Platform is linux and the architecture (and variant) it is built for.
	Platform ocispecs.Platform
	// Name is its file in bin/.
	Name string
	// Sum is its SHA-256, hex, as SHA256SUMS lists it.
	Sum string
}

// Tools lists the embedded tools, none for a CLI built without them. An
// SHA256SUMS that does not parse, or names a file that is not there, is
// an error: the CLI was built wrong, and offering nothing would hide it.
func Tools() ([]Tool, error) {
	if files == nil {
		return nil, nil
	}
	return parseSums(files)
}

func parseSums(fsys fs.FS) ([]Tool, error) {
	dt, err := fs.ReadFile(fsys, sumsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tools []Tool
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		// sha256sum's text mode: 64 hex digits, two spaces, the name.
		sum, name, ok := strings.Cut(line, "  ")
		m := toolName.FindStringSubmatch(name)
		if !ok || len(sum) != sha256.Size*2 || strings.Trim(sum, "0123456789abcdef") != "" || m == nil {
			return nil, fmt.Errorf("embedded %s:%d: %q is not \"<sha256>  securefile-tool-linux-ARCH[-VARIANT]\"", sumsFile, n, line)
		}
		if seen[name] {
			return nil, fmt.Errorf("embedded %s:%d: %s is listed twice", sumsFile, n, name)
		}
		seen[name] = true
		if _, err := fs.Stat(fsys, "bin/"+name); err != nil {
			return nil, fmt.Errorf("embedded %s:%d: %s is listed but not embedded: %w", sumsFile, n, name, err)
		}
		tools = append(tools, Tool{
			Platform: ocispecs.Platform{OS: "linux", Architecture: m[1], Variant: m[2]},
			Name:     name,
			Sum:      sum,
		})
	}
	return tools, sc.Err()
}

// Install makes sure dir/<version>-<sum>/securefile-tool under root (a
// per-user cache directory) holds exactly t, executable, and returns
// that directory. A file already there with the right digest is kept as
// it is: BuildKit's local source compares the file's metadata (size,
// mode, mtime) with the copy it has from an earlier build and sends
// nothing when they agree, so the file must not be rewritten on every
// build. A file with another digest (truncated, altered) is replaced.
func Install(t Tool, root, version string) (string, error) {
	if files == nil {
		return "", fmt.Errorf("this securefile embeds no tool %s", t.Name)
	}
	return install(files, t, root, version)
}

// Dir is the directory under root that Install writes t to.
func Dir(t Tool, root, version string) string {
	return filepath.Join(root, safeName(version)+"-"+t.Sum)
}

func install(fsys fs.FS, t Tool, root, version string) (string, error) {
	dir := Dir(t, root, version)
	path := filepath.Join(dir, FileName)
	if ok, err := hasSum(path, t.Sum); err != nil {
		return "", err
	} else if ok {
		return dir, nil
	}
	data, err := fs.ReadFile(fsys, "bin/"+t.Name)
	if err != nil {
		return "", err
	}
	if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != t.Sum {
		return "", fmt.Errorf("the embedded %s has digest %x, and %s says %s: the CLI was built wrong", t.Name, h, sumsFile, t.Sum)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// A temporary file renamed into place: a concurrent build reads
	// either no file or the whole one, never a partial write.
	tmp, err := os.CreateTemp(dir, "."+FileName+"-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	// Read back, so that what is shared is what was checked.
	if ok, err := hasSum(path, t.Sum); err != nil {
		return "", err
	} else if !ok {
		return "", fmt.Errorf("%s does not have the digest %s after writing it", path, t.Sum)
	}
	return dir, nil
}

// hasSum reports whether path is a regular executable file with digest
// sum; false, with no error, when there is no such file.
func hasSum(path, sum string) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Windows has no permission bits (a writable file is 0666 there);
	// fsutil sends every file from Windows as 0755, executable.
	if !fi.Mode().IsRegular() || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o755) {
		return false, nil
	}
	// Streamed, not read whole: every build checks the file, and a 3.7 MB
	// buffer costs more in page faults than the hash itself.
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 64<<10)); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sum, nil
}

// safeName keeps letters, digits, '.', '-' and '_' of a version for a
// directory name.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	if s == "" || s == "." || s == ".." {
		return "unknown"
	}
	return s
}
