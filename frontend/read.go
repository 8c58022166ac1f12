package frontend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lock"
	"github.com/ourorg/securefile/internal/version"
)

// Frontend options (buildctl --opt KEY=VALUE; docker buildx can only pass
// build args, hence the build-arg spelling of the syntax option).
const (
	keyFilename  = "filename"
	keySyntax    = "securefile-syntax"
	keySyntaxArg = "build-arg:BUILDKIT_SECUREFILE_SYNTAX"
	// keyCmdline is set by the Dockerfile frontend when it forwards a build
	// to the image named by "# syntax=" (or BUILDKIT_SYNTAX).
	keyCmdline = "cmdline"
)

// Default build file names, tried in order when the client names none.
const (
	defaultFile     = "Securefile"
	defaultTOMLFile = "Securefile.toml"
)

// MaxFileSize is the largest build file securefile reads, in bytes (16
// MiB): BuildKit's dockerui, which reads it for the frontend, refuses a
// larger file, and a frontend over the gateway could not receive one in a
// single message anyway. The CLI's offline commands hold files to it too,
// so that a file that lints is a file that builds (TestMaxFileSize pins it
// to dockerui's limit).
const MaxFileSize = 16 << 20

// TooLargeError says a build file is larger than MaxFileSize. Size is -1
// when it is not known (BuildKit does not say).
type TooLargeError struct {
	Name string
	Size int64
}

func (e *TooLargeError) Error() string {
	size := "larger than"
	if e.Size >= 0 {
		size = fmt.Sprintf("%d bytes (%.1f MiB), more than", e.Size, float64(e.Size)/(1<<20))
	}
	return fmt.Sprintf("%s is too large to be a build file: it is %s the %d bytes (16 MiB) BuildKit lets a frontend read; "+
		"keep data out of the build file (put it in the context and copy it in), or split the build", e.Name, size, MaxFileSize)
}

// isTooLarge recognizes dockerui's error for a file over its limit, which
// has an unexported type: only the message tells it apart from a missing
// file (TestReadTooLarge fails if BuildKit rewords it).
func isTooLarge(err error) bool {
	return err != nil && strings.Contains(err.Error(), "exceeds maximum allowed size")
}

// input is the build file as read from the client.
type input struct {
	bc       *dockerui.Client
	src      *dockerui.Source
	filename string
	syntax   grammar.Syntax
	// excludes, when not nil, replace the .dockerignore patterns of the
	// main context (see stemIgnore).
	excludes []string
	// lock is Securefile.lock next to the build file, nil when there is
	// none; gw is the client it and the lock subrequest resolve through.
	lock *lock.File
	gw   client.Client
	// ignore, when not nil, gives the main context's ignore patterns:
	// the build file was read from the client's own directories
	// (local.go), and so is the context's .dockerignore.
	ignore *localIgnore
}

// info is the file's source info for errors.
func (in *input) info() *pb.SourceInfo { return sourceInfo(in.src.SourceMap) }

// syntaxOption returns the syntax the client forces with securefile-syntax
// (or the BUILDKIT_SECUREFILE_SYNTAX build arg); ok is false when it forces
// none. The option wins over the build arg.
func syntaxOption(opts map[string]string) (s grammar.Syntax, ok bool, err error) {
	for _, k := range []string{keySyntax, keySyntaxArg} {
		if v := strings.TrimSpace(opts[k]); v != "" {
			s, err := grammar.ParseSyntax(v)
			if err != nil {
				return s, false, fmt.Errorf("%s: %w", strings.TrimPrefix(k, "build-arg:"), err)
			}
			return s, true, nil
		}
	}
	return grammar.DSL, false, nil
}

// fileCandidates lists the build files to try, in order, and whether the
// client named the file itself. With no filename option the file is
// Securefile, else Securefile.toml (the other way round when TOML is
// forced) — except when the Dockerfile frontend forwarded the build: it
// read the default Dockerfile and found our "# syntax=" line in it, so that
// is the file.
func fileCandidates(opts map[string]string, forced grammar.Syntax, isForced bool) (names []string, explicit bool) {
	if v, ok := opts[keyFilename]; ok && v != "" {
		return []string{v}, true
	}
	if _, ok := opts[keyCmdline]; ok {
		return []string{dockerui.DefaultDockerfileName}, false
	}
	if isForced && forced == grammar.TOML {
		return []string{defaultTOMLFile, defaultFile}, false
	}
	return []string{defaultFile, defaultTOMLFile}, false
}

// syntaxOf is the syntax of a build file: forced by an option, else by its
// name (.toml is TOML).
func syntaxOf(filename string, forced grammar.Syntax, isForced bool) grammar.Syntax {
	if isForced {
		return forced
	}
	return grammar.Detect(filename)
}

