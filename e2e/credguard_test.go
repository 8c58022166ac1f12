//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// credguardContext writes a build context with well-known credential files
// next to ordinary ones, and the build files dsl and toml.
func credguardContext(t *testing.T, dsl, toml string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"Securefile":      dsl,
		"Securefile.toml": toml,
		"main.go":         "package main\n",
		"README.md":       "# app\n",
		"sub/app.txt":     "app\n",
		"id_rsa.pub":      "ssh-ed25519 AAAA public\n",
		".env.example":    "TOKEN=\n",
		".netrc":          "machine example.com login u password credguard-netrc-pw\n",
		"id_rsa":          "-----BEGIN OPENSSH PRIVATE KEY-----\ncredguard\n-----END OPENSSH PRIVATE KEY-----\n",
		".env":            "TOKEN=credguard-env-token\n",
		"sub/.npmrc":      "//registry.npmjs.org/:_authToken=credguard-npm\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func assertFiles(t *testing.T, root string, present, absent []string) {
	t.Helper()
	for _, p := range present {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s is missing from the image: %v", p, err)
		}
	}
	for _, p := range absent {
		if _, err := os.Lstat(filepath.Join(root, p)); err == nil {
			t.Errorf("%s is in the image; credential files must never leave the client", p)
		}
	}
}

// TestCredentialFilesStayOutOfTheContext: a copy of the whole context,
// which the checker cannot see into, gets every ordinary file and none of
// the credential files.
func TestCredentialFilesStayOutOfTheContext(t *testing.T) {
	dir := credguardContext(t, `image app from scratch {
  copy "." to "/app"
}
`, `[image.app]
from = "scratch"

[[image.app.steps]]
copy = ["."]
to = "/app"
`)
	eachVariant(t, func(t *testing.T, v variant) {
		dest := t.TempDir()
		h.build(t, v, buildOpts{dir: dir, exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dest}}})
		assertFiles(t, filepath.Join(dest, "app"),
			[]string{"main.go", "README.md", "sub/app.txt", "id_rsa.pub", ".env.example"},
			[]string{".netrc", "id_rsa", ".env", "sub/.npmrc"})
	})
}

// TestAllowCredentialsAdmitsOnlyWhatItNames: allow-credentials on an
// explicit copy of .netrc brings that one file in; the other credential
// files stay out.
func TestAllowCredentialsAdmitsOnlyWhatItNames(t *testing.T) {
	dir := credguardContext(t, `image app from scratch {
  copy "." to "/app"
  copy ".netrc" to "/root/.netrc" {
    allow-credentials = true
  }
}
`, `[image.app]
from = "scratch"

[[image.app.steps]]
copy = ["."]
to = "/app"

[[image.app.steps]]
copy = [".netrc"]
to = "/root/.netrc"
allow-credentials = true
`)
	eachVariant(t, func(t *testing.T, v variant) {
		dest := t.TempDir()
		h.build(t, v, buildOpts{dir: dir, exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dest}}})
		if got := string(mustRead(t, filepath.Join(dest, "root", ".netrc"))); got != "machine example.com login u password credguard-netrc-pw\n" {
			t.Errorf("/root/.netrc = %q", got)
		}
		assertFiles(t, filepath.Join(dest, "app"),
			[]string{"main.go", "sub/app.txt"},
			[]string{"id_rsa", ".env", "sub/.npmrc"})
	})
}

// TestCopyOfACredentialFileFailsWithPosition: without the opt-out the
// build stops before anything runs, naming the file and the position.
func TestCopyOfACredentialFileFailsWithPosition(t *testing.T) {
	dir := credguardContext(t, `image app from scratch {
  copy ".netrc" to "/root/.netrc"
}
`, `[image.app]
from = "scratch"

[[image.app.steps]]
copy = [".netrc"]
to = "/root/.netrc"
`)
	want := map[string]string{"Securefile": `Securefile:2:8: copy of credential file ".netrc"`, "Securefile.toml": `Securefile.toml:5:9: copy of credential file ".netrc"`}
	eachVariant(t, func(t *testing.T, v variant) {
		_, err := h.tryBuild(t, v, buildOpts{dir: dir})
		if err == nil {
			t.Fatal("the build succeeded")
		}
		if msg := err.Error(); !strings.Contains(msg, want[v.file]) || !strings.Contains(msg, "allow-credentials") {
			t.Errorf("error does not name the copy and the opt-out:\n%v", err)
		}
	})
}

// TestLintSubrequestShowsTheOptOut: the lint subrequest (docker buildx
// build --call=check) reports each allow-credentials, with its line, so
// the opt-out is visible where CI looks.
func TestLintSubrequestShowsTheOptOut(t *testing.T) {
	dir := credguardContext(t, `image app from scratch {
  copy ".netrc" to "/root/.netrc" {
    allow-credentials = true
  }
  copy "id_rsa" to "/root/.ssh/id_rsa"
}
`, "")
	for _, v := range imageVariants {
		t.Run(v.name, func(t *testing.T) {
			meta, err := h.call(t, v, dir, "frontend.lint")
			if err != nil {
				t.Fatal(err)
			}
			_, found := lintFindings(t, meta)
			if found["credential-file-allowed"] != 3 || found["credential-file"] != 5 {
				t.Errorf("lint findings (rule → line) = %v, want credential-file-allowed at 3 and credential-file at 5", found)
			}
		})
	}
}
