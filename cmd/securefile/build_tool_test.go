package main

import (
	"context"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/internal/toolbin"
	"github.com/ourorg/securefile/internal/version"
)

// The shared tool is read only after its digest check, and not at all
// when the check failed.
func TestGatedFS(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "securefile-tool"), []byte("tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	inner, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	walk := func(fs fsutil.FS, ctx context.Context) ([]string, error) {
		var names []string
		err := fs.Walk(ctx, "", func(p string, _ iofs.DirEntry, err error) error {
			names = append(names, p)
			return err
		})
		return names, err
	}

	// Open and Walk wait for the gate.
	gate := make(chan struct{})
	var gateErr error
	g := &gatedFS{FS: inner, gate: gate, err: &gateErr}
	done := make(chan []string)
	go func() {
		names, err := walk(g, context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- names
	}()
	select {
	case <-done:
		t.Fatal("Walk did not wait for the check")
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	if names := <-done; len(names) != 1 || names[0] != "securefile-tool" {
		t.Errorf("walked %q", names)
	}
	if rc, err := g.Open("securefile-tool"); err != nil {
		t.Error(err)
	} else {
		rc.Close()
	}

	// A failed check: nothing is read.
	failed := make(chan struct{})
	bad := errors.New("digest mismatch")
	g = &gatedFS{FS: inner, gate: failed, err: &bad}
	close(failed)
	if names, err := walk(g, context.Background()); !errors.Is(err, bad) || len(names) != 0 {
		t.Errorf("Walk after a failed check: %q, %v", names, err)
	}
	if _, err := g.Open("securefile-tool"); !errors.Is(err, bad) {
		t.Errorf("Open after a failed check: %v", err)
	}

	// A build that ends stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var none error
	g = &gatedFS{FS: inner, gate: make(chan struct{}), err: &none}
	if _, err := walk(g, ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with an ended context: %v", err)
	}
}

// Every build marks its tool directory and prunes the others long unused.
func TestPruneToolCache(t *testing.T) {
	root := t.TempDir()
	now := time.Now()
	cur := toolbin.Tool{Name: "securefile-tool-linux-amd64", Sum: strings.Repeat("a", 64)}
	old := filepath.Join(root, "v0-"+strings.Repeat("b", 64))
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, toolbin.FileName), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	long := now.Add(-toolbin.MaxUnused - time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	pruneToolCache(cur, root, now)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("%s is still there (%v)", old, err)
	}
	fi, err := os.Stat(toolbin.Dir(cur, root, version.String()) + ".used")
	if err != nil || !fi.ModTime().Equal(now) {
		t.Errorf("marker: %v, %v; want mtime %v", fi, err, now)
	}
}
