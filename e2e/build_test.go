//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/frontend"
)

// mode is how the frontend is reached.
type mode string

const (
	// modeSyntax: dockerfile.v0 forwards to the frontend image, as for a
	// "# syntax=" line (build-arg:BUILDKIT_SYNTAX overrides the line, so the
	// examples keep their "# syntax=ourorg/securefile:1").
	modeSyntax mode = "syntax"
	// modeGateway: the frontend image is the frontend (gateway.v0).
	modeGateway mode = "gateway"
	// modeInProcess: frontend.Build runs in the test binary (client.Build).
	modeInProcess mode = "inprocess"
)

// variant is one way of building an example.
type variant struct {
	name string
	mode mode
	file string // Securefile or Securefile.toml
}

var variants = []variant{
	{"syntax", modeSyntax, "Securefile"},
	{"gateway", modeGateway, "Securefile"},
	{"inprocess", modeInProcess, "Securefile"},
	{"inprocess-toml", modeInProcess, "Securefile.toml"},
}

// eachVariant runs fn as one subtest per variant, one after the other.
func eachVariant(t *testing.T, fn func(t *testing.T, v variant)) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) { fn(t, v) })
	}
}

// buildOpts is one build of an example.
type buildOpts struct {
	example string            // directory under examples/: context and build file
	args    map[string]string // build args; BASE defaults to the local busybox
	secrets map[string][]byte
	ssh     []sshprovider.AgentConfig
	allow   []string // entitlements, e.g. "network.host"
	exports []client.ExportEntry
	dir     string            // context and build file directory instead of examples/<example>
	opts    map[string]string // frontend options (--opt)
	addr    string            // the daemon; "" is the harness daemon
	// Cache exports (--cache-to) and imports (--cache-from).
	cacheExports, cacheImports []client.CacheOptionsEntry
}

// buildResult is what a build returned and reported.
type buildResult struct {
	resp     *client.SolveResponse
	statuses []*client.SolveStatus
}

// build runs one build of b in variant v and fails the test if it fails.
// The plain progress output is logged when the test fails (always with
// E2E_VERBOSE=1).
func (h *harness) build(t *testing.T, v variant, b buildOpts) *buildResult {
	t.Helper()
	res, err := h.tryBuild(t, v, b)
	if err != nil {
		t.Fatalf("build of examples/%s/%s (%s) failed: %v", b.example, v.file, v.mode, err)
	}
	return res
}

// tryBuild runs one build of b in variant v and returns its error.
func (h *harness) tryBuild(t *testing.T, v variant, b buildOpts) (*buildResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	addr := h.addr
	if b.addr != "" {
		addr = b.addr
	}
	c, err := client.New(ctx, addr)
	if err != nil {
		t.Fatalf("connecting to %s: %v", addr, err)
	}
	defer c.Close()

	dir := filepath.Join(h.repo, "examples", b.example)
	if b.dir != "" {
		dir = b.dir
	}
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"filename": v.file, "build-arg:BASE": h.base}
	for k, val := range b.args {
		attrs["build-arg:"+k] = val
	}
	for k, val := range b.opts {
		attrs[k] = val
	}
	var attachables []session.Attachable
	if b.secrets != nil {
		attachables = append(attachables, secretsprovider.FromMap(b.secrets))
	}
	if b.ssh != nil {
		p, err := sshprovider.NewSSHAgentProvider(b.ssh)
		if err != nil {
			t.Fatal(err)
		}
		attachables = append(attachables, p)
	}
	opt := client.SolveOpt{
		Exports:             b.exports,
		LocalMounts:         map[string]fsutil.FS{"context": src, "dockerfile": src},
		Session:             attachables,
		AllowedEntitlements: b.allow,
		FrontendAttrs:       attrs,
		CacheExports:        b.cacheExports,
		CacheImports:        b.cacheImports,
	}
	route(t, v.mode, &opt)

	var progress bytes.Buffer
	var out io.Writer = &syncWriter{w: &progress}
	if os.Getenv("E2E_VERBOSE") == "1" {
		out = io.MultiWriter(out, os.Stderr)
	}
	display, err := progressui.NewDisplay(out, progressui.PlainMode)
	if err != nil {
		t.Fatal(err)
	}
	res := &buildResult{}
	ch := make(chan *client.SolveStatus)
	shown := make(chan *client.SolveStatus)
	// The daemon's statuses and, in process, the frontend's own (the
	// files it reads from the directories, as securefile build does).
	var statusMu sync.Mutex
	statusEnd := false
	record := func(s *client.SolveStatus) {
		statusMu.Lock()
		defer statusMu.Unlock()
		if !statusEnd {
			res.statuses = append(res.statuses, s)
			shown <- s
		}
	}
	var eg errgroup.Group
	eg.Go(func() error {
		for s := range ch {
			record(s)
		}
		statusMu.Lock()
		statusEnd = true
		close(shown)
		statusMu.Unlock()
		return nil
	})
	eg.Go(func() error {
		_, err := display.UpdateFrom(context.Background(), shown)
		return err
	})
	t0 := time.Now()
	if v.mode == modeInProcess {
		// As securefile build runs it: reading the files from the
		// directories the locals are.
		local := frontend.Local{BuildFileDir: dir, ContextDir: dir, Progress: record}
		res.resp, err = c.Build(ctx, opt, "", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
			return frontend.BuildLocal(ctx, gc, local)
		}, ch)
	} else {
		res.resp, err = c.Solve(ctx, nil, opt, ch)
	}
	_ = eg.Wait()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("progress of the %s build of examples/%s/%s:\n%s", v.mode, b.example, v.file, progress.String())
		}
	})
	if err != nil {
		return res, err
	}
	t.Logf("built examples/%s/%s (%s) in %v", b.example, v.file, v.mode, time.Since(t0).Round(time.Millisecond))
	return res, nil
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// ociExport returns an export of the result as an OCI image layout tar, and
// where the tar will be.
func ociExport(t *testing.T) (client.ExportEntry, string) {
	path := filepath.Join(t.TempDir(), "image.tar")
	return client.ExportEntry{
		Type: client.ExporterOCI,
		Output: func(map[string]string) (io.WriteCloser, error) {
			return os.Create(path)
		},
	}, path
}

