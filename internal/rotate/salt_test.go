package rotate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDaemonSaltIsMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	salts := make([][]byte, 16)
	errs := make([]error, len(salts))
	for i := range salts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			salts[i], errs[i] = DaemonSalt(dir)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		if len(salts[i]) != SaltSize || !bytes.Equal(salts[i], salts[0]) {
			t.Fatalf("concurrent first uses got different salts: %x and %x", salts[0], salts[i])
		}
	}
	again, err := DaemonSalt(dir)
	if err != nil || !bytes.Equal(again, salts[0]) {
		t.Fatalf("a later build got %x, %v; want the kept salt %x", again, err, salts[0])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the salt directory holds %d entries, want only the salt", len(entries))
	}
	other, err := DaemonSalt(t.TempDir())
	if err != nil || bytes.Equal(other, salts[0]) {
		t.Errorf("another daemon's salt %x equals this one's", other)
	}
}

func TestDaemonSaltDamaged(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, saltName), []byte("short"), 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := DaemonSalt(dir); err == nil || !strings.Contains(err.Error(), "prune") {
		t.Errorf("a damaged salt: %v, want an error that says how to make a new one", err)
	}
}

func TestToolWithDaemonSalt(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "token")
	if err := os.WriteFile(in, []byte("hunter2"), 0o600); err != nil {
		t.Fatal(err)
	}
	saltDir := filepath.Join(dir, "salt-dir")
	if err := os.Mkdir(saltDir, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "digest")
	var stdout, stderr bytes.Buffer
	if code := run(ToolArgs{SaltDir: saltDir, Secrets: []Secret{Secret{ID: "token", In: in, Out: out}}}.Args(), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	salt, err := DaemonSalt(saltDir)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if want := Digest(salt, "token", []byte("hunter2")) + "\n"; string(got) != want {
		t.Errorf("digest file %q, want %q", got, want)
	}
}
