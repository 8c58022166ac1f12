package lower

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/patternmatcher"

	"github.com/ourorg/securefile/internal/credentials"
)

// localExcludes lowers src and returns the exclude patterns of the main
// context's local source in the marshalled definition.
func localExcludes(t *testing.T, src string, o Options) []string {
	t.Helper()
	res := lower(t, src, o)
	op := marshal(t, res.State).source(t, "local://context")
	raw, ok := op.Attrs[pb.AttrExcludePatterns]
	if !ok {
		t.Fatalf("local source has no exclude patterns: %v", op.Attrs)
	}
	var got []string
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCredentialFilesAreExcludedFromTheContext(t *testing.T) {
	got := localExcludes(t, `
image app from scratch {
  copy "." to "/app"
}
`, opts())
	if !slices.Equal(got, credentials.ContextExcludes()) {
		t.Fatalf("excludes = %q, want the catalog's %q", got, credentials.ContextExcludes())
	}
	pm, err := patternmatcher.New(got)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		".netrc": true, "id_rsa": true, ".env": true, "sub/dir/.npmrc": true, "home/.aws/credentials": true, ".ssh/config": true,
		"main.go": false, "id_rsa.pub": false, ".env.example": false, "cert.pem": false, "docs/README.md": false,
	} {
		if m, _ := pm.MatchesOrParentMatches(p); m != want {
			t.Errorf("%q excluded: %v, want %v", p, m, want)
		}
	}
}

// The .dockerignore patterns the caller sets come first; the catalog is
// appended after them, so a "!.netrc" in .dockerignore cannot re-include
// one.
func TestCredentialExcludesFollowDockerignore(t *testing.T) {
	o := opts()
	o.MainContext = func(_ context.Context, lo ...llb.LocalOption) (*llb.State, error) {
		st := llb.Local("context", append([]llb.LocalOption{llb.ExcludePatterns([]string{"*.log", "!.netrc"})}, append(lo, llb.SessionID("s"))...)...)
		return &st, nil
	}
	got := localExcludes(t, `
image app from scratch {
  copy "." to "/app"
}
`, o)
	want := append([]string{"*.log", "!.netrc"}, credentials.ContextExcludes()...)
	if !slices.Equal(got, want) {
		t.Fatalf("excludes = %q, want %q", got, want)
	}
	pm, _ := patternmatcher.New(got)
	if m, _ := pm.MatchesOrParentMatches(".netrc"); !m {
		t.Error(".netrc is re-included by .dockerignore")
	}
}

// A copy with allow-credentials re-includes exactly the credential files
// it names (and what is under one that is a directory); copies of
// unreachable stages, and ordinary directories, re-include nothing.
func TestAllowCredentialsReincludesItsSources(t *testing.T) {
	got := localExcludes(t, `
arg KEY = "deploy.key"
stage unused from scratch {
  copy ".pypirc" to "/" {
    allow-credentials = true
  }
}
image app from scratch {
  copy "." to "/app"
  copy ".netrc" "keys/${KEY}" to "/root/" {
    allow-credentials = true
  }
  copy "deploy" to "/deploy" {
    allow-credentials = true
  }
}
`, opts())
	n := len(credentials.ContextExcludes())
	if len(got) < n || !slices.Equal(got[:n], credentials.ContextExcludes()) {
		t.Fatalf("excludes = %q, want the catalog first", got)
	}
	want := []string{"!.netrc", "!.netrc/**", "!keys/deploy.key", "!keys/deploy.key/**"}
	if !slices.Equal(got[n:], want) {
		t.Errorf("re-includes = %q, want %q", got[n:], want)
	}
	pm, _ := patternmatcher.New(got)
	// An ordinary directory copied with allow-credentials re-admits none
	// of the credential files under it.
	for p, want := range map[string]bool{".netrc": false, "keys/deploy.key": false, ".pypirc": true, "id_rsa": true, "deploy/id_rsa": true, "deploy/.env": true} {
		if m, _ := pm.MatchesOrParentMatches(p); m != want {
			t.Errorf("%q excluded: %v, want %v", p, m, want)
		}
	}
}

func TestCredentialExcludesAreDeterministic(t *testing.T) {
	src := `
image app from scratch {
  copy "a" to "/" {
    allow-credentials = true
  }
  copy ".npmrc" ".netrc" to "/" {
    allow-credentials = true
  }
}
`
	first := localExcludes(t, src, opts())
	for range 5 {
		if again := localExcludes(t, src, opts()); !slices.Equal(first, again) {
			t.Fatalf("excludes differ between runs:\n%q\n%q", first, again)
		}
	}
}
