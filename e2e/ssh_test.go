//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/session/sshforward/sshprovider"
)

// knownHosts is the pinned host key of examples/ssh.
const knownHosts = "git.example.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDsT2EREimNWrTQ3MHL1vEXrTIYtc5gYbIAZfWmtC793"

// TestSSH: a real ssh-agent (with a key in it) is forwarded; the step finds
// the socket at the declared target through $SSH_AUTH_SOCK, and the pinned
// known_hosts is mounted at /etc/ssh/ssh_known_hosts.
func TestSSH(t *testing.T) {
	t.Parallel()
	sock := startSSHAgent(t)
	eachVariant(t, func(t *testing.T, v variant) {
		a, _ := h.buildOCI(t, v, buildOpts{
			example: "ssh",
			args:    map[string]string{"NONCE": nonce(t, 8)},
			ssh:     []sshprovider.AgentConfig{{ID: "default", Paths: []string{sock}}},
		})
		files := a.image(t).files(t)
		if got := fileString(t, files, "/ssh/socket"); got != "/run/ssh/agent.sock" {
			t.Errorf("$SSH_AUTH_SOCK = %q, want /run/ssh/agent.sock", got)
		}
		if ls := fileString(t, files, "/ssh/ls"); !strings.HasPrefix(ls, "s") || !strings.Contains(ls, "/run/ssh/agent.sock") {
			t.Errorf("ls -l of the socket: %q, want a socket at /run/ssh/agent.sock", ls)
		}
		if got := fileString(t, files, "/ssh/known_hosts"); got != knownHosts {
			t.Errorf("/etc/ssh/ssh_known_hosts = %q, want %q", got, knownHosts)
		}
		if files["run/ssh/agent.sock"] != nil || files["etc/ssh/ssh_known_hosts"] != nil {
			t.Errorf("the socket or the known_hosts mount was left in the image")
		}
	})
}

// startSSHAgent starts ssh-agent on a socket of its own with a new ed25519
// key in it, and stops it when the test ends.
func startSSHAgent(t *testing.T) string {
	t.Helper()
	for _, c := range []string{"ssh-agent", "ssh-add", "ssh-keygen"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s not found (apt-get install openssh-client; hack/e2e.sh setup does)", c)
		}
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	agent.Stderr = os.Stderr
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = agent.Process.Kill()
		_ = agent.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ssh-agent did not create its socket")
		}
		time.Sleep(50 * time.Millisecond)
	}
	key := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	add := exec.Command("ssh-add", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
	return sock
}