// language names the syntax in source info, after GitHub linguist as
// llb.SourceMap asks (the DSL has no entry there).
func language(s grammar.Syntax) string {
	if s == grammar.TOML {
		return "TOML"
	}
	return "Securefile"
}

// optsClient is the gateway client with other build options: it is how a
// default file name reaches dockerui, which reads "filename" (default
// Dockerfile) from the options, without changing the client's own map.
type optsClient struct {
	client.Client
	opts client.BuildOpts
}

func (c *optsClient) BuildOpts() client.BuildOpts { return c.opts }

func withFilename(c client.Client, name string) client.Client {
	bo := c.BuildOpts()
	opts := maps.Clone(bo.Opts)
	if opts == nil {
		opts = map[string]string{}
	}
	opts[keyFilename] = name
	bo.Opts = opts
	return &optsClient{Client: c, opts: bo}
}

// read finds and reads the build file through dockerui, which also reads
// <file>.dockerignore next to it; or, when local describes the client's
// directories, from them (readLocal).
func read(ctx context.Context, c client.Client, local *Local) (*input, error) {
	opts := c.BuildOpts().Opts
	forced, isForced, err := syntaxOption(opts)
	if err != nil {
		return nil, err
	}
	names, explicit := fileCandidates(opts, forced, isForced)
	if local.usable(opts) && !slices.ContainsFunc(names, isDockerfileName) {
		return readLocal(ctx, c, local, names, explicit, forced, isForced)
	}
	// The lock is read while dockerui reads the build file: both are
	// round trips to the client's "dockerfile" local, and the lock's path
	// depends only on the directory, the same for every candidate (all
	// the names are in one directory; checked here, not assumed). A fully
	// cached build then waits for one round trip instead of two.
	type lockResult struct {
		f   *lock.File
		err error
	}
	var lockCh chan lockResult
	if sameDir(names) {
		lockCtx, cancel := context.WithCancel(ctx)
		ch := make(chan lockResult, 1)
		lockCh = ch
		go func() {
			f, err := readLock(lockCtx, c, names[0])
			ch <- lockResult{f, err}
		}()
		// A build file that cannot be read ends the lock read, and read
		// returns only once it has: nothing it started outlives it.
		defer func() {
			cancel()
			if lockCh != nil {
				<-lockCh
			}
		}()
	}
	var firstErr error
	for _, name := range names {
		bc, err := candidateClient(c, name, explicit)
		if err != nil {
			return nil, err
		}
		syntax := syntaxOf(name, forced, isForced)
		src, err := bc.ReadEntrypoint(ctx, language(syntax), entrypointOptions(name)...)
		if isTooLarge(err) {
			// The file is there: trying the next name would end in "no
			// build file", which hides what is wrong.
			return nil, &TooLargeError{Name: name, Size: -1}
		}
		if err != nil {
			// Like dockerui's Dockerfile/dockerfile fallback, any failure
			// to read the first name moves on to the next.
			if firstErr == nil {
				firstErr = err
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		in := &input{bc: bc, src: src, filename: name, syntax: syntax}
		if err := in.stemIgnore(ctx, c); err != nil {
			return nil, err
		}
		in.gw = c
		if lockCh == nil {
			if in.lock, err = readLock(ctx, c, name); err != nil {
				return nil, err
			}
			return in, nil
		}
		r := <-lockCh
		lockCh = nil // received: the deferred wait is done
		if r.err != nil {
			return nil, r.err
		}
		in.lock = r.f
		return in, nil
	}
	return nil, noBuildFile(names, firstErr)
}

// candidateClient is dockerui's client for the candidate build file name:
// the client's own options when it named the file, else with the name.
func candidateClient(c client.Client, name string, explicit bool) (*dockerui.Client, error) {
	if !explicit {
		c = withFilename(c, name)
	}
	return dockerui.NewClient(c)
}

// noBuildFile is the error of a read that found none of names; firstErr
// is why the first could not be read.
func noBuildFile(names []string, firstErr error) error {
	if len(names) > 1 {
		return fmt.Errorf("no build file: tried %s: %w", strings.Join(names, " and "), firstErr)
	}
	return firstErr
}

// entrypointOptions are the options read adds to dockerui's local for the
// build file name. The vertex that loads the file names the frontend's
// version, so that every build's progress says which securefile ran (the
// name is metadata: the vertex and its cache key stay dockerui's).
func entrypointOptions(name string) []llb.LocalOption {
	lopts := []llb.LocalOption{dockerui.WithInternalName(fmt.Sprintf("load build definition from %s (securefile %s)", name, version.String()))}
	if stem, ok := ignoreStem(name); ok {
		lopts = append(lopts, llb.FollowPaths([]string{name, name + ".dockerignore", stem + ".dockerignore"}))
	}
	return lopts
}

// isDockerfileName reports whether dockerui would also try the name in
// lower case (moby/moby#10858), which only its own read does.
func isDockerfileName(name string) bool {
	return path.Base(name) == dockerui.DefaultDockerfileName
}

// readLocal is read from the client's directories: the same candidates,
// files and LLB, without a round trip to the daemon for each file.
func readLocal(ctx context.Context, c client.Client, local *Local, names []string, explicit bool, forced grammar.Syntax, isForced bool) (*input, error) {
	dir, err := openLocalDir(local.BuildFileDir)
	if err != nil {
		return nil, fmt.Errorf("reading the build file's directory: %w", err)
	}
	defer dir.close()
	var firstErr error
	for _, name := range names {
		bc, err := candidateClient(c, name, explicit)
		if err != nil {
			return nil, err
		}
		syntax := syntaxOf(name, forced, isForced)
		src, ignore, vtx, err := localSource(ctx, c, dir, name, language(syntax), entrypointOptions(name))
		if tooLarge := (*TooLargeError)(nil); errors.As(err, &tooLarge) {
			return nil, tooLarge
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		in := &input{bc: bc, src: src, filename: name, syntax: syntax, gw: c}
		in.ignore = &localIgnore{dir: local.ContextDir}
		if ignore != nil {
			in.ignore.fixed, in.ignore.fixedFor = ignore, name+".dockerignore"
		} else if stem, ok := ignoreStem(name); ok {
			if in.ignore.fixed, err = dir.readOptional(stem + ".dockerignore"); err != nil {
				return nil, err
			}
			in.ignore.fixedFor = stem + ".dockerignore"
		}
		lf, lvtx, err := localLock(ctx, c, dir, name)
		if local.Progress != nil {
			vs := []*bkclient.Vertex{vtx}
			if lvtx != nil {
				vs = append(vs, lvtx)
			}
			local.Progress(&bkclient.SolveStatus{Vertexes: vs})
		}
		if err != nil {
			return nil, err
		}
		in.lock = lf
		return in, nil
	}
	return nil, noBuildFile(names, firstErr)
}

// ignoreStem returns "Securefile" for "Securefile.toml": a TOML build file
// also uses the ignore file of its DSL twin, so Securefile.dockerignore
// serves either syntax.
func ignoreStem(filename string) (string, bool) {
	ext := path.Ext(filename)
	if !strings.EqualFold(ext, ".toml") || len(filename) == len(ext) {
		return "", false
	}
	return strings.TrimSuffix(filename, ext), true
}

// stemIgnore reads <stem>.dockerignore for a .toml build file that has no
// <file>.dockerignore of its own (which dockerui has already read). Its
// patterns then take the place of the context's .dockerignore.
func (in *input) stemIgnore(ctx context.Context, c client.Client) error {
	stem, ok := ignoreStem(in.filename)
	if !ok || in.src.SourceMap == nil || in.src.Definition == nil {
		return nil
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: in.src.Definition.ToPB()})
	if err != nil {
		return err
	}
	ref, err := res.SingleRef()
	if err != nil || ref == nil {
		return err
	}
	if _, err := ref.StatFile(ctx, client.StatRequest{Path: in.filename + ".dockerignore"}); err == nil {
		return nil
	}
	if _, err := ref.StatFile(ctx, client.StatRequest{Path: stem + ".dockerignore"}); err != nil {
		return nil // no such file
	}
	dt, err := dockerui.ReadFile(ctx, ref, stem+".dockerignore")
	if err != nil {
		return err
	}
	excludes, err := ignorefile.ReadAll(bytes.NewReader(dt))
	if err != nil {
		return fmt.Errorf("failed parsing %s.dockerignore: %w", stem, err)
	}
	if excludes == nil {
		excludes = []string{}
	}
	in.excludes = excludes
	return nil
}

// mainContext is dockerui's main context, with the stem ignore file's
// patterns when there is one. The caller's options come last, as in
// dockerui.
func (in *input) mainContext(ctx context.Context, opts ...llb.LocalOption) (*llb.State, error) {
	if in.ignore != nil {
		return localMainContext(in.gw, in.ignore, opts)
	}
	if in.excludes != nil {
		opts = append([]llb.LocalOption{llb.ExcludePatterns(in.excludes)}, opts...)
	}
	return in.bc.MainContext(ctx, opts...)
}

// sameDir reports whether the names are in one directory, so that they
// share one Securefile.lock (lockPath).
func sameDir(names []string) bool {
	if len(names) == 0 {
		return false
	}
	for _, n := range names[1:] {
		if lockPath(n) != lockPath(names[0]) {
			return false
		}
	}
	return true
}
