package rotate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The verdict key follows the digest (so the value) and the epoch, and a
// renewal changes every key made from then on.
func TestVerdictKeys(t *testing.T) {
	dir := t.TempDir()
	salt := filepath.Join(dir, "salt")
	if err := os.WriteFile(salt, []byte("pepper"), 0o600); err != nil {
		t.Fatal(err)
	}
	epochDir := filepath.Join(dir, "epoch")
	if err := os.Mkdir(epochDir, 0o700); err != nil {
		t.Fatal(err)
	}
	value := filepath.Join(dir, "value")
	keyOf := func(v string, renew bool) string {
		t.Helper()
		if err := os.WriteFile(value, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "digest")
		var stderr bytes.Buffer
		args := ToolArgs{SaltFile: salt, EpochDir: epochDir, Renew: renew, Secrets: []Secret{{ID: "token", In: value, Out: out}}}.Args()
		if code := run(args, &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		d, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		k, err := os.ReadFile(out + VerdictSuffix)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(k), v) || string(k) == string(d) {
			t.Fatalf("verdict key %q shows the value or equals the digest", k)
		}
		st, err := os.Stat(out + VerdictSuffix)
		if err != nil || st.Mode().Perm() != 0o444 || !st.ModTime().Equal(outTime) {
			t.Fatalf("verdict key file: %v, %v", st, err)
		}
		return string(k)
	}
	first := keyOf("s3cret-value-1", false)
	if again := keyOf("s3cret-value-1", false); again != first {
		t.Errorf("same value, same epoch: %q then %q", first, again)
	}
	if other := keyOf("s3cret-value-2", false); other == first {
		t.Error("a new value kept the verdict key")
	}
	renewed := keyOf("s3cret-value-1", true)
	if renewed == first {
		t.Error("a renewed epoch kept the verdict key")
	}
	if after := keyOf("s3cret-value-1", false); after != renewed {
		t.Errorf("after a renewal the key moved again: %q then %q", renewed, after)
	}
}

// Without --epoch-dir the tool writes no verdict key (the using steps
// need only the digest).
func TestNoEpochNoVerdictKey(t *testing.T) {
	dir := t.TempDir()
	salt := filepath.Join(dir, "salt")
	value := filepath.Join(dir, "value")
	for _, f := range []string{salt, value} {
		if err := os.WriteFile(f, []byte("x-long-enough"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "digest")
	if code := run(ToolArgs{SaltFile: salt, Secrets: []Secret{Secret{ID: "t", In: value, Out: out}}}.Args(), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatal(code)
	}
	if _, err := os.Stat(out + VerdictSuffix); !os.IsNotExist(err) {
		t.Errorf("verdict key written without an epoch: %v", err)
	}
}
