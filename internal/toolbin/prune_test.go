package toolbin

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestPrune(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	long, recent := now.Add(-MaxUnused-time.Hour), now.Add(-MaxUnused+time.Hour)
	tool := Tool{Name: "securefile-tool-linux-amd64", Sum: sum([]byte("current"))}
	other := func(s string) string { return sum([]byte(s)) }

	mkdir := func(name string, files ...string) string {
		t.Helper()
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	touch := func(path string, tm time.Time) {
		t.Helper()
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(path, tm, tm); err != nil {
			t.Fatal(err)
		}
	}

	// The current directory, not used for long: kept, whatever its age.
	cur := mkdir("v2-"+tool.Sum, FileName)
	touch(cur+usedSuffix, long)
	touch(cur, long)
	// Old, marked long ago: removed with its marker (and a temporary
	// file a crash left).
	oldMarked := mkdir("v1-"+other("a"), FileName, "."+FileName+"-123")
	touch(oldMarked+usedSuffix, long)
	touch(oldMarked, long)
	// Written long ago, no marker (a CLI from before markers): removed.
	oldUnmarked := mkdir("v0-"+other("b"), FileName)
	touch(oldUnmarked, long)
	// Written long ago but marked recently (an older CLI still building
	// with it): kept.
	inUse := mkdir("v1.5-"+other("c"), FileName)
	touch(inUse, long)
	touch(inUse+usedSuffix, recent)
	// Recent, no marker: kept.
	fresh := mkdir("v3-"+other("d"), FileName)
	touch(fresh, recent)
	// Named like a tool directory but holding something else: kept.
	foreign := mkdir("v1-"+other("e"), FileName, "notes.txt")
	touch(foreign, long)
	nested := mkdir("v1-"+other("f"), FileName)
	mkdir(filepath.Join("v1-"+other("f"), "sub"))
	touch(nested, long)
	// Not named like one: kept, however old.
	unrelated := []string{
		mkdir("v1-"+strings.ToUpper(other("g")), FileName),
		mkdir("v1-"+other("h")[:63], FileName),
		mkdir(other("i"), FileName),
		mkdir("something-else", FileName),
	}
	unrelatedFile := filepath.Join(root, "v1-"+other("j"))
	touch(unrelatedFile, long) // a file, not a directory
	link := filepath.Join(root, "v1-"+other("k"))
	if err := os.Symlink(fresh, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range unrelated {
		touch(p, long)
	}
	// A lone marker, old: removed; recent: kept.
	loneOld := filepath.Join(root, "v1-"+other("l")+usedSuffix)
	touch(loneOld, long)
	loneRecent := filepath.Join(root, "v1-"+other("m")+usedSuffix)
	touch(loneRecent, recent)

	removed, err := Prune(tool, root, "v2", now, MaxUnused)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{oldMarked, oldUnmarked, loneOld}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed\n%q\nwant\n%q", removed, want)
	}
	for _, p := range []string{oldMarked, oldMarked + usedSuffix, oldUnmarked, loneOld} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	kept := append([]string{cur, cur + usedSuffix, inUse, inUse + usedSuffix, fresh, foreign, nested,
		unrelatedFile, link, loneRecent, filepath.Join(foreign, "notes.txt"), filepath.Join(cur, FileName)}, unrelated...)
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(fresh, FileName)); err != nil {
		t.Errorf("the symbolic link's target was touched: %v", err)
	}

	// No root yet (the first build): nothing to do.
	if removed, err := Prune(tool, filepath.Join(root, "none"), "v2", now, MaxUnused); err != nil || len(removed) != 0 {
		t.Errorf("missing root: %q, %v", removed, err)
	}
	// A tool whose directory Prune could not recognize is the caller's
	// error, reported as internal, and nothing is looked at.
	bad := Tool{Name: tool.Name, Sum: "not-a-digest"}
	if _, err := Prune(bad, root, "v2", now, MaxUnused); !errors.Is(err, ErrInternal) {
		t.Errorf("bad tool: %v, want ErrInternal", err)
	}
	if err := MarkUsed(bad, root, "v2", now); !errors.Is(err, ErrInternal) {
		t.Errorf("MarkUsed of a bad tool: %v, want ErrInternal", err)
	}
	if _, err := Prune(tool, root, "v2", now, 0); !errors.Is(err, ErrInternal) {
		t.Errorf("no age: %v, want ErrInternal", err)
	}
}

// A directory that cannot be removed is reported, by path, and the rest
// is still pruned.
func TestPruneReportsErrors(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root removes read-only directories")
	}
	root := t.TempDir()
	now := time.Now()
	long := now.Add(-2 * MaxUnused)
	tool := Tool{Name: "securefile-tool-linux-amd64", Sum: sum([]byte("current"))}
	stuck := filepath.Join(root, "v1-"+sum([]byte("a")))
	gone := filepath.Join(root, "v1-"+sum([]byte("b")))
	for _, d := range []string{stuck, gone} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, FileName), nil, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(d, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(stuck, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(stuck, 0o700) })
	removed, err := Prune(tool, root, "v2", now, MaxUnused)
	if err == nil || !strings.Contains(err.Error(), stuck) {
		t.Errorf("err = %v, want one naming %s", err, stuck)
	}
	if len(removed) != 1 || removed[0] != gone {
		t.Errorf("removed %q, want only %s", removed, gone)
	}
}

func TestMarkUsed(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tools") // not there yet
	tool := Tool{Name: "securefile-tool-linux-amd64", Sum: sum([]byte("current"))}
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := MarkUsed(tool, root, "v1", t1); err != nil {
		t.Fatal(err)
	}
	marker := Dir(tool, root, "v1") + usedSuffix
	fi, err := os.Stat(marker)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(t1) || fi.Size() != 0 {
		t.Errorf("marker mtime %v size %d, want %v and empty", fi.ModTime(), fi.Size(), t1)
	}

	// Installed, then used again: the marker moves, the directory and
	// the tool file keep their metadata (BuildKit sends nothing new).
	data := []byte("\x7fELF a tool")
	fsys := fstest.MapFS{"bin/securefile-tool-linux-amd64": {Data: data}}
	tool.Sum = sum(data)
	dir, err := install(fsys, tool, root, "v1")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{filepath.Join(dir, FileName), dir} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	t2 := t1.Add(48 * time.Hour)
	if err := MarkUsed(tool, root, "v1", t2); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir + usedSuffix); err != nil || !fi.ModTime().Equal(t2) {
		t.Errorf("marker after a second use: %v, %v; want mtime %v", fi, err, t2)
	}
	for _, p := range []string{filepath.Join(dir, FileName), dir} {
		if fi, err := os.Stat(p); err != nil || !fi.ModTime().Equal(old) {
			t.Errorf("%s changed: %v, %v", p, fi.ModTime(), err)
		}
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%s holds %d entries, want only %s", dir, len(es), FileName)
	}
}
