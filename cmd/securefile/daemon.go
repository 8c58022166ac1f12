package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/util/appdefaults"
	"github.com/moby/buildkit/util/grpcerrors"
	"google.golang.org/grpc/codes"
)

// daemonFlags say how to reach the daemon and the registries. They are
// buildctl's: --addr, --tlsservername, --tlscacert, --tlscert, --tlskey,
// --tlsdir, and --registry-auth-tlscontext; registry credentials come from
// the Docker config file ($DOCKER_CONFIG/config.json), as for buildctl and
// docker buildx.
type daemonFlags struct {
	addr                                      string
	tlsServerName, tlsCACert, tlsCert, tlsKey string
	tlsDir                                    string
	registryTLS                               multiFlag
}

func (d *daemonFlags) register(fs *flag.FlagSet) {
	def := os.Getenv("BUILDKIT_HOST")
	if def == "" {
		def = appdefaults.Address
	}
	fs.StringVar(&d.addr, "addr", def, "BuildKit daemon `address` (default $BUILDKIT_HOST, else "+appdefaults.Address+")")
	fs.StringVar(&d.tlsServerName, "tlsservername", "", "daemon TLS server `name` (default: the host of --addr)")
	fs.StringVar(&d.tlsCACert, "tlscacert", "", "CA certificate `file` to verify the daemon's TLS certificate")
	fs.StringVar(&d.tlsCert, "tlscert", "", "client TLS certificate `file`")
	fs.StringVar(&d.tlsKey, "tlskey", "", "client TLS key `file`")
	fs.StringVar(&d.tlsDir, "tlsdir", "", "`directory` with ca.pem|ca.crt, cert.pem|tls.crt and key.pem|tls.key")
	fs.Var(&d.registryTLS, "registry-auth-tlscontext", "registry TLS `host=…,ca=…,cert=…,key=…` (repeatable)")
}

// clientOpts are the TLS options of client.New, as buildctl computes them.
func (d *daemonFlags) clientOpts() ([]client.ClientOpt, error) {
	ca, cert, key := d.tlsCACert, d.tlsCert, d.tlsKey
	if d.tlsDir != "" {
		if ca != "" || cert != "" || key != "" {
			return nil, usageErrorf("--tlsdir and --tlscacert/--tlscert/--tlskey cannot be used together")
		}
		var err error
		if ca, cert, key, err = tlsFilesIn(d.tlsDir); err != nil {
			return nil, usageErrorf("--tlsdir: %v", err)
		}
	}
	if (cert == "") != (key == "") {
		return nil, usageErrorf("--tlscert and --tlskey go together: give both or neither")
	}
	for _, f := range []string{ca, cert, key} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return nil, usageErrorf("TLS file: %v", err)
		}
	}
	var opts []client.ClientOpt
	if ca != "" {
		name := d.tlsServerName
		if name == "" {
			u, err := url.Parse(d.addr)
			if err != nil {
				return nil, usageErrorf("--addr %q: %v", d.addr, err)
			}
			name = u.Hostname()
		}
		opts = append(opts, client.WithServerConfig(name, ca))
	}
	if cert != "" {
		opts = append(opts, client.WithCredentials(cert, key))
	}
	return opts, nil
}

// tlsFilesIn finds the three files in dir, under buildctl's names.
func tlsFilesIn(dir string) (ca, cert, key string, err error) {
	oneOf := func(names ...string) (string, error) {
		for _, n := range names {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			} else if !errors.Is(err, os.ErrNotExist) {
				return "", err
			}
		}
		return "", fmt.Errorf("%s holds none of %s", dir, strings.Join(names, ", "))
	}
	if ca, err = oneOf("ca.pem", "ca.crt"); err != nil {
		return
	}
	if cert, err = oneOf("cert.pem", "tls.crt"); err != nil {
		return
	}
	key, err = oneOf("key.pem", "tls.key")
	return
}

// registryAuth answers the daemon's requests for registry credentials
// from the Docker config file, so that pushes, pulls and registry caches
// of private registries work as with buildctl. Credentials travel over the
// session on request; they are never frontend options or build args.
func (d *daemonFlags) registryAuth() (session.Attachable, error) {
	tlsConfigs, err := build.ParseRegistryAuthTLSContext(d.registryTLS)
	if err != nil {
		return nil, usageErrorf("--registry-auth-tlscontext: %v", err)
	}
	return authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: authprovider.LoadAuthConfig(config.LoadDefaultConfigFile(os.Stderr)),
		TLSConfigs:         tlsConfigs,
	}), nil
}

// connect makes a client, checks that the daemon answers, and returns its
// workers.
func (d *daemonFlags) connect() (*client.Client, []*client.WorkerInfo, error) {
	opts, err := d.clientOpts()
	if err != nil {
		return nil, nil, err
	}
	hint := func(err error) error {
		return fmt.Errorf("cannot reach a BuildKit daemon at %s: %v\n"+
			"Start one and point --addr or BUILDKIT_HOST at it:\n"+
			"  - in this repository: make demo, or make e2e-start; eval \"$(hack/e2e.sh env)\"\n"+
			"  - buildkitd (listens on %s by default)\n"+
			"  - docker buildx create --driver remote <address>\n"+
			"A tcp:// daemon with TLS needs --tlscacert, --tlscert and --tlskey (or --tlsdir).", d.addr, err, appdefaults.Address)
	}
	if p, ok := strings.CutPrefix(d.addr, "unix://"); ok {
		if _, err := os.Stat(p); err != nil {
			return nil, nil, hint(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	c, err := client.New(ctx, d.addr, opts...)
	if err != nil {
		return nil, nil, hint(err)
	}
	// The workers prove the daemon answers, and say its platform, which
	// the choice of the tool needs (offerTool): one round trip for both.
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		c.Close()
		return nil, nil, hint(err)
	}
	return c, ws, nil
}

// daemonGone says, for an error that means the daemon stopped answering
// during a build (gRPC's Unavailable: the connection broke or closed),
// that the daemon at addr went away and what to check; ok is false for
// any other error. The raw gRPC text alone ("error reading from server:
// EOF") does not say which side failed.
func daemonGone(err error, addr string) (msg string, ok bool) {
	if err == nil || grpcerrors.Code(err) != codes.Unavailable {
		return "", false
	}
	return fmt.Sprintf("the BuildKit daemon at %s went away during the build (%v).\n"+
		"Check the daemon's log for why it stopped (a crash, a kill, out of memory), "+
		"that it is running again, and that --addr or BUILDKIT_HOST points at it; then build again.", addr, err), true
}
