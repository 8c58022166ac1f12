package frontend

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"
	"unicode"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/verify"
)

const (
	// keySource is the frontend image reference BuildKit passes to a
	// frontend it runs from an image (gateway.v0, "# syntax=").
	keySource = "source"
	// keyToolLocal names, in-process, the file in the local
	// toolLocalName that holds a static securefile binary.
	keyToolLocal  = ToolOption
	toolLocalName = ToolLocal
	// keyToolImage names an image whose securefile binary runs the tools;
	// keyToolUnavailable is why the client has none to offer (see
	// ToolImageOption, ToolUnavailableOption).
	keyToolImage       = ToolImageOption
	keyToolUnavailable = ToolUnavailableOption
	// maxReasonLen bounds the client's reason, which goes into an error.
	maxReasonLen = 1024
	// imageToolPath is the binary in the frontend image (see /Dockerfile).
	imageToolPath = "/bin/securefile-frontend"
	// elfHeadSize is how much of a shared binary is read to check that it
	// is static: the ELF header and program headers of a Go binary.
	elfHeadSize = 64 << 10
)

// An in-process client (securefile build, tests calling frontend.Build)
// shares a static securefile binary for the tools as the local ToolLocal,
// with nothing else of its directory, and names the file with the
// frontend option ToolOption.
const (
	ToolLocal  = "securefile-tool"
	ToolOption = "securefile-tool"
	// ToolImageOption names a securefile image (a tag, pinned here to its
	// digest for the build platform, or a reference with a digest) whose
	// binary runs the tools. It wins over the frontend's own image and
	// over a shared binary: securefile build --tool-image.
	ToolImageOption = "securefile-tool-image"
	// ToolUnavailableOption is the client's reason for offering no tool
	// (securefile build, when it cannot share itself and knows no image):
	// the error of a build that needs one says it. It is text for a
	// message, never a command.
	ToolUnavailableOption = "securefile-tool-unavailable"
	// VerifyOption set to "false" turns leak verification off.
	VerifyOption = keyVerify
)

// toolImage is a filesystem with a securefile binary that runs the tools
// of package toolmode (the leak scanner, the rotation digest).
type toolImage struct {
	state llb.State
	path  string
	// checked, when not nil, is closed once the shared binary has been
	// checked (sharedBinary), with the outcome in checkErr. Nothing that
	// runs the tool may be solved before: ready waits for it.
	checked  chan struct{}
	checkErr error
}

// ready waits for the tool's check, if it has one, and returns its error.
func (t *toolImage) ready() error {
	if t == nil || t.checked == nil {
		return nil
	}
	<-t.checked
	return t.checkErr
}

// toolLocator finds the tool image once per build; every platform uses it.
type toolLocator struct {
	once sync.Once
	img  *toolImage
	err  error
}

// errNoTool says how to get a scanner, or how to build without one. The
// error a build gets is a noToolError, which is errNoTool (errors.Is)
// and, when the client said why it has no tool, says that first.
var errNoTool = fmt.Errorf("leak verification needs the securefile scanner, and this build has none: "+
	"run the frontend from its image (gateway.v0 with --opt source=IMAGE, or a \"# syntax=IMAGE\" line), "+
	"or name a securefile image for the tools with --opt %s=IMAGE (securefile build --tool-image IMAGE), "+
	"or, when calling frontend.Build in-process, share a static securefile binary as the local %q and name the file with --opt %s=NAME (securefile build does this); "+
	"or turn verification off for this build with --opt %s=false (build arg %s=false)", keyToolImage, toolLocalName, keyToolLocal, keyVerify, argVerify)

// noToolError is errNoTool with the client's reason for having no tool.
type noToolError struct{ reason string }

func (e *noToolError) Error() string {
	if e.reason == "" {
		return errNoTool.Error()
	}
	return "the client offers no securefile tool: " + e.reason + "\n" + errNoTool.Error()
}

func (e *noToolError) Is(target error) bool { return target == errNoTool }

// clientReason is the client's securefile-tool-unavailable text, fit for
// one line of an error: no control characters, bounded.
func clientReason(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > maxReasonLen {
		s = strings.ToValidUTF8(s[:maxReasonLen], "") + "…"
	}
	return s
}

// ready waits for the check of the tool found, if any (toolImage.ready):
// the build calls it before its first solve that runs the tool, and
// before it returns, so that no check outlives it.
func (t *toolLocator) ready() error {
	if t == nil {
		return nil
	}
	return t.img.ready()
}

// tool returns the build's tool image: the image the client names
// (securefile-tool-image), else the frontend's own image (source), each
// pinned to the digest it has for the build platform, else the binary the
// client shares, after checking that it is a static executable for the
// build platform's architecture.
func (t *toolLocator) tool(ctx context.Context, c client.Client, build ocispecs.Platform) (*toolImage, error) {
	t.once.Do(func() { t.img, t.err = locateTool(ctx, c, build) })
	if t.err != nil {
		return nil, t.err
	}
	return t.img, nil
}

