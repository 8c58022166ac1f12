//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/frontend"
)

// sshgitDir holds the build of these tests: a run step that clones over
// ssh (target run-clone) and an add git source of the same URL (add-git),
// both with the host key pinned through the KNOWN_HOSTS arg.
func sshgitDir() string { return filepath.Join(h.repo, "e2e", "testdata", "sshgit") }

// TestSSHGit: git clones from a local sshd over ssh with the host key
// pinned in the build file, in a run step on the Debian base and as an
// add git source, each way of reaching the frontend.
func TestSSHGit(t *testing.T) {
	t.Parallel()
	base := requireDebian(t)
	sock := startSSHAgent(t)
	content := "cloned over ssh " + nonce(t, 8) + "\n"
	s := startSSHD(t, content, agentKeys(t, sock)...)
	agent := []sshprovider.AgentConfig{{ID: "default", Paths: []string{sock}}}

	for _, c := range []struct{ target, file string }{
		{"run-clone", "hello.txt"},
		{"add-git", "src/hello.txt"},
	} {
		t.Run(c.target, func(t *testing.T) {
			eachVariant(t, func(t *testing.T, v variant) {
				r := sshgitBuild(t, v, c.target, s.args(base, s.knownHosts, nonce(t, 8)), agent)
				if r.err != nil {
					t.Fatalf("build failed: %v\n%s", r.err, r.logs)
				}
				got, err := os.ReadFile(filepath.Join(r.out, c.file))
				if err != nil {
					t.Fatalf("the clone's file is not in the result: %v", err)
				}
				if string(got) != content {
					t.Errorf("/%s = %q, want %q (the repository's hello.txt)", c.file, got, content)
				}
			})
		})
	}
	if !s.accepted() {
		t.Errorf("sshd never accepted the agent's key, yet the builds succeeded")
	}
}

// TestSSHGitHostKeyRefused: a known_hosts without the server's key (none
// for its host, or another key for it) fails the clone on host key
// verification: no prompt, no keyscan, and the server never sees the
// client authenticate, so nothing is cloned.
func TestSSHGitHostKeyRefused(t *testing.T) {
	t.Parallel()
	base := requireDebian(t)
	sock := startSSHAgent(t)
	s := startSSHD(t, "must not be cloned\n", agentKeys(t, sock)...)
	agent := []sshprovider.AgentConfig{{ID: "default", Paths: []string{sock}}}
	host := strings.Fields(s.knownHosts)[0] // [127.0.0.1]:PORT
	other := otherHostKey(t)
	port := strconv.Itoa(s.port)

	for _, c := range []struct {
		name, target, knownHosts string
		want                     []string
	}{
		{"run-unknown", "run-clone", "[127.0.0.1]:1 " + other,
			[]string{"No ED25519 host key is known for " + host, "Host key verification failed"}},
		{"run-changed", "run-clone", host + " " + other,
			[]string{"REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key for " + host + " has changed", "Host key verification failed"}},
		// BuildKit's error names the repository (and so the host) itself.
		{"add-git-unknown", "add-git", "[127.0.0.1]:1 " + other,
			[]string{"@127.0.0.1:" + port + "/", "Host key verification failed"}},
		{"add-git-changed", "add-git", host + " " + other,
			[]string{"@127.0.0.1:" + port + "/", "Host key for " + host + " has changed", "Host key verification failed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sshgitBuild(t, variants[2], c.target, s.args(base, c.knownHosts, nonce(t, 8)), agent)
			if r.err == nil {
				t.Fatalf("the build succeeded with a known_hosts that does not hold the server's key\n%s", r.logs)
			}
			// What the user sees: the error and the step's output.
			seen := r.err.Error() + "\n" + r.logs
			t.Logf("the build failed as it should: %v\n%s", r.err, r.logs)
			for _, w := range c.want {
				if !strings.Contains(seen, w) {
					t.Errorf("the failure does not say %q:\nerror: %v\nlogs:\n%s", w, r.err, r.logs)
				}
			}
			if strings.Contains(seen, "Are you sure you want to continue connecting") {
				t.Errorf("ssh prompted for the host key:\n%s", seen)
			}
			if entries, _ := os.ReadDir(r.out); len(entries) != 0 {
				t.Errorf("the failed build exported %d files", len(entries))
			}
		})
	}
	if s.accepted() {
		t.Errorf("sshd accepted a key: a client got past host key verification\n%s", s.log.String())
	}
}

// TestSSHGitCLI: securefile build --ssh forwards an agent socket
// (default=$SSH_AUTH_SOCK) or a key file (default=KEYFILE, which the CLI
// serves as an agent itself) and the clone over ssh works with either.
func TestSSHGitCLI(t *testing.T) {
	t.Parallel()
	base := requireDebian(t)
	bin := buildCLI(t)
	sock := startSSHAgent(t)
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	mustRun(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e-file", "-f", keyFile)
	pub, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	content := "cloned by the CLI " + nonce(t, 8) + "\n"
	s := startSSHD(t, content, append(agentKeys(t, sock), strings.TrimSpace(string(pub)))...)

	for _, c := range []struct{ name, ssh, key string }{
		{"agent-socket", "default=" + sock, "agent"},
		{"key-file", "default=" + keyFile, "file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dest := t.TempDir()
			args := []string{"build", "--addr", h.addr, "--progress", "plain", "--allow", "network.host",
				"--ssh", c.ssh, "--output", "type=local,dest=" + dest}
			for k, v := range s.args(base, s.knownHosts, nonce(t, 8)) {
				args = append(args, "--build-arg", k+"="+v)
			}
			// No agent in the environment: only what --ssh names is used.
			runCLI(t, bin, []string{"SSH_AUTH_SOCK="}, 0, append(args, sshgitDir())...)
			got, err := os.ReadFile(filepath.Join(dest, "hello.txt"))
			if err != nil {
				t.Fatalf("the clone's file is not in the result: %v", err)
			}
			if string(got) != content {
				t.Errorf("/hello.txt = %q, want %q", got, content)
			}
		})
	}
	for _, c := range []struct{ name, key string }{{"agent", agentKeys(t, sock)[0]}, {"file", string(pub)}} {
		if fp := fingerprint(t, c.key); !s.acceptedKey(fp) {
			t.Errorf("sshd never accepted the %s key (%s):\n%s", c.name, fp, s.log.String())
		}
	}
}

