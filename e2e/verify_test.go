//go:build e2e

package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/ourorg/securefile/frontend"
)

// verifyVariants are the ways of reaching the frontend that find the
// scanner differently: the frontend image through "# syntax=" forwarding
// and through gateway.v0, and in-process with a shared binary.
func verifyVariants(t *testing.T, fn func(t *testing.T, v variant)) {
	for _, v := range variants {
		if v.file != "Securefile" {
			continue // the TOML file lowers to the same model; these files are DSL only
		}
		t.Run(v.name, func(t *testing.T) { fn(t, v) })
	}
}

// leakFile is a Securefile whose app stage runs body after a first step.
// Every step that mounts the secret sets NONCE, so that a new value is a
// new build, not a cache hit of a step run with an older value.
func leakFile(body string) string {
	return `arg BASE = "busybox"
arg NONCE
arg LEAKED
secret token { }

image app from "${BASE}" {
  run "echo hello > /hello"
` + body + `}
`
}

func writeSecurefile(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Securefile"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerifyCatchesLeaks(t *testing.T) {
	const mount = "{\n    secret token\n    env NONCE = \"${NONCE}\"\n  }\n"
	cases := []struct {
		name string
		body string
		// want are parts of the error, in order where they appear.
		want []string
	}{
		{
			name: "cat",
			body: `  run "cat /run/secrets/token > /leak.txt" ` + mount,
			want: []string{`Securefile:8:3: secret "token" (raw) in /leak.txt, written by [app 2/2] RUN`},
		},
		{
			name: "deleted-later",
			body: `  run "mkdir -p /work && cat /run/secrets/token > /work/t" ` + mount + `  run "rm /work/t"` + "\n",
			want: []string{`Securefile:8:3: secret "token" (raw) in /work/t, written by [app 2/3] RUN`},
		},
		{
			name: "base64",
			body: `  run "(echo Authorization; cat /run/secrets/token) | base64 > /auth.b64" ` + mount,
			want: []string{`Securefile:8:3: secret "token" (base64) in /auth.b64, written by [app 2/2] RUN`},
		},
		{
			name: "hex",
			body: `  run "hexdump -ve '1/1 \"%02x\"' /run/secrets/token > /hex" ` + mount,
			want: []string{`Securefile:8:3: secret "token" (hex`, `in /hex, written by [app 2/2] RUN`},
		},
		{
			// The checker rejects ${secret}; a value can still reach the
			// config through a build arg the user sets to it.
			name: "env-from-build-arg",
			body: `  env T = "${LEAKED}"` + "\n" + `  run "true" ` + mount,
			want: []string{`Securefile:8:7: secret "token" (raw) in the image config, config.Env T, set by [app 2/3] ENV T`},
		},
		{
			name: "label-from-build-arg",
			body: `  labels = { "org.example.token" = "x${LEAKED}" }` + "\n" + `  run "true" ` + mount,
			want: []string{`secret "token" (raw) in the image config, config.Labels["org.example.token"], set by the label "org.example.token" of stage app`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSecurefile(t, leakFile(tc.body))
			verifyVariants(t, func(t *testing.T, v variant) {
				value := "sf-" + nonce(t, 12)
				args := map[string]string{"NONCE": nonce(t, 8)}
				if strings.Contains(tc.name, "build-arg") {
					args["LEAKED"] = value
				}
				exp, out := ociExport(t)
				_, err := h.tryBuild(t, v, buildOpts{
					dir:     dir,
					args:    args,
					secrets: map[string][]byte{"token": []byte(value + "\n")},
					exports: []client.ExportEntry{exp},
				})
				if err == nil {
					t.Fatal("the build with a planted leak passed")
				}
				msg := err.Error()
				t.Logf("error: %s", msg)
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error does not say %q:\n%s", w, msg)
					}
				}
				if strings.Contains(msg, value) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte(value))) {
					t.Errorf("the error holds the secret's value:\n%s", msg)
				}
				if _, err := os.Stat(out); err == nil {
					if st, _ := os.Stat(out); st.Size() > 0 {
						t.Errorf("an image was exported (%d bytes) although the build failed", st.Size())
					}
				}
			})
		})
	}
}

// Builds that use a secret without leaking it pass and export normally;
// the scan ran (its vertex is in the progress).
func TestVerifyPassesCleanBuilds(t *testing.T) {
	dir := writeSecurefile(t, leakFile(`  run "wc -c < /run/secrets/token > /len && rm -f /tmp/x" {
    secret token
    env NONCE = "${NONCE}"
  }
  run "cat /run/secrets/token > /tmp/scratch && sha256sum /tmp/scratch | cut -c1-8 > /sum && rm /tmp/scratch" {
    secret token
    env NONCE = "${NONCE}"
  }
`))
	verifyVariants(t, func(t *testing.T, v variant) {
		value := "sf-" + nonce(t, 12) + "\n"
		img, res := h.buildOCI(t, v, buildOpts{
			dir:     dir,
			args:    map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte(value)},
		})
		files := img.image(t).files(t)
		if got := strings.TrimSpace(fileString(t, files, "len")); got != "28" {
			t.Errorf("/len = %q, want 28", got)
		}
		if !scanRan(res) {
			t.Error("no verification step in the progress")
		}
	})
}

