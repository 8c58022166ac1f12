package lower

import (
	"fmt"
	"slices"
	"sync"
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
// mode sorts them, unknown fields last. What this encoder does not write
// itself (a source info carrying a definition, a string that is not
// UTF-8, which protobuf refuses) goes to protobuf instead, so the result
// is the same bytes, or the same error, in every case. TestMarshalDefinition
// holds it to that, and fails when BuildKit adds a field to the messages.
func MarshalDefinition(def *llb.Definition) ([]byte, error) {
	if def == nil {
		return nil, fmt.Errorf("internal error: no definition to marshal")
	}
	if def.Source != nil {
		for _, si := range def.Source.Infos {
			if si == nil || si.Definition != nil {
				return protobufDefinition(def)
			}
		}
	}
	e := &defEncoder{}
	b := e.definition(def)
	if e.invalid {
		return protobufDefinition(def)
	}
	return b, nil
}

func protobufDefinition(def *llb.Definition) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(def.ToPB())
}

// defEncoder writes a definition; invalid records a string that is not
// UTF-8, which protobuf refuses to marshal (its error is then returned),
// or any other reason to leave the definition to protobuf.
// Unknown fields need no such check: both encoders write a message's
// unknown fields after its known ones, as they are.
type defEncoder struct {
	invalid bool
	md      []byte // one op's metadata, reused
}

func (e *defEncoder) check(s string) {
	if !utf8.ValidString(s) {
		e.invalid = true
	}
}

func (e *defEncoder) definition(def *llb.Definition) []byte {
	// The source (the file's text and a location per op) is written on
	// another goroutine while this one writes the ops and their
	// metadata: the two halves are independent, and the second core is
	// otherwise idle here. The bytes are put together in field order.
	var src []byte
	srcEnc := &defEncoder{}
	var wg sync.WaitGroup
	if def.Source != nil {
		wg.Go(func() {
			// Each location entry takes about 100 bytes.
			n := 100 * len(def.Source.Locations)
			for _, si := range def.Source.Infos {
				n += len(si.Data) + len(si.Filename) + 16
			}
			src = srcEnc.source(make([]byte, 0, n), def.Source)
		})
	}
	size := 0
	for _, dt := range def.Def {
		size += 1 + protowire.SizeBytes(len(dt))
	}
	// About what one op's metadata and the source take; the buffer grows
	// if the estimate is short.
	size += len(def.Metadata) * 192
	if def.Source != nil {
		size += 100 * len(def.Source.Locations)
		for _, si := range def.Source.Infos {
			size += len(si.Data) + len(si.Filename) + 16
		}
	}
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
	for _, k := range keys {
		e.check(k)
		e.md = e.opMetadata(e.md[:0], def.Metadata[digest.Digest(k)])
		b = appendMapEntry(b, 2, k, e.md)
	}
	wg.Wait()
	if def.Source != nil {
		e.invalid = e.invalid || srcEnc.invalid
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendBytes(b, src)
	}
	return b
}

// appendMapEntry appends one entry of a map<string, message-or-bytes>
// field: its key (field 1) and its value (field 2), both always written,
// as protobuf writes map entries.
func appendMapEntry[V []byte | string](b []byte, num protowire.Number, key string, val V) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	n := 1 + protowire.SizeBytes(len(key)) + 1 + protowire.SizeBytes(len(val))
	b = protowire.AppendVarint(b, uint64(n))
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, key)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(len(val)))
	return append(b, val...)
}

// customNameKey is the description key of an op's progress name
// (llb.WithCustomName).
const customNameKey = "llb.customname"

// opMetadata appends pb.OpMetadata's fields as m.ToPB() would have them.
func (e *defEncoder) opMetadata(b []byte, m llb.OpMetadata) []byte {
	if m.IgnoreCache {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	if v, ok := m.Description[customNameKey]; ok && len(m.Description) == 1 {
		// An op's name alone, most often: nothing to sort, and a lookup
		// is cheaper than iterating over the map.
		e.check(v)
		b = appendMapEntry(b, 2, customNameKey, v)
	} else {
		for _, k := range sortedKeys(m.Description) {
			v := m.Description[k]
			e.check(k)
			e.check(v)
			b = appendMapEntry(b, 2, k, v)
		}
	}
	if m.ExportCache != nil {
		b = e.message(b, 4, m.ExportCache)
	}
	if len(m.Caps) > 0 {
		caps := make([]string, 0, len(m.Caps))
		for k := range m.Caps {
			caps = append(caps, string(k))
		}
		slices.Sort(caps)
		for _, k := range caps {
			e.check(k)
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
	if g := m.ProgressGroup; g != nil {
		e.check(g.Id)
		e.check(g.Name)
		b = e.message(b, 6, g)
	}
	if r := m.LinuxResources; r != nil {
		e.check(r.CpusetCpus)
		e.check(r.CpusetMems)
		b = e.message(b, 7, r)
	}
	return b
}

// source appends s's fields; its infos carry no definition
// (MarshalDefinition sends those to protobuf).
func (e *defEncoder) source(b []byte, s *pb.Source) []byte {
	var val []byte
	for _, k := range sortedKeys(s.Locations) {
		e.check(k)
		locs := s.Locations[k]
		val = e.vt(val[:0], locs, locs.SizeVT())
		b = appendMapEntry(b, 1, k, val)
	}
	for _, si := range s.Infos {
		var info []byte
		if si.Filename != "" {
			e.check(si.Filename)
			info = protowire.AppendTag(info, 1, protowire.BytesType)
			info = protowire.AppendString(info, si.Filename)
		}
		if len(si.Data) > 0 {
			info = protowire.AppendTag(info, 2, protowire.BytesType)
			info = protowire.AppendBytes(info, si.Data)
		}
		if si.Language != "" {
			e.check(si.Language)
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

func (e *defEncoder) message(b []byte, num protowire.Number, m vtMessage) []byte {
	n := m.SizeVT()
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	return e.vt(b, m, n)
}

// vt appends m's encoding, of size n (its SizeVT), without tag or
// length. The messages passed here have no maps, so the generated code is
// deterministic. Its only error is a buffer of the wrong size, and the
// buffer is exactly SizeVT; were it to fail all the same, protobuf
// marshals the definition.
func (e *defEncoder) vt(b []byte, m vtMessage, n int) []byte {
	b = slices.Grow(b, n)
	if _, err := m.MarshalToSizedBufferVT(b[len(b) : len(b)+n]); err != nil {
		e.invalid = true
	}
	return b[:len(b)+n]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
