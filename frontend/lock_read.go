package frontend

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"

	"github.com/ourorg/securefile/internal/lock"
	"github.com/ourorg/securefile/internal/version"
)

// Lock options: buildctl --opt securefile-lock=frozen; docker buildx, which
// passes only build args, --build-arg BUILDKIT_SECUREFILE_LOCK=frozen.
const (
	keyLock    = "securefile-lock"
	keyLockArg = "build-arg:BUILDKIT_SECUREFILE_LOCK"
	lockFrozen = "frozen"
)

// LockOption is the frontend option that turns frozen mode on, with the
// value LockFrozen.
const (
	LockOption = keyLock
	LockFrozen = lockFrozen
)

// lockFrozenMode reports whether the client asked for a frozen lock. The
// option wins over the build arg.
func lockFrozenMode(opts map[string]string) (bool, error) {
	for _, k := range []string{keyLock, keyLockArg} {
		if v, ok := opts[k]; ok {
			switch strings.TrimSpace(v) {
			case lockFrozen:
				return true, nil
			case "":
				return false, nil
			}
			return false, fmt.Errorf("%s=%q: the only value is %q (fail when anything is unpinned or has drifted)", strings.TrimPrefix(k, "build-arg:"), v, lockFrozen)
		}
	}
	return false, nil
}

// lockPath is Securefile.lock in the directory of the build file: a
// Securefile and a Securefile.toml next to each other share one lock.
func lockPath(filename string) string {
	return path.Join(path.Dir(filename), lock.FileName)
}

// readLock reads Securefile.lock from the local the build file came from.
// dockerui reads only the build file and its ignore file, so the lock is
// transferred on its own, and only it. No lock is a nil file; a lock that
// does not parse fails the build, with every problem in it. It depends
// on the build file's directory only, so read runs it while dockerui
// reads the build file (lockPath is the same for every candidate name).
func readLock(ctx context.Context, c client.Client, filename string) (*lock.File, error) {
	name := lockPath(filename)
	def, err := lockState(c, name).Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	ref, err := res.SingleRef()
	if err != nil || ref == nil {
		return nil, err
	}
	if _, err := ref.StatFile(ctx, client.StatRequest{Path: name}); err != nil {
		return nil, nil // no lock
	}
	dt, err := dockerui.ReadFile(ctx, ref, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return parseLock(c, name, dt)
}

// lockState is the local that holds only the lock file name.
func lockState(c client.Client, name string) llb.State {
	// As in dockerui: buildx may serve the build file's local from a
	// session of its own.
	sessionID := c.BuildOpts().SessionID
	if v, ok := c.BuildOpts().Opts["local-sessionid:"+dockerui.DefaultLocalNameDockerfile]; ok {
		sessionID = v
	}
	return llb.Local(dockerui.DefaultLocalNameDockerfile,
		llb.IncludePatterns([]string{name}),
		llb.SessionID(sessionID),
		llb.SharedKeyHint(dockerui.DefaultLocalNameDockerfile+"-lock"),
		// The version too: under "# syntax=" forwarding the build-file
		// vertex is the Dockerfile frontend's (same digest, its name), and
		// this one is the first of ours in every build's progress.
		dockerui.WithInternalName(fmt.Sprintf("load lock file %s (securefile %s)", name, version.String())),
		llb.Differ(llb.DiffNone, false),
	)
}

// parseLock parses the lock file's bytes dt: a lock that does not parse
// fails the build, with every problem in it.
func parseLock(c client.Client, name string, dt []byte) (*lock.File, error) {
	f, err := lock.Parse(name, dt)
	if err != nil {
		// Only builds use the lock. The lock request replaces a broken
		// one (which is what every problem's hint tells the user to do),
		// keeping its salt; outline, targets and lint do not need it.
		if req, ok := c.BuildOpts().Opts[keyRequestID]; ok {
			if salt := lock.SaltOf(dt); salt != nil && req == LockRequest {
				return &lock.File{Version: lock.Version, Salt: salt}, nil
			}
			return nil, nil
		}
		return nil, err
	}
	return f, nil
}
