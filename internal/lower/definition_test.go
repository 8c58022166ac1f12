package lower

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	digest "github.com/opencontainers/go-digest"
	"github.com/rogpeppe/go-internal/txtar"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ourorg/securefile/grammar"
)

// protobufMarshal is what MarshalDefinition must equal: protobuf's own
// deterministic marshal of the definition.
func protobufMarshal(def *llb.Definition) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
}

func sameAsProtobuf(t *testing.T, name string, def *llb.Definition) {
	t.Helper()
	want, werr := protobufMarshal(def)
	got, gerr := MarshalDefinition(def)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%s: protobuf's error %v, MarshalDefinition's %v", name, werr, gerr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, protobuf's deterministic marshal %d bytes, first difference at %d", name, len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every build the golden cases and the examples hold, lowered with a
// source map (so the definition has locations and a source info) in
// each syntax, marshals to protobuf's bytes; so do the generated shapes
// and definitions that set every field.
func TestMarshalDefinition(t *testing.T) {
	ctx := context.Background()
	srcs := map[string][]byte{
		"linear":        []byte(genLinear(300, true)),
		"fanin":         []byte(genFanIn(40)),
		"secrets+cache": []byte(bigSecretsBuild),
	}
	cases, _ := filepath.Glob("../../grammar/testdata/cases/*.txtar")
	for _, p := range cases {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "Securefile" || f.Name == "Securefile.toml" {
				srcs[filepath.Base(p)+"/"+f.Name] = f.Data
			}
		}
	}
	examples, _ := filepath.Glob("../../examples/*/Securefile*")
	for _, p := range examples {
		dt, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		srcs[p] = dt
	}
	lowered := 0
	for name, src := range srcs {
		syntax := grammar.DSL
		if strings.HasSuffix(name, ".toml") {
			syntax = grammar.TOML
		}
		f, diags := grammar.Load("Securefile", src, syntax)
		if diags.HasErrors() {
			continue // the error cases
		}
		o := opts()
		o.MetaResolver = &fakeResolver{noRecord: true}
		o.SourceMap = llb.NewSourceMap(nil, "Securefile", "", src)
		res, err := Lower(ctx, f, o)
		if err != nil {
			continue // a case whose target needs what the test does not give
		}
		def, err := res.State.Marshal(ctx, llb.Platform(arm64))
		if err != nil {
			t.Fatal(err)
		}
		sameAsProtobuf(t, name, def)
		lowered++
	}
	if lowered < 30 {
		t.Fatalf("only %d builds lowered: the corpus is not where the test looks", lowered)
	}

	full := func() *llb.Definition {
		return &llb.Definition{
			Def: [][]byte{[]byte("op1"), {}, bytes.Repeat([]byte{0xff}, 300)},
			Metadata: map[digest.Digest]llb.OpMetadata{
				"sha256:b": {
					IgnoreCache:    true,
					Description:    map[string]string{"z": "1", "a": "", "llb.customname": "[x 1/2] RUN y", "é": strings.Repeat("v", 200)},
					ExportCache:    &pb.ExportCache{Value: true},
					Caps:           map[apicaps.CapID]bool{"b": true, "a": false, "constraints": true},
					ProgressGroup:  &pb.ProgressGroup{Id: "g", Name: "group", Weak: true},
					LinuxResources: &pb.LinuxResources{Memory: 1 << 30, CpuQuota: 5, CpusetCpus: "0-1"},
				},
				"sha256:a": {},
				"":         {ExportCache: &pb.ExportCache{}},
			},
			Source: &pb.Source{
				Locations: map[string]*pb.Locations{
					"sha256:b": {Locations: []*pb.Location{{SourceIndex: 1, Ranges: []*pb.Range{{Start: &pb.Position{Line: 3, Character: 2}, End: &pb.Position{Line: 4}}}}}},
					"sha256:a": {},
					"sha256:c": nil,
				},
				Infos: []*pb.SourceInfo{{Filename: "Securefile", Data: []byte("x"), Language: "securefile"}, {}},
			},
		}
	}
	sameAsProtobuf(t, "every field", full())
	sameAsProtobuf(t, "empty", &llb.Definition{})

	// What the encoder leaves to protobuf, and gets protobuf's answer
	// for: a source info with a definition, a string that is not UTF-8
	// (an error), unknown fields.
	withDef := full()
	withDef.Source.Infos[0].Definition = full().ToPB()
	sameAsProtobuf(t, "a source info with a definition", withDef)
	bad := full()
	bad.Metadata["sha256:b"].Description["k"] = "\xff"
	sameAsProtobuf(t, "not UTF-8", bad)
	if _, err := MarshalDefinition(bad); err == nil {
		t.Error("a description that is not UTF-8 marshalled")
	}
	badGroup := full()
	m := badGroup.Metadata["sha256:b"]
	m.ProgressGroup = &pb.ProgressGroup{Id: "g", Name: "\xfe"}
	badGroup.Metadata["sha256:b"] = m
	sameAsProtobuf(t, "a progress group name that is not UTF-8", badGroup)
	unknown := full()
	u := protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 7)
	unknown.Source.ProtoReflect().SetUnknown(u)
	unknown.Source.Infos[0].ProtoReflect().SetUnknown(u)
	loc := unknown.Source.Locations["sha256:b"]
	loc.ProtoReflect().SetUnknown(u)
	loc.Locations[0].Ranges[0].Start.ProtoReflect().SetUnknown(u)
	unknown.Metadata["sha256:b"].ExportCache.ProtoReflect().SetUnknown(u)
	sameAsProtobuf(t, "unknown fields", unknown)
}

