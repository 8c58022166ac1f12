package check

import (
	"strconv"
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
	// The names live on the stack for the usual few mounts: a file of
	// thousands of such runs allocated two slices for each.
	var secretsBuf, namesBuf [4]string
	secrets := secretsBuf[:0]
	for _, n := range r.Secrets {
		if _, ok := c.secrets[n.V]; ok && !contains(secrets, n.V) {
			secrets = append(secrets, n.V)
		}
	}
	if len(secrets) == 0 {
		return
	}
	names := namesBuf[:0]
	for _, n := range r.Caches {
		d, ok := c.caches[n.V]
		if !ok || d.ReadOnly.Or(false) || contains(names, n.V) {
			continue
		}
		names = append(names, n.V)
	}
	if len(names) == 0 {
		return
	}
	t := c.secretInCacheText(secrets, names)
	c.add(&spec.Diagnostic{Severity: spec.Warning, Code: "secret-in-cache", Summary: t.summary, Detail: t.detail, Range: or(r.Command.Range, fb),
		Hint: "keep the secret out of the cache: have the tool read it from the mounted secret (npm reads the token from a mounted .npmrc and does not write it to ~/.npm); where a tool writes credentials into its cache, mount a tmpfs at that directory instead of the cache; once reviewed, suppress it for the line with # securefile:ignore secret-in-cache and a reason"})
}

// secretCacheText is the summary and detail of a secret-in-cache warning.
type secretCacheText struct{ summary, detail string }

// secretInCacheText is the text of the warning about secrets and caches
// (declared names, without repeats). It depends on the names only (the
// caches' declarations are fixed for the check), and a large file repeats
// the same mounts in step after step, so the text is built once for each
// list of names and shared by the diagnostics that have it.
func (c *checker) secretInCacheText(secrets, names []string) secretCacheText {
	// The key lists both lists with each name's length before it, so two
	// different lists never have the same key.
	key := c.memoKey[:0]
	for _, n := range secrets {
		key = strconv.AppendInt(key, int64(len(n)), 10)
		key = append(key, ':')
		key = append(key, n...)
	}
	key = append(key, '|')
	for _, n := range names {
		key = strconv.AppendInt(key, int64(len(n)), 10)
		key = append(key, ':')
		key = append(key, n...)
	}
	c.memoKey = key
	if t, ok := c.secretCacheMemo[string(key)]; ok {
		return t
	}
	var descs strings.Builder
	for i, n := range names {
		d := c.caches[n]
		id := d.ID.V
		if !d.ID.Set {
			id = d.Name.V
		}
		if i > 0 {
			descs.WriteString(" and ")
		}
		descs.WriteString("cache ")
		descs.WriteString(strconv.Quote(n))
		descs.WriteString(" (id ")
		descs.WriteString(strconv.Quote(id))
		if d.Target.Set {
			descs.WriteString(", at ")
			descs.WriteString(strconv.Quote(d.Target.V))
		}
		descs.WriteString(")")
	}
	secretWord, cacheWord := "secret", "cache"
	if len(secrets) > 1 {
		secretWord = "secrets"
	}
	if len(names) > 1 {
		cacheWord = "caches"
	}
	qs := quoteList(secrets)
	t := secretCacheText{
		summary: secretWord + " " + qs + " can end up in " + cacheWord + " " + quoteList(names),
		detail: "The step can read " + secretWord + " " + qs + " and write to " + descs.String() +
			". What it writes to a cache stays on the BuildKit daemon after the build, is never scanned by the leak verification (which scans the image), and is readable by every later build that mounts a cache with the same id: on a shared builder, other teams' builds too.",
	}
	if c.secretCacheMemo == nil {
		c.secretCacheMemo = map[string]secretCacheText{}
	}
	c.secretCacheMemo[string(key)] = t
	return t
}
