package lower

import (
	"slices"
	"unicode/utf8"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// MarshalDefinition returns the bytes of
//
//	proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
//
// (llb.WriteTo's message, with every map in key order), computed without
// protobuf reflection. For a stage of thousands of steps the reflective,
// deterministic marshal of the metadata map (one entry per op, each with
// its own maps) was a quarter of `securefile llb`'s time, and ToPB copies
// every entry first.
//
// The encoding is protobuf's, field by field in field-number order as the
// Go implementation writes them, maps sorted by key as its deterministic
// mode sorts them. Whatever this encoder does not write itself (a source
// info carrying a definition, unknown fields, a string that is not UTF-8,
// which protobuf refuses) goes to protobuf instead, so the result is the
// same bytes, or the same error, in every case. TestMarshalDefinition
// holds it to that, and fails when BuildKit adds a field to the messages.
func MarshalDefinition(def *llb.Definition) ([]byte, error) {
	if !fastDefinition(def) {
		return proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
	}
	size := 0
	for _, dt := range def.Def {
		size += 1 + protowire.SizeBytes(len(dt))
	}
	// About what one op's metadata takes (its digest, its name); the
	// buffer grows if the estimate is short.
	size += len(def.Metadata) * 192
	b := make([]byte, 0, size)
	for _, dt := range def.Def {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, dt)
	}
	keys := make([]string, 0, len(def.Metadata))
	for k := range def.Metadata {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	var md []byte
	for _, k := range keys {
		md = appendOpMetadata(md[:0], def.Metadata[digest.Digest(k)])
		b = appendMapEntry(b, 2, k, md)
	}
	if def.Source != nil {
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		// Each location entry takes about 100 bytes; the file's text is
		// in the infos.
		n := 100 * len(def.Source.Locations)
		for _, si := range def.Source.Infos {
			n += len(si.Data) + len(si.Filename) + 16
		}
		src := appendSource(make([]byte, 0, n), def.Source)
		b = protowire.AppendBytes(b, src)
	}
	return b, nil
}

// appendMapEntry appends one entry of a map<string, message-or-bytes>
// field: its key (field 1) and its value (field 2), both always written,
// as protobuf writes map entries.
func appendMapEntry(b []byte, num protowire.Number, key string, val []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	n := 1 + protowire.SizeBytes(len(key)) + 1 + protowire.SizeBytes(len(val))
	b = protowire.AppendVarint(b, uint64(n))
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, key)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, val)
}

// appendOpMetadata appends pb.OpMetadata's fields as m.ToPB() would have
// them.
func appendOpMetadata(b []byte, m llb.OpMetadata) []byte {
	if m.IgnoreCache {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	for _, k := range sortedKeys(m.Description) {
		b = appendMapEntry(b, 2, k, []byte(m.Description[k]))
	}
	if m.ExportCache != nil {
		b = appendMessage(b, 4, m.ExportCache)
	}
	if len(m.Caps) > 0 {
		caps := make([]string, 0, len(m.Caps))
		for k := range m.Caps {
			caps = append(caps, string(k))
		}
		slices.Sort(caps)
		for _, k := range caps {
			v := uint64(0)
			if m.Caps[apicaps.CapID(k)] {
				v = 1
			}
			b = protowire.AppendTag(b, 5, protowire.BytesType)
			b = protowire.AppendVarint(b, uint64(1+protowire.SizeBytes(len(k))+2))
			b = protowire.AppendTag(b, 1, protowire.BytesType)
			b = protowire.AppendString(b, k)
			b = protowire.AppendTag(b, 2, protowire.VarintType)
			b = protowire.AppendVarint(b, v)
		}
	}
	if m.ProgressGroup != nil {
		b = appendMessage(b, 6, m.ProgressGroup)
	}
	if m.LinuxResources != nil {
		b = appendMessage(b, 7, m.LinuxResources)
	}
	return b
}

func appendSource(b []byte, s *pb.Source) []byte {
	var val []byte
	for _, k := range sortedKeys(s.Locations) {
		val = appendVT(val[:0], s.Locations[k])
		b = appendMapEntry(b, 1, k, val)
	}
	for _, si := range s.Infos {
		var info []byte
		if si.Filename != "" {
			info = protowire.AppendTag(info, 1, protowire.BytesType)
			info = protowire.AppendString(info, si.Filename)
		}
		if len(si.Data) > 0 {
			info = protowire.AppendTag(info, 2, protowire.BytesType)
			info = protowire.AppendBytes(info, si.Data)
		}
		// A definition (3) sends the whole message to protobuf
		// (fastDefinition).
		if si.Language != "" {
			info = protowire.AppendTag(info, 4, protowire.BytesType)
			info = protowire.AppendString(info, si.Language)
		}
		info = append(info, si.ProtoReflect().GetUnknown()...)
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, info)
	}
	return append(b, s.ProtoReflect().GetUnknown()...)
}

// vtMessage is a message with the generated (vtprotobuf) marshaller,
// which writes the same bytes as protobuf's for a message without maps:
// the fields in number order, then the unknown fields.
type vtMessage interface {
	SizeVT() int
	MarshalToSizedBufferVT([]byte) (int, error)
}

func appendMessage(b []byte, num protowire.Number, m vtMessage) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(m.SizeVT()))
	return appendVT(b, m)
}

// appendVT appends m's encoding, without tag or length. The messages
// passed here have no maps, so the generated code is deterministic, and
// it cannot fail: its only error is a buffer of the wrong size, and the
// buffer is exactly SizeVT.
func appendVT(b []byte, m vtMessage) []byte {
	n := m.SizeVT()
	b = slices.Grow(b, n)
	buf := b[len(b) : len(b)+n]
	if _, err := m.MarshalToSizedBufferVT(buf); err != nil {
		panic("lower: vtprotobuf marshal into a buffer of its own size: " + err.Error())
	}
	return b[:len(b)+n]
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 1 { // an op's description: its name, most often
		for k := range m {
			return []string{k}
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fastDefinition reports whether MarshalDefinition can write def itself:
// no source info carries a definition, and every string protobuf would
// check is UTF-8 (it refuses to marshal one that is not, and the fallback
// then returns its error). Unknown fields need no check: both encoders
// write a message's unknown fields after its known ones, as they are.
func fastDefinition(def *llb.Definition) bool {
	if def == nil {
		return false
	}
	for k, m := range def.Metadata {
		if !utf8.ValidString(string(k)) {
			return false
		}
		for dk, dv := range m.Description {
			if !utf8.ValidString(dk) || !utf8.ValidString(dv) {
				return false
			}
		}
		for c := range m.Caps {
			if !utf8.ValidString(string(c)) {
				return false
			}
		}
		if g := m.ProgressGroup; g != nil && (!utf8.ValidString(g.Id) || !utf8.ValidString(g.Name)) {
			return false
		}
		if r := m.LinuxResources; r != nil && (!utf8.ValidString(r.CpusetCpus) || !utf8.ValidString(r.CpusetMems)) {
			return false
		}
	}
	if s := def.Source; s != nil {
		for k := range s.Locations {
			if !utf8.ValidString(k) {
				return false
			}
		}
		for _, si := range s.Infos {
			if si == nil || si.Definition != nil || !utf8.ValidString(si.Filename) || !utf8.ValidString(si.Language) {
				return false
			}
		}
	}
	return true
}
