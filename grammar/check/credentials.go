package check

import (
	"fmt"
	"strings"

	"github.com/ourorg/securefile/internal/credentials"
	"github.com/ourorg/securefile/spec"
)

// The credential-file guard's static half: a copy or bind of the main
// context whose source names a credential file of the catalog
// (internal/credentials) is an error, unless the copy sets
// allow-credentials, which is then always reported as a warning. The
// lowering's half excludes the catalog's files from the main context.

const credentialHint = `declare the file as a secret whose target is the path the tools read (such as "/root/.netrc"), list that secret in the secrets of the run step that needs it, and pass it with --secret id=NAME,src=PATH (docs/language.md, "Security rules", shows both syntaxes); if the file really must be in the image, set allow-credentials to true on the copy`

// checkCredentialFiles applies the guard to every copy and bind of the
// main context.
func (c *checker) checkCredentialFiles() {
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			switch st := st.(type) {
			case *spec.Copy:
				if st != nil && isContext(st.From) {
					c.copyCredentials(st, or(st.Range, s.Range, c.fileRange))
				}
			case *spec.Run:
				if st == nil {
					continue
				}
				for _, b := range st.Binds {
					if b != nil && isContext(b.From) && b.Path.Set {
						c.bindCredentials(b, or(b.Range, st.Range, s.Range, c.fileRange))
					}
				}
			default:
				// No other kind names paths of the main context. (What
				// any step can read of it is also limited where the
				// context is sent: credential files are excluded then,
				// internal/lower/context.go.)
				c.otherStep(st, or(s.Range, c.fileRange))
			}
		}
	}
}

// isOrMatches is the verb for a source: a glob matches files, a path is one.
func isOrMatches(src string) string {
	if credentials.HasGlob(src) {
		return "matches"
	}
	return "is"
}

func isContext(src spec.Source) bool { return !src.Set || src.Kind == spec.SourceContext }

func (c *checker) copyCredentials(cp *spec.Copy, fb spec.Range) {
	allowed := cp.AllowCredentials.V
	var allowedWhat, allowedNames []string
	lfb := or(cp.Sources.Range, fb)
	for _, src := range cp.Sources.Items {
		what := credentials.Source(src.V)
		if what == "" {
			continue
		}
		sr := or(src.Range, lfb)
		if allowed {
			allowedWhat = append(allowedWhat, fmt.Sprintf("%q (%s)", src.V, what))
			allowedNames = append(allowedNames, src.V)
			continue
		}
		c.errorf(sr, "credential-file",
			fmt.Sprintf("%q %s %s. Copied into a stage it stays in that layer, and in the image and the build cache, even if a later step deletes it.", src.V, isOrMatches(src.V), what),
			credentialHint, "copy of credential file %q", src.V)
	}
	if allowed {
		r := or(cp.AllowCredentials.Range, fb)
		if len(allowedWhat) == 0 {
			c.warnf(r, "credential-file-allowed",
				"The copy sets allow-credentials but names no credential file; it re-admits nothing, and the credential files of the catalog stay out of the context.",
				"remove allow-credentials", "allow-credentials on a copy of no credential file")
			return
		}
		c.warnf(r, "credential-file-allowed",
			fmt.Sprintf("The copy sets allow-credentials, so it copies %s into the stage, where anyone who can pull the image or read the cache can read it.", strings.Join(allowedWhat, ", ")),
			"declare a secret and mount it in the run step that needs it instead, unless the file really belongs in the image",
			"allow-credentials lets credential file %s into the stage", quoteList(allowedNames))
	}
}

func (c *checker) bindCredentials(b *spec.Bind, fb spec.Range) {
	what := credentials.Source(b.Path.V)
	if what == "" {
		return
	}
	c.errorf(or(b.Path.Range, fb), "credential-file",
		fmt.Sprintf("%q %s %s, and credential files are kept out of the build context, so the bind would not find it; a run step gets credentials from a secret.", b.Path.V, isOrMatches(b.Path.V), what),
		credentialHint, "bind of credential file %q", b.Path.V)
}
