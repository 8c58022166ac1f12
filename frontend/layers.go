package frontend

import (
	"fmt"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/internal/lower"
)

// layers is what a verified build exports, taken apart so that the scan
// reads exactly what is exported.
//
// The exported filesystem is not the target's state but the base merged
// with one llb.Diff per step of the exported chain, and the scan mounts
// those same Diff vertices. Within one build BuildKit's solver keeps one
// active state per vertex (solver/jobs.go, loadUnlocked), and an edge
// computes its result once: both solves of the build (the export and the
// scan) therefore get the very same result for each Diff, however it was
// produced — run now, loaded from the local cache or a cache import, or
// shared with a concurrent build. The merge itself ignores the cache, so
// it is always made from those results, never loaded from a cache record
// whose inputs were other results under the same cache keys (a --no-cache
// rebuild, an imported cache and a non-deterministic step each leave
// several records under one key).
//
// A merge cached under the scan's key (its last input the empty diff of
// the scan's output with itself) was tried: as sound, and no faster for
// one build, but 16 concurrent builds took 6-9 % longer, since loading a
// cached merge loads every record under it (docs/performance.md, "A cached
// merge, tried").
//
// A build that returns no result (noresult.go) exports nothing, so it is
// not merged: its scan reads the same diffs.
//
// The exported image is unchanged: the diff of a single layer on its own
// parent reuses that layer's blob (cache/refs.go, layerWalk), so the
// layers, their digests and the config's diff ids are what the plain
// chain gives.
type layers struct {
	base  llb.State
	diffs []llb.State
}

// chainLayers takes res's exported chain apart; nil when it has no steps
// (then the export is the base, which the build did not write).
func chainLayers(res *lower.Result) *layers {
	if len(res.Steps) == 0 {
		return nil
	}
	l := &layers{base: res.Steps[0].Before, diffs: make([]llb.State, len(res.Steps))}
	for i, st := range res.Steps {
		l.diffs[i] = llb.Diff(st.Before, st.After)
	}
	return l
}

// export is the filesystem to export: the base and every diff, merged.
func (l *layers) export() llb.State {
	in := make([]llb.State, 0, 1+len(l.diffs))
	in = append(in, l.base)
	in = append(in, l.diffs...)
	return llb.Merge(in, llb.IgnoreCache, llb.WithCustomName("[securefile] the verified layers"))
}

// sameLayers checks, on the marshalled definitions, that the scan mounts
// exactly the diffs the export merges, in order and with the same cache
// options, and that the merge ignores the cache: the guarantee rests on
// it, so a mismatch (a change to how either is marshalled) fails the build
// instead of weakening the check.
func (l *layers) sameLayers(export, scan *llb.Definition, mountDir string) error {
	n := len(l.diffs)
	ops, root, err := decodeOps(export)
	if err != nil {
		return err
	}
	if ops[root].GetMerge() != nil && !export.Metadata[root].IgnoreCache {
		return fmt.Errorf("internal error: the export's merge may be loaded from the cache")
	}
	merged, err := mergeInputs(export)
	if err != nil {
		return err
	}
	// llb.Merge leaves out a scratch base, and a merge of one input is that
	// input.
	if l.base.Output() != nil {
		if len(merged) == 0 {
			return fmt.Errorf("internal error: the export of a verified build has no base")
		}
		merged = merged[1:]
	}
	if len(merged) != n {
		return fmt.Errorf("internal error: the export merges %d layers over its base, the chain has %d", len(merged), n)
	}
	mounted, err := scanMounts(scan, mountDir, n)
	if err != nil {
		return err
	}
	for i := range n {
		d := merged[i]
		if mounted[i] != d {
			return fmt.Errorf("internal error: the scan reads layer %d as %s, the export merges %s", i, mounted[i], d)
		}
		if export.Metadata[d].IgnoreCache != scan.Metadata[d].IgnoreCache {
			return fmt.Errorf("internal error: layer %d is marshalled with different cache options for the export and the scan", i)
		}
	}
	return nil
}

// decodeOps decodes a definition's ops by digest, and returns the digest of the
// vertex its terminal op selects.
func decodeOps(def *llb.Definition) (map[digest.Digest]*pb.Op, digest.Digest, error) {
	m := make(map[digest.Digest]*pb.Op, len(def.Def))
	var last *pb.Op
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, "", fmt.Errorf("internal error: decoding the definition: %w", err)
		}
		m[digest.FromBytes(dt)] = &op
		last = &op
	}
	if last == nil || len(last.Inputs) != 1 {
		return nil, "", fmt.Errorf("internal error: the definition has no terminal op")
	}
	return m, digest.Digest(last.Inputs[0].Digest), nil
}

// mergeInputs is the inputs of the merge the export definition ends in,
// or its one vertex when that is not a merge.
func mergeInputs(def *llb.Definition) ([]digest.Digest, error) {
	m, root, err := decodeOps(def)
	if err != nil {
		return nil, err
	}
	op := m[root]
	if op == nil {
		return nil, fmt.Errorf("internal error: the export definition does not hold its root")
	}
	if op.GetMerge() == nil {
		return []digest.Digest{root}, nil
	}
	out := make([]digest.Digest, len(op.GetMerge().Inputs))
	for i, in := range op.GetMerge().Inputs {
		if in.Input < 0 || int(in.Input) >= len(op.Inputs) {
			return nil, fmt.Errorf("internal error: merge input %d out of range", in.Input)
		}
		out[i] = digest.Digest(op.Inputs[in.Input].Digest)
	}
	return out, nil
}

// scanMounts is the vertex mounted at mountDir/0 … mountDir/n-1 by the exec
// the scan definition ends in.
func scanMounts(def *llb.Definition, mountDir string, n int) ([]digest.Digest, error) {
	m, root, err := decodeOps(def)
	if err != nil {
		return nil, err
	}
	op := m[root]
	if op == nil || op.GetExec() == nil {
		return nil, fmt.Errorf("internal error: the scan definition does not end in the scan")
	}
	out := make([]digest.Digest, n)
	found := 0
	for _, mnt := range op.GetExec().Mounts {
		var i int
		if _, err := fmt.Sscanf(mnt.Dest, mountDir+"/%d", &i); err != nil || mnt.Dest != fmt.Sprintf("%s/%d", mountDir, i) {
			continue
		}
		if i < 0 || i >= n || out[i] != "" || mnt.Input < 0 || int(mnt.Input) >= len(op.Inputs) {
			return nil, fmt.Errorf("internal error: the scan mounts layer %q more than once or out of range", mnt.Dest)
		}
		out[i] = digest.Digest(op.Inputs[mnt.Input].Digest)
		found++
	}
	if found != n {
		return nil, fmt.Errorf("internal error: the scan mounts %d of the %d layers", found, n)
	}
	return out, nil
}
