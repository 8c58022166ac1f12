package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/sshforward"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
)

// sshAgents checks every --ssh flag and makes the session's ssh agent
// provider. BuildKit's own errors print the parsed flag as a Go struct
// and hide which flag is wrong; here each problem names the flag as
// written and says what the path is instead of a socket or a key.
func sshAgents(flags []string) (session.Attachable, error) {
	var configs []sshprovider.AgentConfig
	seen := map[string]string{} // agent id → the flag that gave it
	for _, v := range flags {
		parsed, err := build.ParseSSH([]string{v})
		if err != nil {
			return nil, usageErrorf("--ssh %s: %v", v, err)
		}
		cfg := parsed[0]
		id := cfg.ID
		if id == "" {
			id = sshforward.DefaultID
		}
		if prev, dup := seen[id]; dup {
			return nil, usageErrorf("--ssh %s: agent %q is already given by --ssh %s; give each id once (one flag takes several keys: %s=KEY1,KEY2)", v, id, prev, id)
		}
		seen[id] = v
		configs = append(configs, cfg)
	}
	for i, cfg := range configs {
		if err := checkSSHConfig(cfg); err != nil {
			return nil, usageErrorf("--ssh %s: %v", flags[i], err)
		}
	}
	return sshprovider.NewSSHAgentProvider(configs)
}

// checkSSHConfig says what is wrong with one flag's paths: each must be
// an agent socket or a private key the provider can load. Without a path
// the agent is $SSH_AUTH_SOCK's.
func checkSSHConfig(cfg sshprovider.AgentConfig) error {
	paths := cfg.Paths
	if len(paths) == 0 || len(paths) == 1 && paths[0] == "" {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return errors.New(`no socket or key is named and SSH_AUTH_SOCK is not set: start an agent (eval "$(ssh-agent)"; ssh-add) or name a socket or a key file (--ssh ID=PATH)`)
		}
		if _, err := checkSSHPath(sock, true); err != nil {
			return fmt.Errorf("SSH_AUTH_SOCK: %w", err)
		}
		return nil
	}
	var sockets, keys int
	for _, p := range paths {
		socket, err := checkSSHPath(p, false)
		if err != nil {
			return err
		}
		if socket {
			sockets++
			continue
		}
		keys++
		// The provider loads keys when it is made: one key at a time, so
		// that the error can name the file.
		if _, err := sshprovider.NewSSHAgentProvider([]sshprovider.AgentConfig{{ID: cfg.ID, Paths: []string{p}}}); err != nil {
			return fmt.Errorf("%s is not a socket, and not a private key the agent can load: %s (a key with a passphrase: add it to an agent with ssh-add and pass the agent's socket)", p, innermost(err))
		}
	}
	if sockets > 1 || sockets > 0 && keys > 0 {
		return errors.New("one flag names either one agent socket or key files, not both and not two sockets; give another id for the other (--ssh ID2=PATH)")
	}
	// What else the provider refuses, such as raw mode with a key.
	if _, err := sshprovider.NewSSHAgentProvider([]sshprovider.AgentConfig{cfg}); err != nil {
		return errors.New(innermost(err))
	}
	return nil
}

// checkSSHPath says whether p is a socket, and why it is neither an ssh
// agent socket nor a file that could hold a key; agentOnly is for
// $SSH_AUTH_SOCK, which must be a socket.
func checkSSHPath(p string, agentOnly bool) (socket bool, err error) {
	want := "an ssh agent socket or a private key file"
	if agentOnly {
		want = "an ssh agent socket"
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("%s: no such file; want %s", p, want)
	case err != nil:
		return false, fmt.Errorf("%s: %s; want %s", p, innermost(err), want)
	case fi.Mode()&fs.ModeSocket != 0:
		return true, nil
	case fi.IsDir():
		return false, fmt.Errorf("%s is a directory, not %s", p, want)
	case agentOnly || !fi.Mode().IsRegular():
		return false, fmt.Errorf("%s is not a socket; want %s", p, want)
	}
	return false, nil
}

// innermost is the message of the error at the end of err's chain, the
// cause without the wrappers' restatements of the flag.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