// A build without secrets has nothing to verify and runs no scan.
func TestVerifySkipsBuildsWithoutSecrets(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
image app from "${BASE}" {
  run "echo hi > /hi"
}
`)
	verifyVariants(t, func(t *testing.T, v variant) {
		img, res := h.buildOCI(t, v, buildOpts{dir: dir})
		if got := fileString(t, img.image(t).files(t), "hi"); got != "hi" {
			t.Errorf("/hi = %q", got)
		}
		if scanRan(res) {
			t.Error("a build without secrets ran the scan")
		}
	})
}

// securefile-verify=false builds what verification would refuse, and
// warns that it did not verify.
func TestVerifyOptOutWarns(t *testing.T) {
	dir := writeSecurefile(t, leakFile(`  run "cat /run/secrets/token > /leak.txt" {
    secret token
    env NONCE = "${NONCE}"
  }
`))
	verifyVariants(t, func(t *testing.T, v variant) {
		value := "sf-" + nonce(t, 12)
		args := map[string]string{"NONCE": nonce(t, 8)}
		if v.mode == modeInProcess {
			args["BUILDKIT_SECUREFILE_VERIFY"] = "false" // the build-arg spelling
		}
		b := buildOpts{dir: dir, args: args, secrets: map[string][]byte{"token": []byte(value)}}
		if v.mode != modeInProcess {
			b.opts = map[string]string{"securefile-verify": "false"}
		}
		img, res := h.buildOCI(t, v, b)
		if got := fileString(t, img.image(t).files(t), "leak.txt"); got != value {
			t.Errorf("/leak.txt = %q, want the planted value", got)
		}
		if scanRan(res) {
			t.Error("the scan ran although verification was off")
		}
		var warned bool
		for _, s := range res.statuses {
			for _, w := range s.Warnings {
				if strings.Contains(string(w.Short), "SecretLeaksNotVerified") && strings.Contains(string(w.Short), "leak verification is off") {
					warned = true
				}
			}
		}
		if !warned {
			t.Error("no warning that leaks are not verified")
		}
		if got := res.resp.ExporterResponse[frontend.MetaVerifyOff]; got != "false" {
			t.Errorf("exporter response %s = %q, want \"false\"", frontend.MetaVerifyOff, got)
		}
	})
}

func scanRan(res *buildResult) bool {
	for _, s := range res.statuses {
		for _, v := range s.Vertexes {
			if strings.HasPrefix(v.Name, "[securefile] verify that no secret is in the image") {
				return true
			}
		}
	}
	return false
}

// A value written in the file itself reaches the image's history; the hit
// is blamed on the step that wrote the entry.
func TestVerifyNamesTheHistoryStep(t *testing.T) {
	value := "sf-" + nonce(t, 12)
	dir := writeSecurefile(t, leakFile(`  run "echo `+value+` >/dev/null" {
    secret token
    env NONCE = "${NONCE}"
  }
`))
	verifyVariants(t, func(t *testing.T, v variant) {
		_, err := h.tryBuild(t, v, buildOpts{
			dir:     dir,
			args:    map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte(value)},
		})
		if err == nil {
			t.Fatal("the build with the value in its history passed")
		}
		msg := err.Error()
		want := `Securefile:8:3: secret "token" (raw) in the image config, history[`
		if !strings.Contains(msg, want) || !strings.Contains(msg, "written by [app 2/2] RUN") {
			t.Errorf("error does not name the history entry and its step:\n%s", msg)
		}
		if strings.Contains(msg, value) {
			t.Errorf("the error holds the value:\n%s", msg)
		}
	})
}

// The scanner brings its own root filesystem, so a scratch image is
// verified like any other; a leak copied from a builder stage is blamed on
// the copy that brought it into the image.
func TestVerifyScratchImage(t *testing.T) {
	dir := writeSecurefile(t, `arg BASE = "busybox"
arg NONCE
secret token { }
stage build from "${BASE}" {
  run "cat /run/secrets/token > /leak" {
    secret token
    env NONCE = "${NONCE}"
  }
}
image app from scratch {
  copy "/leak" from build to "/app/leak"
}
`)
	verifyVariants(t, func(t *testing.T, v variant) {
		value := "sf-" + nonce(t, 12)
		_, err := h.tryBuild(t, v, buildOpts{
			dir:     dir,
			args:    map[string]string{"NONCE": nonce(t, 8)},
			secrets: map[string][]byte{"token": []byte(value)},
		})
		if err == nil {
			t.Fatal("the scratch image with a leaked file passed")
		}
		if want := `Securefile:11:3: secret "token" (raw) in /app/leak, written by [app 1/1] COPY`; !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	})
}
