package frontend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/internal/lock"
)

// Local is what a frontend running in the client's own process (securefile
// build) knows that one in the daemon does not: the directories behind the
// client's "dockerfile" and "context" locals. BuildLocal reads the build
// file, its ignore files, the lock and the context's .dockerignore from
// them directly, where Build asks the daemon to fetch each back from the
// client (a solve, a stat and a read per file: about ten gateway round
// trips of a cached build's fifteen). The files read are the same, and so
// is every byte of LLB the build sends (TestBuildLocalSameLLB).
type Local struct {
	// BuildFileDir is the "dockerfile" local: the build file's directory.
	BuildFileDir string
	// ContextDir is the "context" local.
	ContextDir string
	// Progress, when not nil, is given the vertices of the files read
	// here, which a daemon-side read would show in the build's progress
	// (the build file's names securefile's version): the same digests
	// and names, marked cached, so that every display shows them alike.
	Progress func(*client.SolveStatus)
}

// BuildLocal is Build for a frontend in the client's process, reading the
// client's files through l. It falls back to Build's reads through the
// daemon when an option moves a file somewhere l does not describe (a
// named context for the build file or the context, a remote context, a
// local of another session or name).
func BuildLocal(ctx context.Context, c gwclient.Client, l Local) (*gwclient.Result, error) {
	return buildWith(ctx, c, &l)
}

// localKeep are the options BuildLocal knows leave the "dockerfile" and
// "context" locals where the client put them: dockerui's build settings,
// the subrequests, and securefile's own. Any other option (contextkey,
// dockerfilekey, a git or HTTP context, "cmdline" from a forwarding
// Dockerfile frontend, one a later BuildKit adds) makes it read through
// the daemon, which is always right: an option it does not know cannot
// make it read the wrong file.
var localKeep = map[string]bool{
	keyFilename: true, "target": true, "platform": true, keyNoCache: true,
	"multi-platform": true, "image-resolve-mode": true, "add-hosts": true,
	"force-network-mode": true, "hostname": true, "shm-size": true, "ulimit": true,
	"cgroup-parent": true, "memory": true, "memswap": true, "cpushares": true,
	"cpuperiod": true, "cpuquota": true, "cpusetcpus": true, "cpusetmems": true,
	"cache-from": true, "cache-imports": true,
	keyRequestID: true, "frontend.caps": true,
}

// localKeepPrefixes are option families that leave the locals alone. A
// named context or a session of its own for another local is fine; for
// "context" or "dockerfile" it is not (localMoved).
var localKeepPrefixes = []string{"build-arg:", "label:", "attest:", "securefile-", "context:", "local-sessionid:"}

// localMoved are the named contexts and sessions that replace the locals.
var localMoved = map[string]bool{
	"context:" + dockerui.DefaultLocalNameContext:            true,
	"context:" + dockerui.DefaultLocalNameDockerfile:         true,
	"local-sessionid:" + dockerui.DefaultLocalNameContext:    true,
	"local-sessionid:" + dockerui.DefaultLocalNameDockerfile: true,
}

// usable reports whether l describes this build's locals: every option
// is one that leaves them where the client put them.
func (l *Local) usable(opts map[string]string) bool {
	if l == nil || l.BuildFileDir == "" || l.ContextDir == "" {
		return false
	}
	for k := range opts {
		if localMoved[k] {
			return false
		}
		if !localKeep[k] && !slices.ContainsFunc(localKeepPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			return false
		}
	}
	return true
}

// localDir is one local directory, opened as an os.Root so that a symlink
// leads nowhere outside it, as the daemon's copy of the local (fsutil) does
// not either.
type localDir struct {
	root *os.Root
}

func openLocalDir(dir string) (*localDir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &localDir{root: r}, nil
}

func (d *localDir) close() { d.root.Close() }