// bigSecretsBuild has secrets, caches, binds and tmpfs mounts, so that
// the ops carry more metadata than a name.
const bigSecretsBuild = `secret netrc {
  target = "/root/.netrc"
}
cache c {
  target = "/cache"
}
image app from "alpine:3.20" {
  run "echo a" {
    secret netrc
    cache c
    tmpfs "/tmp"
  }
  copy "a" to "/a"
  workdir "/w"
  run "echo b" {
    network = "none"
  }
}
`

// The encoder writes the fields listed here; a BuildKit release that adds
// one to these messages (or to llb.OpMetadata) fails this test instead of
// having it silently dropped from `securefile llb`'s output.
func TestMarshalDefinitionKnowsEveryField(t *testing.T) {
	fields := func(m proto.Message) []string {
		var out []string
		fds := m.ProtoReflect().Descriptor().Fields()
		for i := range fds.Len() {
			out = append(out, string(fds.Get(i).Name()))
		}
		return out
	}
	want := map[string][]string{
		"Definition": {"def", "metadata", "Source"},
		"OpMetadata": {"ignore_cache", "description", "export_cache", "caps", "progress_group", "linux_resources"},
		"Source":     {"locations", "infos"},
		"SourceInfo": {"filename", "data", "definition", "language"},
	}
	for name, m := range map[string]proto.Message{"Definition": &pb.Definition{}, "OpMetadata": &pb.OpMetadata{}, "Source": &pb.Source{}, "SourceInfo": &pb.SourceInfo{}} {
		if got := fields(m); !slices.Equal(got, want[name]) {
			t.Errorf("pb.%s has fields %v, MarshalDefinition writes %v", name, got, want[name])
		}
	}
	var names []string
	rt := reflect.TypeFor[llb.OpMetadata]()
	for i := range rt.NumField() {
		names = append(names, rt.Field(i).Name)
	}
	if w := []string{"IgnoreCache", "Description", "ExportCache", "Caps", "ProgressGroup", "LinuxResources"}; !slices.Equal(names, w) {
		t.Errorf("llb.OpMetadata has fields %v, MarshalDefinition writes %v", names, w)
	}
	// The messages marshalled with the generated code must have no maps,
	// whose order it does not fix.
	for _, m := range []proto.Message{&pb.ExportCache{}, &pb.ProgressGroup{}, &pb.LinuxResources{}, &pb.Locations{}} {
		if p := mapField(m.ProtoReflect().Descriptor(), map[protoreflect.FullName]bool{}); p != "" {
			t.Errorf("%s has a map field %s", m.ProtoReflect().Descriptor().FullName(), p)
		}
	}
}

func mapField(d protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) string {
	if seen[d.FullName()] {
		return ""
	}
	seen[d.FullName()] = true
	fds := d.Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		if fd.IsMap() {
			return string(fd.FullName())
		}
		if fd.Message() != nil {
			if p := mapField(fd.Message(), seen); p != "" {
				return p
			}
		}
	}
	return ""
}
