package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Options say where the scanner's inputs are mounted.
type Options struct {
	// SecretsDir holds secret i at SecretsDir/i for i < Secrets; a missing
	// file is an optional secret the client did not provide.
	SecretsDir string
	Secrets    int
	// LayersDir holds the diff of layer i at LayersDir/i for i < Layers.
	LayersDir string
	Layers    int
	// Config is the image config JSON; "" means none.
	Config string
}

// scanner is one scan in progress.
type scanner struct {
	m      *Matcher
	report *Report
	seen   map[Hit]bool
}

// Scan reads the secrets, derives their patterns and searches every layer
// and the config. An error means the scan could not be done at all (a
// missing layer, an unreadable secret); files that cannot be read are
// listed in the report instead.
func Scan(opt Options) (*Report, error) {
	r := &Report{Secrets: []SecretStatus{}}
	var ps []Pattern
	covered := map[int]map[string][]string{}
	for i := 0; i < opt.Secrets; i++ {
		st := SecretStatus{Index: i}
		v, err := os.ReadFile(filepath.Join(opt.SecretsDir, strconv.Itoa(i)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st.Status = StatusMissing
		case err != nil:
			return nil, fmt.Errorf("secret %d: %w", i, err)
		default:
			d := SecretPatterns(i, v)
			if len(d.Patterns) == 0 {
				st.Status = StatusTooShort
			} else {
				st.Status, st.Patterns = StatusChecked, len(d.Patterns)
				st.Fields, st.ShortFields = d.Fields, d.ShortFields
				ps = append(ps, d.Patterns...)
				covered[i] = d.covered
			}
		}
		r.Secrets = append(r.Secrets, st)
	}
	s := &scanner{m: NewMatcher(ps), report: r, seen: map[Hit]bool{}}
	if s.m.Empty() {
		return r, nil
	}
	// A field's name was checked against its own secret's patterns; a
	// name that holds another secret's is withheld too.
	for i := range s.m.patterns {
		if p := &s.m.patterns[i]; p.Part != "" && s.holds(p.Part) {
			p.Part = withheldName
		}
	}
	for i := range r.Secrets {
		for j, f := range r.Secrets[i].ShortFields {
			if s.holds(f) {
				r.Secrets[i].ShortFields[j] = withheldName
			}
		}
	}
	for i := 0; i < opt.Layers; i++ {
		if err := s.layer(i, filepath.Join(opt.LayersDir, strconv.Itoa(i))); err != nil {
			return nil, err
		}
	}
	if opt.Config != "" {
		b, err := os.ReadFile(opt.Config)
		if err != nil {
			return nil, fmt.Errorf("image config: %w", err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("image config: %w", err)
		}
		s.config("", v)
	}
	r.Hits = dropCoveredFields(r.Hits, covered)
	sort.SliceStable(r.Hits, func(i, j int) bool { return lessHit(r.Hits[i], r.Hits[j]) })
	return r, nil
}

// dropCoveredFields drops the hits of a secret's fields in a place where
// the whole secret, or a field that holds them, is found too: a copy of a
// credential file holds every field, and the whole secret says it all.
// covered is, per secret, Derived.covered; names withheld since are
// matched as withheld.
func dropCoveredFields(hits []Hit, covered map[int]map[string][]string) []Hit {
	type place struct {
		secret             int
		where, path, field string
		layer              int
	}
	found := map[place]map[string]bool{} // the parts found there; "" is the whole value
	for _, h := range hits {
		p := place{h.Secret, h.Where, h.Path, h.Field, h.Layer}
		if found[p] == nil {
			found[p] = map[string]bool{}
		}
		found[p][h.Part] = true
	}
	out := hits[:0]
	for _, h := range hits {
		at := found[place{h.Secret, h.Where, h.Path, h.Field, h.Layer}]
		drop := h.Part != "" && at[""]
		for _, by := range covered[h.Secret][h.Part] {
			drop = drop || at[by]
		}
		if !drop {
			out = append(out, h)
		}
	}
	return out
}

func lessHit(a, b Hit) bool {
	if a.Secret != b.Secret {
		return a.Secret < b.Secret
	}
	if a.Where != b.Where {
		return a.Where < b.Where
	}
	if a.Layer != b.Layer {
		return a.Layer < b.Layer
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Field != b.Field {
		return a.Field < b.Field
	}
	if a.Part != b.Part {
		return a.Part < b.Part
	}
	return a.Encoding < b.Encoding
}

// hit is h, a match of pattern pi, with what the pattern is.
func (s *scanner) hit(pi int, h Hit) Hit {
	p := s.m.patterns[pi]
	h.Secret, h.Encoding, h.Part = p.Secret, p.Encoding, p.Part
	return h
}

func (s *scanner) add(h Hit) {
	if !s.seen[h] {
		s.seen[h] = true
		s.report.Hits = append(s.report.Hits, h)
	}
}

// layer walks one diff. Symlinks are not followed (their targets are
// searched as text); only regular files are read.
func (s *scanner) layer(i int, root string) error {
	if _, err := os.Stat(root); err != nil {
		return fmt.Errorf("layer %d: %w", i, err)
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel := "/" + filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(p, root), string(filepath.Separator)))
		if err != nil {
			s.report.Errors = append(s.report.Errors, ReadError{Layer: i, Path: s.safePath(rel), Error: errText(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != root {
			s.m.Match([]byte(d.Name()), func(pi int) {
				s.add(s.hit(pi, Hit{Where: InName, Layer: i, Path: s.safePath(path.Dir(rel))}))
			})
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				s.report.Errors = append(s.report.Errors, ReadError{Layer: i, Path: s.safePath(rel), Error: errText(err)})
				return nil
			}
			s.m.Match([]byte(target), func(pi int) {
				s.add(s.hit(pi, Hit{Where: InLink, Layer: i, Path: s.safePath(rel)}))
			})
		case d.Type().IsRegular():
			s.file(i, p, rel)
		}
		return nil
	})
}

func (s *scanner) file(layer int, p, rel string) {
	f, err := os.Open(p)
	if err != nil {
		s.report.Errors = append(s.report.Errors, ReadError{Layer: layer, Path: s.safePath(rel), Error: errText(err)})
		return
	}
	defer f.Close()
	n, err := s.m.MatchReader(f, func(pi int) {
		s.add(s.hit(pi, Hit{Where: InContent, Layer: layer, Path: s.safePath(rel)}))
	})
	s.report.Files++
	s.report.Bytes += n
	if err != nil {
		s.report.Errors = append(s.report.Errors, ReadError{Layer: layer, Path: s.safePath(rel), Error: errText(err)})
	}
}

// errText is an error without the path it names (the report names the
// path, made safe).
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return "unreadable"
}

// safePath is p cut short before the first component that holds a
// pattern, so that a secret used as a file name is not copied into the
// report by naming the file.
func (s *scanner) safePath(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	// A secret may span components (an AWS secret key holds "/"): find
	// the first prefix that holds one, then the component its match
	// starts in, and cut there.
	for end := 1; end <= len(parts); end++ {
		if !s.holds(strings.Join(parts[:end], "/")) {
			continue
		}
		start := end - 1
		for start > 0 && !s.holds(strings.Join(parts[start:end], "/")) {
			start--
		}
		return "/" + path.Join(parts[:start]...) + "/<name withheld>"
	}
	return p
}

// config searches every key and string value of the image config JSON and
// names where, e.g. "config.Env T", "config.Labels[\"k\"]",
// "history[2].created_by".
func (s *scanner) config(field string, v any) {
	hit := func(b []byte, name string) {
		s.m.Match(b, func(pi int) {
			s.add(s.hit(pi, Hit{Where: InConfig, Field: name}))
		})
	}
	switch v := v.(type) {
	case string:
		// An env entry is named by its variable, unless the name itself
		// holds the secret.
		name := field
		if list, _, ok := strings.Cut(field, "["); ok && strings.HasSuffix(list, "Env") {
			if k, _, ok := strings.Cut(v, "="); ok && !s.holds(k) {
				name = list + " " + k
			}
		}
		hit([]byte(v), name)
	case []any:
		for i, e := range v {
			s.config(field+"["+strconv.Itoa(i)+"]", e)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			// A key that holds a secret (a label name, a volume path,
			// an exposed port, any map key) is never named.
			name := k
			if s.holds(k) {
				name = "<key withheld>"
			}
			sub := field + "." + name
			if field == "" {
				sub = name
			}
			if strings.HasSuffix(field, "Labels") {
				if name == k {
					name = strconv.Quote(k)
				}
				sub = field + "[" + name + "]"
			}
			hit([]byte(k), sub+" (key)")
			s.config(sub, v[k])
		}
	}
}

func (s *scanner) holds(text string) bool {
	found := false
	s.m.Match([]byte(text), func(int) { found = true })
	return found
}