// args are the build args of e2e/testdata/sshgit for this server.
func (s *sshServer) args(base, knownHosts, nonce string) map[string]string {
	return map[string]string{"BASE": base, "REPO_URL": s.repoURL, "KNOWN_HOSTS": knownHosts, "NONCE": nonce}
}

// otherHostKey returns the "TYPE BASE64" of a new ed25519 key: a host key
// no server of the test has.
func otherHostKey(t *testing.T) string {
	t.Helper()
	k := filepath.Join(t.TempDir(), "other")
	mustRun(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", k)
	pub, err := os.ReadFile(k + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	return f[0] + " " + f[1]
}

// fingerprint is the SHA256 fingerprint sshd logs for a public key.
func fingerprint(t *testing.T, pub string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.pub")
	if err := os.WriteFile(p, []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(mustRun(t, "", "ssh-keygen", "-l", "-E", "sha256", "-f", p))
	if len(f) < 2 {
		t.Fatalf("ssh-keygen -l: %q", f)
	}
	return f[1]
}

// sshgitResult is what one build of e2e/testdata/sshgit left: the local
// export (empty when it failed), the build's error and the steps' output.
type sshgitResult struct {
	out  string
	err  error
	logs string
}

// sshgitBuild builds target of e2e/testdata/sshgit in variant v with the
// agents given, exporting to a local directory. Unlike h.build it returns
// the error, for the tests of failures, and the output of the steps, where
// ssh says why it refused a host.
func sshgitBuild(t *testing.T, v variant, target string, args map[string]string, agents []sshprovider.AgentConfig) sshgitResult {
	t.Helper()
	ctx, c := dialDaemon(t, 5*time.Minute)
	dir := sshgitDir()
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sshprovider.NewSSHAgentProvider(agents)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"filename": v.file, "target": target}
	for k, val := range args {
		attrs["build-arg:"+k] = val
	}
	out := t.TempDir()
	opt := client.SolveOpt{
		Exports:             []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
		LocalMounts:         map[string]fsutil.FS{"context": src, "dockerfile": src},
		Session:             []session.Attachable{agent},
		AllowedEntitlements: []string{"network.host"},
		FrontendAttrs:       attrs,
	}
	route(t, v.mode, &opt)
	var logs strings.Builder
	ch := make(chan *client.SolveStatus)
	var eg errgroup.Group
	eg.Go(func() error {
		for s := range ch {
			for _, l := range s.Logs {
				logs.Write(l.Data)
			}
			for _, vx := range s.Vertexes {
				if vx.Error != "" {
					logs.WriteString("[" + vx.Name + "] error: " + vx.Error + "\n")
				}
			}
		}
		return nil
	})
	if v.mode == modeInProcess {
		_, err = c.Build(ctx, opt, "", frontend.Build, ch)
	} else {
		_, err = c.Solve(ctx, nil, opt, ch)
	}
	_ = eg.Wait()
	return sshgitResult{out: out, err: err, logs: logs.String()}
}

// TestLockGitOverSSH: securefile lock pins a git repository over ssh to
// its commit, through the forwarded agent and the file's pinned host key,
// like a build would reach it.
func TestLockGitOverSSH(t *testing.T) {
	t.Parallel()
	base := requireDebian(t)
	bin := buildCLI(t)
	sock := startSSHAgent(t)
	s := startSSHD(t, "locked over ssh "+nonce(t, 8)+"\n", agentKeys(t, sock)...)
	_, repoPath, _ := strings.Cut(strings.TrimPrefix(s.repoURL, "ssh://"), "/")
	commit := strings.TrimSpace(mustRun(t, "", "git", "--git-dir", "/"+repoPath, "rev-parse", "HEAD"))

	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(sshgitDir())); err != nil {
		t.Fatal(err)
	}
	args := []string{"lock", "--addr", h.addr, "--progress", "plain", "--ssh", "default=" + sock}
	for k, v := range s.args(base, s.knownHosts, "n") {
		args = append(args, "--build-arg", k+"="+v)
	}
	runCLI(t, bin, []string{"SSH_AUTH_SOCK="}, 0, append(args, dir)...)
	lk, err := os.ReadFile(filepath.Join(dir, "Securefile.lock"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"url = " + strconv.Quote(s.repoURL), "commit = " + strconv.Quote(commit)} {
		if !strings.Contains(string(lk), want) {
			t.Errorf("the lock lacks %s:\n%s", want, lk)
		}
	}
	if !s.accepted() {
		t.Errorf("sshd never accepted the agent's key, yet the lock has a commit")
	}
}
