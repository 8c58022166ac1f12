package frontend

import (
	"fmt"
	"strings"
)

// A client that exports nothing (securefile build with no --output and no
// --cache-to) asks for no result with ResultOption=ResultNone: the build
// runs, is cached and verified as any other, and returns no filesystem.
//
// Why it exists: BuildKit walks the cache graph of every result a build
// returns to record its provenance in the build history, and for a merged
// result whose layers have no blobs yet (never exported) that walk sleeps
// in retries, about 7 ms per step here (docs/performance.md, "The daemon's
// provenance of a merged result"). A build that exports nothing has no use
// for the merge (layers.go), which exists so that what is exported is
// what was scanned, nor for the result.
//
// Fail closed: the frontend cannot see the client's exporters, so a client
// that asks for no result and exports anyway gets an empty filesystem,
// never an unmerged one.
const (
	ResultOption = "securefile-result"
	ResultNone   = "none"
)

// noResult reads ResultOption: true for ResultNone, false when unset.
func noResult(opts map[string]string) (bool, error) {
	v, ok := opts[ResultOption]
	if !ok {
		return false, nil
	}
	switch strings.TrimSpace(v) {
	case ResultNone:
		return true, nil
	case "":
		return false, nil
	}
	return false, fmt.Errorf("--opt %s=%q: want %s (return no filesystem, for a client that exports nothing), or leave it unset", ResultOption, v, ResultNone)
}