// read reads name (slash-separated, relative) as dockerui.ReadFile does: a
// file over MaxFileSize is a *TooLargeError, a missing one fs.ErrNotExist.
func (d *localDir) read(name string) ([]byte, error) {
	f, err := d.root.Open(path.Clean(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", name)
	}
	if st.Size() > MaxFileSize {
		return nil, &TooLargeError{Name: name, Size: st.Size()}
	}
	dt, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(dt) > MaxFileSize {
		return nil, &TooLargeError{Name: name, Size: int64(len(dt))}
	}
	return dt, nil
}

// readOptional is read with a missing file as nil, nil.
func (d *localDir) readOptional(name string) ([]byte, error) {
	dt, err := d.read(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return dt, err
}

// localSource is dockerui.ReadEntrypoint on a local directory: the same
// llb.Local (dockerui's options first, the caller's after), its source
// map, its warnings on its vertex; plus the <file>.dockerignore beside
// the build file, nil when there is none.
func localSource(ctx context.Context, c gwclient.Client, dir *localDir, name, lang string, lopts []llb.LocalOption) (*dockerui.Source, []byte, *client.Vertex, error) {
	// read never comes here for a file named Dockerfile (isDockerfileName),
	// for which dockerui also follows the lower-case name.
	filenames := []string{name, name + ".dockerignore"}
	bo := c.BuildOpts()
	opts := append([]llb.LocalOption{
		llb.FollowPaths(filenames),
		llb.SessionID(bo.SessionID),
		llb.SharedKeyHint(dockerui.DefaultLocalNameDockerfile),
		dockerui.WithInternalName("load build definition from " + name),
		llb.Differ(llb.DiffNone, false),
	}, lopts...)
	st := llb.Local(dockerui.DefaultLocalNameDockerfile, opts...)
	def, err := st.Marshal(ctx, llb.WithCaps(bo.Caps))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("failed to marshal local source: %w", err)
	}
	head, err := def.Head()
	if err != nil {
		return nil, nil, nil, err
	}
	dt, err := dir.read(name)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("failed to read dockerfile: %w", err)
	}
	ignore, err := dir.readOptional(name + ".dockerignore")
	if err != nil {
		return nil, nil, nil, err
	}
	smap := llb.NewSourceMap(&st, name, lang, dt)
	smap.Definition = def
	src := &dockerui.Source{
		SourceMap: smap,
		// dockerui's Warn, word for word: on the vertex that read the file.
		Warn: func(ctx context.Context, msg string, opts gwclient.WarnOpts) {
			if opts.Level == 0 {
				opts.Level = 1
			}
			if opts.SourceInfo == nil {
				opts.SourceInfo = sourceInfo(smap)
			}
			c.Warn(ctx, head, msg, opts)
		},
	}
	return src, ignore, vertexOf(def, head), nil
}

// vertexOf is the progress vertex of def's head, as the daemon reports a
// cached local: its digest and custom name.
func vertexOf(def *llb.Definition, head digest.Digest) *client.Vertex {
	now := time.Now()
	return &client.Vertex{
		Digest:    head,
		Name:      def.Metadata[head].Description["llb.customname"],
		Started:   &now,
		Completed: &now,
		Cached:    true,
	}
}

// localLock is readLock on a local directory: the same vertex (for the
// progress), the same file, the same parse.
func localLock(ctx context.Context, c gwclient.Client, dir *localDir, filename string) (*lock.File, *client.Vertex, error) {
	name := lockPath(filename)
	def, err := lockState(c, name).Marshal(ctx)
	if err != nil {
		return nil, nil, err
	}
	head, err := def.Head()
	if err != nil {
		return nil, nil, err
	}
	dt, err := dir.readOptional(name)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	v := vertexOf(def, head)
	if dt == nil {
		return nil, v, nil
	}
	f, err := parseLock(c, name, dt)
	return f, v, err
}

// localIgnore is the context's ignore patterns as dockerui's MainContext
// finds them, read once, when the main context is first asked for: the
// build file's own ignore file when it has one, else the stem's (of a
// .toml), else the context's .dockerignore.
type localIgnore struct {
	once     sync.Once
	dir      string
	fixed    []byte // the build file's or the stem's, nil when neither
	fixedFor string // its name, for errors
	excludes []string
	err      error
}

func (li *localIgnore) patterns() ([]string, error) {
	li.once.Do(func() {
		dt, name := li.fixed, li.fixedFor
		if dt == nil {
			name = dockerui.DefaultDockerignoreName
			d, err := openLocalDir(li.dir)
			if err != nil {
				li.err = fmt.Errorf("failed to read dockerignore patterns: %w", err)
				return
			}
			defer d.close()
			if dt, err = d.readOptional(name); err != nil {
				li.err = fmt.Errorf("failed to read dockerignore patterns: %w", err)
				return
			}
		}
		if len(dt) == 0 {
			return
		}
		if li.excludes, li.err = ignorefile.ReadAll(bytes.NewReader(dt)); li.err != nil {
			li.err = fmt.Errorf("failed to read dockerignore patterns: failed parsing %s: %w", name, li.err)
		}
	})
	return li.excludes, li.err
}

// localMainContext is dockerui's MainContext (no remote context, the
// default local name and session: Local.usable) with the patterns of li.
func localMainContext(c gwclient.Client, li *localIgnore, opts []llb.LocalOption) (*llb.State, error) {
	excludes, err := li.patterns()
	if err != nil {
		return nil, err
	}
	opts = append([]llb.LocalOption{
		llb.SessionID(c.BuildOpts().SessionID),
		llb.ExcludePatterns(excludes),
		llb.SharedKeyHint(dockerui.DefaultLocalNameContext),
		dockerui.WithInternalName("load build context"),
	}, opts...)
	st := llb.Local(dockerui.DefaultLocalNameContext, opts...)
	return &st, nil
}
