//go:build e2e

package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestCLIFileOutputs checks that an output to a file (tar, oci, docker)
// replaces dest only when the build succeeds: a failed build leaves the
// previous file as it was, or no file at all, and no temporary file.
func TestCLIFileOutputs(t *testing.T) {
	bin := buildCLI(t)
	ctx := t.TempDir()
	writeSecurefile := func(script string) {
		t.Helper()
		src := "arg BASE = \"busybox:1.36\"\narg NONCE = \"\"\n" +
			"image out from \"${BASE}\" {\n  run \"" + script + "\"\n}\n"
		if err := os.WriteFile(filepath.Join(ctx, "Securefile"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := func(want int, output string) string {
		t.Helper()
		return runCLI(t, bin, nil, want, "build", "--addr", h.addr, "--progress", "plain",
			"--build-arg", "BASE="+h.base, "--build-arg", "NONCE="+nonce(t, 8),
			"--output", output, ctx)
	}
	// onlyFiles fails unless dir holds exactly the names given.
	onlyFiles := func(dir string, names ...string) {
		t.Helper()
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		if len(got) != len(names) {
			t.Fatalf("%s holds %q, want %q", dir, got, names)
		}
		for i := range got {
			if got[i] != names[i] {
				t.Fatalf("%s holds %q, want %q", dir, got, names)
			}
		}
	}

	for _, typ := range []string{"oci", "docker", "tar"} {
		t.Run(typ, func(t *testing.T) {
			out := t.TempDir()
			dest := filepath.Join(out, "img.tar")

			// A failed build to a new path leaves nothing.
			writeSecurefile("echo $NONCE; exit 1")
			build(1, "type="+typ+",dest="+dest)
			onlyFiles(out)

			// A failed build over an existing file keeps it as it was.
			previous := []byte("the previous archive\n")
			if err := os.WriteFile(dest, previous, 0o640); err != nil {
				t.Fatal(err)
			}
			build(1, "type="+typ+",dest="+dest)
			onlyFiles(out, "img.tar")
			got, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(previous) {
				t.Errorf("after a failed build, %s = %q, want the previous %q", dest, got, previous)
			}

			// A build that succeeds replaces it, keeping its mode.
			writeSecurefile("echo $NONCE > /built.txt")
			build(0, "type="+typ+",dest="+dest)
			onlyFiles(out, "img.tar")
			st, err := os.Stat(dest)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o640 {
				t.Errorf("%s has mode %v, want the previous file's 0640", dest, st.Mode().Perm())
			}
			if typ == "oci" {
				files := readOCI(t, dest).image(t).files(t)
				if fileString(t, files, "/built.txt") == "" {
					t.Errorf("/built.txt is empty in the exported image")
				}
			} else if typ == "tar" {
				if got := tarFile(t, dest, "built.txt"); len(got) == 0 {
					t.Errorf("built.txt is missing or empty in %s", dest)
				}
			} else if st.Size() <= int64(len(previous)) {
				t.Errorf("%s holds %d bytes after a successful build: not replaced", dest, st.Size())
			}
		})
	}
}

// tarFile is the content of the file name in the tar archive p, nil when
// it holds none.
func tarFile(t *testing.T, p, name string) []byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		if filepath.Clean(hdr.Name) == name {
			dt, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return dt
		}
	}
}