func locateTool(ctx context.Context, c client.Client, build ocispecs.Platform) (*toolImage, error) {
	opts := c.BuildOpts().Opts
	// The client's choice first: it names an image of its own version
	// when it cannot share itself, which a frontend image of another
	// version must not replace.
	if ref, ok := opts[keyToolImage]; ok {
		if ref = strings.TrimSpace(ref); ref == "" {
			return nil, fmt.Errorf("--opt %s: an empty image reference", keyToolImage)
		}
		return toolImageRef(ctx, c, ref, build, "the tool image "+ref+" (--opt "+keyToolImage+")")
	}
	if src := strings.TrimSpace(opts[keySource]); src != "" {
		return frontendImage(ctx, c, src, build)
	}
	if name := strings.TrimSpace(opts[keyToolLocal]); name != "" {
		return sharedBinary(ctx, c, name, build)
	}
	return nil, &noToolError{reason: clientReason(opts[keyToolUnavailable])}
}

func frontendImage(ctx context.Context, c client.Client, src string, build ocispecs.Platform) (*toolImage, error) {
	return toolImageRef(ctx, c, src, build, "the frontend image "+src)
}

// toolImageRef is the image src, whose binary is at imageToolPath, pinned
// to the digest it has for the build platform; a reference with a digest
// is used as it is. what names the image in errors.
func toolImageRef(ctx context.Context, c client.Client, src string, build ocispecs.Platform, what string) (*toolImage, error) {
	named, err := reference.ParseNormalizedNamed(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	pinned := named
	if _, ok := named.(reference.Canonical); !ok {
		_, dgst, _, err := c.ResolveImageConfig(ctx, reference.TagNameOnly(named).String(), sourceresolver.Opt{
			ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &build, ResolveMode: llb.ResolveModeDefault.String()},
		})
		if err != nil {
			return nil, fmt.Errorf("resolving %s for the leak scanner: %w", what, err)
		}
		if pinned, err = reference.WithDigest(reference.TrimNamed(named), dgst); err != nil {
			return nil, err
		}
	}
	st := llb.Image(pinned.String(), llb.Platform(build), llb.WithCustomName("[securefile] scanner "+pinned.String()))
	return &toolImage{state: st, path: imageToolPath}, nil
}

func sharedBinary(ctx context.Context, c client.Client, name string, build ocispecs.Platform) (*toolImage, error) {
	if name != path.Base(name) || name == "." || name == ".." || "/"+name == scanRoot {
		return nil, fmt.Errorf("--opt %s=%q: want the base name of a file in the local %q", keyToolLocal, name, toolLocalName)
	}
	st := llb.Local(toolLocalName,
		llb.IncludePatterns([]string{name}),
		llb.SessionID(c.BuildOpts().SessionID),
		llb.SharedKeyHint(toolLocalName),
		llb.WithCustomName("[securefile] load the scanner binary "+name),
		// Its own platform, so that every definition that uses it (marshalled
		// for any target platform) names the vertex solved here.
		llb.Platform(build),
	)
	def, err := st.Marshal(ctx, llb.Platform(build))
	if err != nil {
		return nil, err
	}
	r, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("reading the local %q: %w", toolLocalName, err)
	}
	ref, err := r.SingleRef()
	if err != nil {
		return nil, err
	}
	// Reading the header is where BuildKit actually fetches the file from
	// the client (the solve above is lazy), so the check runs while the
	// build goes on to resolve its images; the build waits for it before
	// anything runs the tool (toolLocator.ready).
	t := &toolImage{state: st, path: "/" + name, checked: make(chan struct{})}
	go func() {
		defer close(t.checked)
		t.checkErr = checkShared(ctx, ref, name, build)
	}()
	return t, nil
}

// checkShared checks the shared binary name in ref: a static executable
// for the build platform's architecture.
func checkShared(ctx context.Context, ref client.Reference, name string, build ocispecs.Platform) error {
	head, err := ref.ReadFile(ctx, client.ReadRequest{Filename: name, Range: &client.FileRange{Length: elfHeadSize}})
	if err != nil {
		return fmt.Errorf("the local %q has no file %q (--opt %s): %w", toolLocalName, name, keyToolLocal, err)
	}
	if err := verify.StaticELF(head); err != nil {
		return fmt.Errorf("the scanner binary %q in the local %q cannot run in an empty root filesystem: %w", name, toolLocalName, err)
	}
	// It runs on the build platform; a binary for another machine would
	// fail there with "exec format error", or run under emulation.
	arch, err := verify.ELFArch(head)
	if err != nil {
		return fmt.Errorf("the scanner binary %q in the local %q: %w", name, toolLocalName, err)
	}
	if want := platforms.Normalize(build).Architecture; arch != want {
		return fmt.Errorf("the scanner binary %q in the local %q is built for %s, and the build platform is %s: share a securefile built for %s (GOARCH=%s), or name a securefile image with --opt %s=IMAGE (securefile build --tool-image IMAGE)",
			name, toolLocalName, arch, platforms.Format(build), want, want, keyToolImage)
	}
	return nil
}
