//go:build e2e

package e2e

import (
	"strconv"
	"testing"
)

// TestCache: a locked cache mount keeps a counter across builds. Each
// variant uses a cache of its own (the SCOPE arg is part of the cache id),
// so the first build counts 1 and the second 2.
func TestCache(t *testing.T) {
	t.Parallel()
	eachVariant(t, func(t *testing.T, v variant) {
		scope := v.name + "-" + nonce(t, 8)
		for want := 1; want <= 2; want++ {
			a, _ := h.buildOCI(t, v, buildOpts{
				example: "cache",
				args:    map[string]string{"SCOPE": scope, "NONCE": nonce(t, 8)},
			})
			if got := fileString(t, a.image(t).files(t), "/count"); got != strconv.Itoa(want) {
				t.Fatalf("build %d: /count = %s, want %d", want, got, want)
			}
		}
	})
}
