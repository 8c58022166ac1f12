package lock

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// positions maps key paths ("salt", "image.0", "image.0.platforms.linux/amd64")
// to where they are written. BurntSushi/toml does not report positions,
// and a lock is written one key per line, so a line scanner finds them;
// for a hand-edited file with inline tables the nearest enclosing entry,
// else the top of the file, is blamed.
type positions struct {
	filename string
	keys     map[string]spec.Pos
}

func indexPositions(filename string, data []byte) positions {
	p := positions{filename: filename, keys: map[string]spec.Pos{}}
	counts := map[string]int{}
	table := ""
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		indent := utf8.RuneCountInString(line[:len(line)-len(strings.TrimLeft(line, " \t"))])
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case strings.HasPrefix(trimmed, "[["):
			name := strings.TrimSpace(strings.Trim(trimmed, "[] \t"))
			table = fmt.Sprintf("%s.%d", name, counts[name])
			counts[name]++
			p.keys[table] = spec.Pos{Line: int32(n), Column: int32(indent + 1)}
		case strings.HasPrefix(trimmed, "["):
			name := strings.TrimSpace(strings.Trim(trimmed, "[] \t"))
			// [image.platforms] belongs to the last [[image]].
			if parent, sub, ok := strings.Cut(name, "."); ok && counts[parent] > 0 {
				name = fmt.Sprintf("%s.%d.%s", parent, counts[parent]-1, sub)
			}
			table = name
			p.keys[table] = spec.Pos{Line: int32(n), Column: int32(indent + 1)}
		default:
			k, _, ok := strings.Cut(trimmed, "=")
			if !ok {
				continue
			}
			k = strings.TrimSpace(k)
			if u, err := strconv.Unquote(k); err == nil {
				k = u
			}
			if table != "" {
				k = table + "." + k
			}
			p.keys[k] = spec.Pos{Line: int32(n), Column: int32(indent + 1)}
		}
	}
	return p
}

// at is the range of key, or of its nearest enclosing key that was found.
func (p positions) at(key string) spec.Range {
	for k := key; k != ""; {
		if pos, ok := p.keys[k]; ok {
			return spec.Range{Filename: p.filename, Start: pos, End: pos}
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return spec.Range{Filename: p.filename, Start: spec.Pos{Line: 1, Column: 1}, End: spec.Pos{Line: 1, Column: 1}}
}

// undecoded is the range of a key BurntSushi reports as unknown. Its path
// has no array indexes ("image.digest" for a key in some [[image]]), so
// the first written key with that path once indexes are dropped is meant.
func (p positions) undecoded(key string) spec.Range {
	best := spec.Pos{}
	for k, pos := range p.keys {
		if withoutIndexes(k) == key && (best.Line == 0 || pos.Line < best.Line) {
			best = pos
		}
	}
	if best.Line == 0 {
		return p.at(key)
	}
	return spec.Range{Filename: p.filename, Start: best, End: best}
}

func withoutIndexes(k string) string {
	segs := strings.Split(k, ".")
	out := segs[:0]
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err != nil {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}
