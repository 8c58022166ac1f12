package frontend

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/internal/lower"
)

// marshal marshals st for the build, with the daemon's capabilities and
// extra, and, for --no-cache (or --no-cache-filter), marks its ops as
// ignoring the cache.
//
// Not through llb.IgnoreCache at Marshal, which marks every op: BuildKit
// prunes the cache mounts of an op that ignores the cache when it loads it
// (solver/llbsolver/vertex.go, detectPrunedCacheID), and the secret digest
// steps keep the daemon's salt in one (internal/lower/rotate.go). Pruned, the salt
// would be new, and every step that mounts a secret of every build on the
// daemon would run again once. Those steps run on every build anyway.
// Marking is metadata only: the ops' digests stay the same, so the export
// and the scan still name the same vertices (layers.go).
func (b *builder) marshal(ctx context.Context, st llb.State, extra ...llb.ConstraintsOpt) (*llb.Definition, error) {
	def, err := st.Marshal(ctx, append([]llb.ConstraintsOpt{llb.WithCaps(b.caps)}, extra...)...)
	if err != nil || !b.noCache {
		return def, err
	}
	return def, ignoreCache(def)
}

// ignoreCache marks every op of def but the digest steps that keep the
// daemon's salt or the verdict epoch as ignoring the cache (they run on
// every build anyway; --no-cache renews the epoch by the tool's flag).
func ignoreCache(def *llb.Definition) error {
	if def.Metadata == nil {
		def.Metadata = map[digest.Digest]llb.OpMetadata{}
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return fmt.Errorf("internal error: decoding the definition: %w", err)
		}
		if keepsDaemonSalt(&op) {
			continue
		}
		d := digest.FromBytes(dt)
		md := def.Metadata[d]
		md.IgnoreCache = true
		def.Metadata[d] = md
	}
	return nil
}

func keepsDaemonSalt(op *pb.Op) bool {
	for _, m := range op.GetExec().GetMounts() {
		if m.MountType == pb.MountType_CACHE && (m.CacheOpt.GetID() == lower.DaemonSaltCacheID || m.CacheOpt.GetID() == lower.VerdictEpochCacheID) {
			return true
		}
	}
	return false
}
