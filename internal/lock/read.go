package lock

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/spec"
)

// Problem is one thing wrong with a lock file, at its place in it.
type Problem struct {
	Range   spec.Range
	Message string
}

func (p Problem) String() string { return p.Range.String() + ": " + p.Message }

// Error is every problem found in a lock file.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d problems in the lock file:\n%s", len(lines), strings.Join(lines, "\n"))
}

// fixHint ends every problem: a lock is a generated file, so the way out
// is to generate it again rather than to edit it.
const fixHint = `; run "securefile lock" to write a valid lock`

type fileTOML struct {
	Version int         `toml:"version"`
	Salt    string      `toml:"salt"`
	Image   []imageTOML `toml:"image"`
	HTTP    []httpTOML  `toml:"http"`
	Git     []gitTOML   `toml:"git"`
}

type imageTOML struct {
	Ref       string            `toml:"ref"`
	Index     string            `toml:"index"`
	Platforms map[string]string `toml:"platforms"`
}

type httpTOML struct {
	URL      string `toml:"url"`
	Checksum string `toml:"checksum"`
}

type gitTOML struct {
	URL    string `toml:"url"`
	Ref    string `toml:"ref"`
	Commit string `toml:"commit"`
}

// Parse reads a lock file and validates every entry. filename names the
// file in problems.
func Parse(filename string, data []byte) (*File, error) {
	pos := indexPositions(filename, data)
	var raw fileTOML
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		r := spec.Range{Filename: filename, Start: spec.Pos{Line: 1, Column: 1}}
		msg := err.Error()
		var pe toml.ParseError
		if errors.As(err, &pe) {
			r.Start = spec.Pos{Line: int32(pe.Position.Line), Column: int32(max(pe.Position.Col, 1))}
			msg = pe.Message
		}
		return nil, &Error{Problems: []Problem{{Range: r, Message: "invalid TOML: " + msg + fixHint}}}
	}
	v := &validator{pos: pos}
	for _, k := range md.Undecoded() {
		v.addAt(pos.undecoded(k.String()), fmt.Sprintf("unknown key %q", k.String()))
	}

	f := &File{Version: raw.Version}
	switch {
	case !md.IsDefined("version"):
		v.add("", "missing version")
	case raw.Version != Version:
		v.add("version", fmt.Sprintf("version %d is not supported; this securefile reads version %d", raw.Version, Version))
	}
	salt, err := hex.DecodeString(raw.Salt)
	switch {
	case !md.IsDefined("salt"):
		v.add("", "missing salt")
	case err != nil || len(salt) != SaltSize:
		v.add("salt", fmt.Sprintf("salt must be %d bytes in lowercase hex (%d characters)", SaltSize, 2*SaltSize))
	default:
		f.Salt = salt
	}

	for i, im := range raw.Image {
		at := fmt.Sprintf("image.%d", i)
		e := &Image{Ref: im.Ref, Index: digest.Digest(im.Index), Platforms: map[string]digest.Digest{}, Range: pos.at(at)}
		v.ref(at+".ref", im.Ref)
		v.digest(at+".index", "index", im.Index)
		if len(im.Platforms) == 0 {
			v.add(at, fmt.Sprintf("image %q pins no platform", im.Ref))
		}
		for p, d := range im.Platforms {
			pat := at + ".platforms." + p
			if pp, err := platforms.Parse(p); err != nil || platforms.FormatAll(platforms.Normalize(pp)) != p {
				v.add(pat, fmt.Sprintf("invalid platform %q (want the normalized form, such as linux/amd64)", p))
			}
			v.digest(pat, "platform digest", d)
			e.Platforms[p] = digest.Digest(d)
		}
		if prev := f.Image(im.Ref); prev != nil {
			v.add(at+".ref", fmt.Sprintf("image %q is locked twice (first at %s)", im.Ref, prev.Range))
		}
		f.Images = append(f.Images, e)
	}
	for i, h := range raw.HTTP {
		at := fmt.Sprintf("http.%d", i)
		if h.URL == "" {
			v.add(at, "http entry without url")
		}
		v.digest(at+".checksum", "checksum", h.Checksum)
		e := &HTTP{URL: h.URL, Checksum: digest.Digest(h.Checksum), Range: pos.at(at)}
		if prev := f.HTTPEntry(h.URL); prev != nil {
			v.add(at+".url", fmt.Sprintf("url %q is locked twice (first at %s)", h.URL, prev.Range))
		}
		f.HTTP = append(f.HTTP, e)
	}
	for i, g := range raw.Git {
		at := fmt.Sprintf("git.%d", i)
		if g.URL == "" {
			v.add(at, "git entry without url")
		}
		if !isCommit(g.Commit) {
			v.add(at+".commit", fmt.Sprintf("commit %q is not a full commit id (40 or 64 lowercase hex digits)", g.Commit))
		}
		e := &Git{URL: g.URL, Ref: g.Ref, Commit: g.Commit, Range: pos.at(at)}
		if prev := f.GitEntry(g.URL, g.Ref); prev != nil {
			v.add(at+".url", fmt.Sprintf("git %q ref %q is locked twice (first at %s)", g.URL, g.Ref, prev.Range))
		}
		f.Git = append(f.Git, e)
	}
	if len(v.problems) > 0 {
		sortProblems(v.problems)
		return nil, &Error{Problems: v.problems}
	}
	f.Sort()
	return f, nil
}

type validator struct {
	pos      positions
	problems []Problem
}

func (v *validator) add(key, msg string) { v.addAt(v.pos.at(key), msg) }

func (v *validator) addAt(r spec.Range, msg string) {
	v.problems = append(v.problems, Problem{Range: r, Message: msg + fixHint})
}

func (v *validator) digest(key, what, s string) {
	d, err := digest.Parse(s)
	if err != nil || d.Algorithm() != digest.SHA256 && d.Algorithm() != digest.SHA384 && d.Algorithm() != digest.SHA512 {
		v.add(key, fmt.Sprintf("%s %q is not a digest such as sha256:<64 hex digits>", what, s))
	}
}

func (v *validator) ref(key, s string) {
	named, err := reference.ParseNormalizedNamed(s)
	switch {
	case err != nil:
		v.add(key, fmt.Sprintf("invalid image reference %q: %v", s, err))
	case reference.TagNameOnly(named).String() != s:
		v.add(key, fmt.Sprintf("image reference %q is not in normalized form (%q)", s, reference.TagNameOnly(named).String()))
	default:
		if _, ok := named.(reference.Digested); ok {
			v.add(key, fmt.Sprintf("image reference %q has a digest; only tags are locked", s))
		}
	}
}

// isCommit accepts the full ids of SHA-1 and SHA-256 repositories.
func isCommit(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func sortProblems(ps []Problem) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && less(ps[j], ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func less(a, b Problem) bool {
	if a.Range.Start.Line != b.Range.Start.Line {
		return a.Range.Start.Line < b.Range.Start.Line
	}
	if a.Range.Start.Column != b.Range.Start.Column {
		return a.Range.Start.Column < b.Range.Start.Column
	}
	return a.Message < b.Message
}

// SaltOf is the salt of a lock file that may be invalid otherwise, or nil:
// rewriting a broken lock keeps the project's salt when it can.
func SaltOf(data []byte) []byte {
	var raw struct {
		Salt string `toml:"salt"`
	}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil
	}
	salt, err := hex.DecodeString(raw.Salt)
	if err != nil || len(salt) != SaltSize {
		return nil
	}
	return salt
}
