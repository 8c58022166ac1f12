//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sshServer is an sshd the test started on 127.0.0.1, serving a bare git
// repository to the holders of the authorized keys.
type sshServer struct {
	port       int
	user       string
	knownHosts string // the known_hosts line of its host key
	repoURL    string // ssh://USER@127.0.0.1:PORT/…/repo.git
	log        *syncBuffer
}

// syncBuffer is sshd's log, written by its process and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSSHD starts Debian's sshd (not the system service: its own config,
// host key and port, nothing under /etc) for the test's lifetime. It
// accepts the given public keys for the current user, and serves a bare
// repository whose hello.txt holds content.
func startSSHD(t *testing.T, content string, authorizedKeys ...string) *sshServer {
	t.Helper()
	const sshd = "/usr/sbin/sshd" // sshd re-executes itself: an absolute path
	if _, err := os.Stat(sshd); err != nil {
		t.Fatalf("%s not found (apt-get install openssh-server; hack/e2e.sh setup does)", sshd)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if u.Uid == "0" {
		// sshd refuses to start without its privilege separation
		// directory, which the system service's unit would create;
		// hack/e2e.sh setup does (the tests change nothing outside their
		// temporary directories).
		if _, err := os.Stat("/run/sshd"); err != nil {
			t.Fatalf("sshd needs /run/sshd: %v (run make e2e-setup)", err)
		}
	}
	dir := t.TempDir()
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	mustRun(t, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", hostKey)
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, []byte(strings.Join(authorizedKeys, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := makeRepo(t, dir, content)

	s := &sshServer{user: u.Username, log: &syncBuffer{}}
	var cmd *exec.Cmd
	// The free port is found by binding port 0 and closing it; another
	// process may take it before sshd binds, so a failed start is retried.
	for attempt := 0; ; attempt++ {
		s.port = freePort(t)
		config := filepath.Join(dir, "sshd_config")
		// StrictModes would reject the keys file under the world-writable
		// /tmp; PAM and passwords are not what is tested.
		cfg := fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s
PidFile none
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers %s
LogLevel VERBOSE
`, s.port, hostKey, keys, u.Username)
		if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(sshd, "-D", "-e", "-f", config)
		cmd.Stdout, cmd.Stderr = s.log, s.log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := waitForBanner(s.port, exited); err == nil {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
				if t.Failed() {
					t.Logf("sshd log:\n%s", s.log.String())
				}
			})
			break
		} else if attempt == 2 {
			_ = cmd.Process.Kill()
			t.Fatalf("sshd did not start: %v\n%s", err, s.log.String())
		}
		_ = cmd.Process.Kill()
	}
	fields := strings.Fields(string(pub))
	s.knownHosts = fmt.Sprintf("[127.0.0.1]:%d %s %s", s.port, fields[0], fields[1])
	s.repoURL = fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", s.user, s.port, repo)
	return s
}

// accepted reports whether sshd let a client in with a public key: a
// clone that was refused before authentication never gets this far.
func (s *sshServer) accepted() bool {
	return strings.Contains(s.log.String(), "Accepted publickey for "+s.user)
}

// acceptedKey reports whether sshd let a client in with the key of this
// SHA256 fingerprint.
func (s *sshServer) acceptedKey(fp string) bool {
	for _, l := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(l, "Accepted publickey for "+s.user) && strings.HasSuffix(strings.TrimSpace(l), fp) {
			return true
		}
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitForBanner waits until something on port greets like an ssh server,
// or the process exits.
func waitForBanner(port int, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("sshd exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "SSH-2.0-OpenSSH") {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no ssh banner on 127.0.0.1:%d", port)
}

// makeRepo makes dir/repo.git, a bare repository with one commit on main
// that adds hello.txt, and returns its path.
func makeRepo(t *testing.T, dir, content string) string {
	t.Helper()
	work := filepath.Join(dir, "work")
	bare := filepath.Join(dir, "repo.git")
	mustRun(t, "", "git", "init", "-q", "-b", "main", work)
	if err := os.WriteFile(filepath.Join(work, "hello.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, work, "git", "add", "hello.txt")
	mustRun(t, work, "git", "-c", "user.name=e2e", "-c", "user.email=e2e@example.test", "commit", "-q", "-m", "hello")
	mustRun(t, "", "git", "clone", "-q", "--bare", work, bare)
	return bare
}

// mustRun runs a command in dir and fails the test with its output if it fails.
func mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.Dir = dir
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// agentKeys returns the public keys in the ssh-agent at sock, one
// authorized_keys line each.
func agentKeys(t *testing.T, sock string) []string {
	t.Helper()
	c := exec.Command("ssh-add", "-L")
	c.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("ssh-add -L: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// requireDebian fails the test unless the registry has the Debian base
// image. It is a failure, not a skip: hack/e2e.sh setup makes the image on
// every machine, and a CI run that silently skipped the ssh tests would
// prove nothing about them.
func requireDebian(t *testing.T) string {
	t.Helper()
	ref := getenv("E2E_DEBIAN_IMAGE", h.registry+"/debian:bookworm")
	repo, tag, _ := strings.Cut(strings.TrimPrefix(ref, h.registry+"/"), ":")
	req, err := http.NewRequest(http.MethodHead, "http://"+h.registry+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the Debian base image %s: %v", ref, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the Debian base image %s is not in the registry (%s): hack/e2e.sh setup makes it with debootstrap "+
			"and start pushes it; see .cache/e2e/debootstrap.log", ref, resp.Status)
	}
	return ref
}