// buildOCI builds b with an OCI tar export and returns the archive.
func (h *harness) buildOCI(t *testing.T, v variant, b buildOpts) (*ociArchive, *buildResult) {
	t.Helper()
	exp, path := ociExport(t)
	b.exports = append(b.exports, exp)
	res := h.build(t, v, b)
	return readOCI(t, path), res
}

// nonce returns a fresh random hex string (n bytes of randomness).
func nonce(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// shareTool lets an in-process build run the tools (the leak scanner, the
// rotation digest) from the static frontend binary TestMain built, shared
// as securefile build shares itself.
func shareTool(t *testing.T, opt *client.SolveOpt) {
	t.Helper()
	toolFS, err := fsutil.NewFS(filepath.Dir(h.tool))
	if err != nil {
		t.Fatal(err)
	}
	if toolFS, err = fsutil.NewFilterFS(toolFS, &fsutil.FilterOpt{IncludePatterns: []string{filepath.Base(h.tool)}}); err != nil {
		t.Fatal(err)
	}
	if opt.LocalMounts == nil {
		opt.LocalMounts = map[string]fsutil.FS{}
	}
	if opt.FrontendAttrs == nil {
		opt.FrontendAttrs = map[string]string{}
	}
	opt.LocalMounts[frontend.ToolLocal] = toolFS
	opt.FrontendAttrs[frontend.ToolOption] = filepath.Base(h.tool)
}

// dialDaemon connects to the harness daemon; the client is closed and the
// deadline released when the test ends.
func dialDaemon(t *testing.T, timeout time.Duration) (context.Context, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	c, err := client.New(ctx, h.addr)
	if err != nil {
		t.Fatalf("connecting to %s: %v", h.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return ctx, c
}

// route points a solve at the frontend the way mode reaches it: the
// Dockerfile frontend forwarding to the image ("# syntax="), the image
// through gateway.v0, or in process (the caller runs frontend.Build; the
// tools come from the shared binary).
func route(t *testing.T, mode mode, opt *client.SolveOpt) {
	t.Helper()
	if opt.FrontendAttrs == nil {
		opt.FrontendAttrs = map[string]string{}
	}
	switch mode {
	case modeSyntax:
		opt.Frontend = "dockerfile.v0"
		opt.FrontendAttrs["build-arg:BUILDKIT_SYNTAX"] = h.frontend
	case modeGateway:
		opt.Frontend = "gateway.v0"
		opt.FrontendAttrs["source"] = h.frontend
	case modeInProcess:
		shareTool(t, opt)
	}
}
