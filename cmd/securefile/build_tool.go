package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/version"
)

// offerTool sets, once the daemon answers, what the frontend runs the
// tools from (selectTool): the image --tool-image names, this binary, or
// the image of this version; with none, the reason, which the frontend's
// error says when a build needs a tool. A target that mounts a secret
// needs one (the digest step, the leak scanner), and fails here, before
// anything is built.
func (f *buildFlags) offerTool(ctx context.Context, c *client.Client, opt *client.SolveOpt) error {
	daemon, err := daemonPlatform(ctx, c)
	if err != nil {
		return fmt.Errorf("asking the daemon for its platform, to choose the securefile tool: %w", err)
	}
	def, _ := version.ToolImage()
	ch := selectTool(thisBinary(), daemon, f.toolImage, def)
	switch {
	case ch.image != "":
		opt.FrontendAttrs[frontend.ToolImageOption] = ch.image
	case ch.shareSelf:
		return shareTool(opt)
	default:
		opt.FrontendAttrs[frontend.ToolUnavailableOption] = ch.unavailable
		if f.toolNeed != "" {
			return fmt.Errorf("%s, which needs the securefile tool inside BuildKit, and this build has none: %s", f.toolNeed, ch.unavailable)
		}
	}
	return nil
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
