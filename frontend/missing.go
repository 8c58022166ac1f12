package frontend

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/lower"
)

// requiredFirst solves the digest step of every required secret
// (internal/lower/rotate.go) and the check step of every required ssh agent
// (internal/lower/sshcheck.go) before the build, so that a secret or agent the
// client did not give fails the build before any step has run, not when
// the first step that mounts it is reached after the others. The
// session's secrets and agents cannot be listed: BuildKit asks the client
// for each when an op mounts it. (securefile build also checks its
// --secret and --ssh flags before it connects.) A digest is the same
// vertex the build then uses, marshalled the same way, so the build's
// solve finds it done: it runs once.
//
// The steps are independent (each its own container, no vertex in
// common), so they are solved at once: a build with three secrets waits
// for one container start, not three in a row. When several fail, the
// error is the first one's in declaration order (secrets, then agents),
// as when they ran one by one.
func (b *builder) requiredFirst(ctx context.Context, res *lower.Result, target ocispecs.Platform) error {
	type check struct {
		st   llb.State
		name func(error) error
	}
	var checks []check
	for _, s := range res.Secrets {
		if s.Optional || s.Digest == nil {
			continue
		}
		checks = append(checks, check{*s.Digest, func(err error) error { return b.missingSecret(err, res) }})
	}
	for _, s := range res.SSH {
		if s.Check == nil {
			continue
		}
		checks = append(checks, check{*s.Check, func(err error) error { return b.missingSSH(err, res) }})
	}
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			def, err := b.marshal(ctx, c.st, llb.Platform(target))
			if err != nil {
				errs[i] = fmt.Errorf("failed to marshal a check of the build's secrets: %w", err)
				return
			}
			if _, err := b.c.Solve(ctx, client.SolveRequest{Definition: def.ToPB(), Evaluate: true}); err != nil {
				errs[i] = c.name(err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// missingSSH is missingSecret for an ssh agent: BuildKit says `no SSH key
// "ID" forwarded from the client`.
func (b *builder) missingSSH(err error, res *lower.Result) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range res.SSH {
		if !strings.Contains(msg, fmt.Sprintf("no SSH key %q forwarded", s.ID)) {
			continue
		}
		flag := "--ssh " + s.ID + "=SOCKET|KEY"
		if s.ID == "default" {
			flag = "--ssh default (the agent of $SSH_AUTH_SOCK) or --ssh default=SOCKET|KEY"
		}
		return withSource(fmt.Errorf("%s: ssh agent %q is required, and the client forwarded none with that id: pass %s to buildctl, docker buildx or securefile build, or declare it required = false (%v)", s.Range, s.ID, flag, msg), b.in.info(), s.Range)
	}
	return err
}

// missingSecret turns BuildKit's "secret ID: not found", which the digest
// step of a required secret the client did not give fails with, into an
// error at the secret's declaration that names the flag to pass.
// BuildKit's error is quoted, not wrapped: the gRPC status inside it would
// replace this message on the way to the client.
func (b *builder) missingSecret(err error, res *lower.Result) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range res.Secrets {
		if s.Optional || !strings.Contains(msg, "secret "+s.ID+": not found") {
			continue
		}
		return withSource(fmt.Errorf("%s: secret %q is required, and the client gave none with that id: pass --secret id=%s,src=FILE (or id=%s,env=VAR) to buildctl, docker buildx or securefile build, or declare it required = false (%v)", s.Range, s.ID, s.ID, s.ID, msg), b.in.info(), s.Range)
	}
	return err
}
