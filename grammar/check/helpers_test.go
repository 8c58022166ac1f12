package check

import (
	"fmt"
	"unicode/utf8"

	"github.com/ourorg/securefile/spec"
)

// Models for the tests are built in code. Positions are given as line and
// column; a string value written with str() is a quoted one-line literal
// (its range covers the quotes), with word() a bare word, so the checker
// can point inside it exactly as it does for parsed files.

const file = "Securefile"

func pos(line, col, byteOff int32) spec.Pos {
	return spec.Pos{Line: line, Column: col, Byte: line*10000 + byteOff}
}

// span is the range of text at line:col, bytes long and runes wide.
func span(line, col int, text string) spec.Range {
	return spec.Range{
		Filename: file,
		Start:    pos(int32(line), int32(col), int32(col)),
		End:      pos(int32(line), int32(col+utf8.RuneCountInString(text)), int32(col+len(text))),
	}
}

func str(line, col int, s string) spec.Value[string] {
	return spec.At(s, span(line, col, `"`+s+`"`))
}

func word(line, col int, s string) spec.Value[string] { return spec.At(s, span(line, col, s)) }

func num(line, col, n int) spec.Value[int] { return spec.At(n, span(line, col, fmt.Sprint(n))) }

func boolean(line, col int, b bool) spec.Value[bool] {
	return spec.At(b, span(line, col, fmt.Sprint(b)))
}

func list(line, col int, items ...spec.Value[string]) spec.List[string] {
	return spec.List[string]{Items: items, Set: true, Range: span(line, col, "[]")}
}

func node(line, col int) spec.Node { return spec.Node{Range: span(line, col, "x")} }

// strs writes a list of quoted strings on one line, starting at col with
// ", " between them (as a formatter would print ["a", "b"]).
func strs(line, col int, items ...string) spec.List[string] {
	l := spec.List[string]{Set: true, Range: span(line, col, "[]")}
	c := col + 1
	for _, s := range items {
		l.Items = append(l.Items, str(line, c, s))
		c += utf8.RuneCountInString(s) + 4
	}
	return l
}

func imageSrc(line, col int, ref string) spec.Source {
	return spec.Source{Node: node(line, col), Set: true, Kind: spec.SourceImage, Name: str(line, col, ref)}
}

func stageSrc(line, col int, name string) spec.Source {
	return spec.Source{Node: node(line, col), Set: true, Kind: spec.SourceStage, Name: word(line, col, name)}
}

func scratch(line, col int) spec.Source {
	return spec.Source{Node: node(line, col), Set: true, Kind: spec.SourceScratch}
}

func namedCtx(line, col int, name string) spec.Source {
	return spec.Source{Node: node(line, col), Set: true, Kind: spec.SourceNamedContext, Name: str(line, col, name)}
}

// stage is "stage NAME from …" at line; image is "image NAME from …".
func stage(line int, name string, from spec.Source, steps ...spec.Step) *spec.Stage {
	return &spec.Stage{Node: node(line, 1), Kind: spec.KindStage, Name: word(line, 7, name), From: from, Steps: steps}
}

func image(line int, name string, from spec.Source, steps ...spec.Step) *spec.Stage {
	return &spec.Stage{Node: node(line, 1), Kind: spec.KindImage, Name: word(line, 7, name), From: from, Steps: steps}
}

func defaultImage(line int, name string, from spec.Source, steps ...spec.Step) *spec.Stage {
	s := image(line, name, from, steps...)
	s.Default = boolean(line, 1, true)
	s.Name = word(line, 15, name)
	return s
}

// run is `  run "cmd"` at line (the command at column 7).
func run(line int, cmd string) *spec.Run {
	return &spec.Run{Node: node(line, 3), Command: spec.Command{Node: node(line, 7), Shell: str(line, 7, cmd)}}
}

func runExec(line int, args ...string) *spec.Run {
	return &spec.Run{Node: node(line, 3), Command: spec.Command{Node: node(line, 7), Exec: strs(line, 7, args...)}}
}

func copyStep(line int, dest string, srcs ...string) *spec.Copy {
	cp := &spec.Copy{Node: node(line, 3), Sources: strs(line, 8, srcs...)}
	cp.Dest = str(line, 40, dest)
	return cp
}

func arg(line int, name string) *spec.Arg {
	return &spec.Arg{Node: node(line, 1), Name: word(line, 5, name)}
}

func argDefault(line int, name, def string) *spec.Arg {
	a := arg(line, name)
	a.Default = str(line, 8+len(name), def)
	return a
}

func secret(line int, name string) *spec.Secret {
	return &spec.Secret{Node: node(line, 1), Name: word(line, 8, name)}
}

func sshDecl(line int, name string) *spec.SSH {
	return &spec.SSH{Node: node(line, 1), Name: word(line, 5, name)}
}

func cache(line int, name, target string) *spec.Cache {
	c := &spec.Cache{Node: node(line, 1), Name: word(line, 7, name)}
	if target != "" {
		c.Target = str(line+1, 12, target)
	}
	return c
}

func kv(line, col int, k, v string) *spec.KeyValue {
	return &spec.KeyValue{Node: node(line, col), Key: word(line, col, k), Value: str(line, col+len(k)+3, v)}
}
