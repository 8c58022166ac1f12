package check

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// A run step that can read a secret and write to a cache mount can put
// the secret into the cache: a package manager that stores the credential
// it was given, a tool that caches an authenticated response, a debugging
// "cp". The cache outlives the build on the BuildKit daemon, the leak
// verification never sees it (it scans what goes into the image), and
// every later build that mounts a cache with the same id reads it, on a
// shared builder other teams' builds too. The checker cannot tell whether
// the tool writes the secret, so this is a warning to review and
// suppress, not an error.

// secretInCache warns about run step r when it mounts secrets (as files or
// environment variables) and caches that are not read-only.
func (c *checker) secretInCache(r *spec.Run, fb spec.Range) {
	var secrets []string
	for _, n := range r.Secrets {
		if _, ok := c.secrets[n.V]; ok && !contains(secrets, n.V) {
			secrets = append(secrets, n.V)
		}
	}
	if len(secrets) == 0 {
		return
	}
	var names, descs []string
	for _, n := range r.Caches {
		d, ok := c.caches[n.V]
		if !ok || d.ReadOnly.Or(false) || contains(names, n.V) {
			continue
		}
		id := d.ID.V
		if !d.ID.Set {
			id = d.Name.V
		}
		desc := fmt.Sprintf("cache %q (id %q", n.V, id)
		if d.Target.Set {
			desc += fmt.Sprintf(", at %q", d.Target.V)
		}
		names, descs = append(names, n.V), append(descs, desc+")")
	}
	if len(names) == 0 {
		return
	}
	secretWord, cacheWord := "secret", "cache"
	if len(secrets) > 1 {
		secretWord = "secrets"
	}
	if len(names) > 1 {
		cacheWord = "caches"
	}
	c.warnf(or(r.Command.Range, fb), "secret-in-cache",
		fmt.Sprintf("The step can read %s %s and write to %s. What it writes to a cache stays on the BuildKit daemon after the build, is never scanned by the leak verification (which scans the image), and is readable by every later build that mounts a cache with the same id: on a shared builder, other teams' builds too.",
			secretWord, quoteList(secrets), strings.Join(descs, " and ")),
		"keep the secret out of the cache: have the tool read it from the mounted secret (npm reads the token from a mounted .npmrc and does not write it to ~/.npm); where a tool writes credentials into its cache, mount a tmpfs at that directory instead of the cache; once reviewed, suppress it for the line with # securefile:ignore secret-in-cache and a reason",
		"%s %s can end up in %s %s", secretWord, quoteList(secrets), cacheWord, quoteList(names))
}
