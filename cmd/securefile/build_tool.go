package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
)

// shareTool shares this binary, and nothing else of its directory, as the
// frontend's tool (the leak scanner and the rotation digest run from it
// inside BuildKit). The binary must be static; the frontend checks.
func shareTool(opt *client.SolveOpt) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this binary to share as the securefile tool: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return fmt.Errorf("finding this binary to share as the securefile tool: %w", err)
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
