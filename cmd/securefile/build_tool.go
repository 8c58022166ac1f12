package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/toolbin"
	"github.com/ourorg/securefile/internal/version"
)

// offerTool sets, once the daemon answers, what the frontend runs the
// tools from (selectTool): the image --tool-image names, the embedded
// securefile-tool, this binary, or the image of this version; with none,
// the reason, which the frontend's error says when a build needs a tool.
// A target that mounts a secret needs one (the digest step, the leak
// scanner), and fails here, before anything is built.
func (f *buildFlags) offerTool(daemon ocispecs.Platform, opt *client.SolveOpt) error {
	embedded, err := toolbin.Tools()
	if err != nil {
		return err
	}
	def, _ := version.ToolImage()
	self := thisBinary()
	ch := selectTool(self, embedded, daemon, f.toolImage, def)
	var installErr error
	if ch.embedded != "" {
		t, ok := findTool(embedded, ch.embedded)
		if !ok {
			return fmt.Errorf("internal error: the embedded tool %s chosen is not embedded", ch.embedded)
		}
		if installErr = shareEmbeddedTool(t, opt); installErr == nil {
			return nil
		}
		// A cache directory that cannot be written (a read-only home)
		// must not fail a build that needs no tool: the next choice, and,
		// when there is none, the reason says what went wrong.
		ch = selectTool(self, nil, daemon, f.toolImage, def)
	}
	switch {
	case ch.image != "":
		opt.FrontendAttrs[frontend.ToolImageOption] = ch.image
	case ch.shareSelf:
		return shareTool(opt)
	default:
		if installErr != nil {
			ch.unavailable += "; the securefile-tool it embeds could not be written: " + installErr.Error()
		}
		opt.FrontendAttrs[frontend.ToolUnavailableOption] = ch.unavailable
		if f.toolNeed != "" {
			return fmt.Errorf("%s, which needs the securefile tool inside BuildKit, and this build has none: %s", f.toolNeed, ch.unavailable)
		}
	}
	return nil
}

func findTool(tools []toolbin.Tool, name string) (toolbin.Tool, bool) {
	for _, t := range tools {
		if t.Name == name {
			return t, true
		}
	}
	return toolbin.Tool{}, false
}

// shareTool shares this binary, and nothing else of its directory, as the
// frontend's tool (the leak scanner and the rotation digest run from it
// inside BuildKit). The binary must be static; the frontend checks.
func shareTool(opt *client.SolveOpt) error {
	exe, err := executable()
	if err != nil {
		return err
	}
	fs, err := fsutil.NewFS(filepath.Dir(exe))
	if err != nil {
		return err
	}
	name := filepath.Base(exe)
	if fs, err = fsutil.NewFilterFS(fs, &fsutil.FilterOpt{IncludePatterns: []string{name}}); err != nil {
		return err
	}
	opt.LocalMounts[frontend.ToolLocal] = fs
	opt.FrontendAttrs[frontend.ToolOption] = name
	return nil
}

// shareEmbeddedTool writes the embedded tool t, once, to the per-user
// cache (toolCacheDir) and shares that file, and nothing else of its
// directory, as the frontend's tool. The file keeps its bytes and its
// mtime from one build to the next (toolbin.Install checks its digest
// and leaves a good file alone), so BuildKit's local source, which
// compares metadata with the copy the daemon kept, need not resend it.
//
// When the file is there from an earlier build, its digest is checked
// (and the file replaced when it differs) while the build starts, not
// before: BuildKit reads the local only when the frontend asks for the
// tool, and the shared file system waits for the check then and fails
// if it failed (gatedFS). A build that needs no tool never waits for it.
// A first build writes the file before it starts, so that a cache
// directory that cannot be written falls back to the next choice.
func shareEmbeddedTool(t toolbin.Tool, opt *client.SolveOpt) error {
	root, err := toolCacheDir()
	if err != nil {
		return err
	}
	dir := toolbin.Dir(t, root, version.String())
	pruneToolCache(t, root, time.Now())
	var gate chan struct{}
	var gateErr error
	if _, err := os.Lstat(filepath.Join(dir, toolbin.FileName)); err != nil {
		if _, err := toolbin.Install(t, root, version.String()); err != nil {
			return fmt.Errorf("writing the embedded securefile tool for %s to %s: %w", t.Platform.Architecture, root, err)
		}
	} else {
		gate = make(chan struct{})
		go func() {
			defer close(gate)
			if _, err := toolbin.Install(t, root, version.String()); err != nil {
				gateErr = fmt.Errorf("checking the embedded securefile tool for %s in %s: %w", t.Platform.Architecture, root, err)
			}
		}()
	}
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return err
	}
	if fs, err = fsutil.NewFilterFS(fs, &fsutil.FilterOpt{IncludePatterns: []string{toolbin.FileName}}); err != nil {
		return err
	}
	if gate != nil {
		fs = &gatedFS{FS: fs, gate: gate, err: &gateErr}
	}
	opt.LocalMounts[frontend.ToolLocal] = fs
	opt.FrontendAttrs[frontend.ToolOption] = toolbin.FileName
	return nil
}

// pruneToolCache records that t's directory is in use and removes the
// tool directories of other versions and digests that no build has used
// for toolbin.MaxUnused (toolbin.Prune). Best effort, before the tool is
// checked or written, so a concurrent prune sees this directory as in
// use: a build never fails for it, and the errors of the file system
// (a directory that cannot be read or removed, one another CLI removed
// first) are skipped: the next build tries again. An ErrInternal is a
// bug in this caller, and is said on stderr rather than skipped.
func pruneToolCache(t toolbin.Tool, root string, now time.Time) {
	err := toolbin.MarkUsed(t, root, version.String(), now)
	if err == nil || !errors.Is(err, toolbin.ErrInternal) {
		_, err = toolbin.Prune(t, root, version.String(), now, toolbin.MaxUnused)
	}
	if errors.Is(err, toolbin.ErrInternal) {
		fmt.Fprintf(os.Stderr, "securefile build: warning: pruning the tool cache %s: %v\n", root, err)
	}
}

// gatedFS is a file system that is read only once gate is closed, and
// not at all when *err is then set: the shared tool, whose digest is
// checked while the build starts.
type gatedFS struct {
	fsutil.FS
	gate <-chan struct{}
	err  *error // written before gate is closed
}

func (g *gatedFS) wait(ctx context.Context) error {
	select {
	case <-g.gate:
		return *g.err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (g *gatedFS) Walk(ctx context.Context, target string, fn iofs.WalkDirFunc) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.FS.Walk(ctx, target, fn)
}

func (g *gatedFS) Open(p string) (io.ReadCloser, error) {
	if err := g.wait(context.Background()); err != nil {
		return nil, err
	}
	return g.FS.Open(p)
}

// toolCacheDir is where the embedded tools are written:
// $XDG_CACHE_HOME/securefile/tools (os.UserCacheDir: ~/.cache on linux,
// ~/Library/Caches on macOS, %LocalAppData% on Windows).
func toolCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory to write the embedded securefile tool to (set XDG_CACHE_HOME or HOME, or pass --tool-image): %w", err)
	}
	return filepath.Join(dir, "securefile", "tools"), nil
}
