package check

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/ourorg/securefile/spec"
)

// checkSSHHosts finds ssh connections whose server key the file does not
// pin. Both would fail at build time with ssh's "Host key verification
// failed" (host key checking is strict and nothing is scanned); reporting
// them here names the line and says how to pin the key instead.
//
//   - an add git over ssh whose host no known_hosts entry of the file names;
//   - a run step that runs git, ssh, scp, sftp or rsync and forwards only
//     ssh declarations without known_hosts.
//
// Values with ${…} are left alone: what they hold is known only when the
// build runs.
func (c *checker) checkSSHHosts() {
	pins, decided := c.pinnedHosts()
	gitOverSSH := false
	for _, s := range c.f.Stages {
		if s == nil {
			continue
		}
		for _, st := range s.Steps {
			switch st := st.(type) {
			case *spec.Add:
				if st == nil || st.Kind != spec.AddGit {
					continue
				}
				if _, _, ok := sshHost(st.URL.V); ok || strings.Contains(st.URL.V, "${") {
					gitOverSSH = true
				}
				if decided {
					c.gitHostPinned(st, pins)
				}
			case *spec.Run:
				if st != nil {
					c.runHostsPinned(st)
				}
			default:
				// Other kinds reach no ssh host.
				c.otherStep(st, or(s.Range, c.fileRange))
			}
		}
	}
	if gitOverSSH {
		// A git source over ssh is checked against the known_hosts of
		// every ssh declaration (the lowering passes them all), so a
		// declaration that pins keys is used even if no run step
		// forwards its agent.
		for _, d := range c.f.SSH {
			if d != nil && len(d.KnownHosts.Items) > 0 {
				c.used[use{"ssh", d.Name.V}] = true
			}
		}
	}
}

// pinnedHosts returns the host patterns of each known_hosts entry of the
// file (without @revoked ones), and false when some entry cannot be read
// before the build (a template, a hashed host name).
func (c *checker) pinnedHosts() ([][]string, bool) {
	var pins [][]string
	for _, d := range c.f.SSH {
		if d == nil {
			continue
		}
		for _, e := range d.KnownHosts.Items {
			line := strings.TrimSpace(e.V)
			if strings.Contains(line, "${") {
				return nil, false
			}
			fields := strings.Fields(line)
			if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if fields[0] == "@revoked" {
				continue
			}
			if strings.HasPrefix(fields[0], "@") {
				fields = fields[1:]
			}
			if len(fields) == 0 {
				continue
			}
			if strings.HasPrefix(fields[0], "|") {
				return nil, false
			}
			pins = append(pins, strings.Split(fields[0], ","))
		}
	}
	return pins, true
}

func (c *checker) gitHostPinned(a *spec.Add, pins [][]string) {
	if strings.Contains(a.URL.V, "${") {
		return
	}
	host, port, ok := sshHost(a.URL.V)
	if !ok {
		return
	}
	name := host
	if port != "" && port != "22" {
		name = "[" + host + "]:" + port
	}
	if hostPinned(name, pins) {
		return
	}
	keyscan := "ssh-keyscan -t ed25519 " + host
	if name != host {
		keyscan = "ssh-keyscan -t ed25519 -p " + port + " " + host
	}
	c.errorf(or(a.URL.Range, a.Range), "unpinned-ssh-host",
		fmt.Sprintf("This git source is cloned over ssh, and the server's host key is checked against the known_hosts entries of the file's ssh declarations; none names %q, so the clone would fail with \"Host key verification failed\".", name),
		fmt.Sprintf("add the server's line to known_hosts of an ssh declaration: run %q once, compare its fingerprint (ssh-keygen -lf) with the one the server's operator publishes, and commit the line", keyscan),
		"no pinned host key for %q", name)
}

// gitCommand matches a command line that runs git (which runs ssh for ssh
// URLs) or an ssh client as a command: at the start, after ; & | ( or a
// backquote, or after then, do, exec, sudo, env, xargs or time, possibly
// with VAR=value assignments and a directory before it. A directory named
// ssh given as an argument is not a command.
var gitCommand = regexp.MustCompile(`(^|[;&|(` + "`" + `]|\b(?:then|do|exec|sudo|env|xargs|time))\s*(?:\w+=\S*\s+)*(?:\S*/)?(?:git|ssh|scp|sftp|rsync)(\s|$)`)

func (c *checker) runHostsPinned(r *spec.Run) {
	if len(r.SSH) == 0 {
		return
	}
	cmd := r.Command.Shell.V
	if r.Command.Exec.Set {
		parts := make([]string, 0, len(r.Command.Exec.Items))
		for _, it := range r.Command.Exec.Items {
			parts = append(parts, it.V)
		}
		cmd = strings.Join(parts, " ")
	}
	if !gitCommand.MatchString(cmd) {
		return
	}
	for _, n := range r.SSH {
		i, ok := c.ssh[n.V]
		if !ok {
			return // undefined-ssh says so
		}
		if d := c.f.SSH[i]; d != nil && len(d.KnownHosts.Items) > 0 {
			return
		}
	}
	first := r.SSH[0]
	c.errorf(or(first.Range, r.Range), "unpinned-ssh-host",
		fmt.Sprintf("The command runs git or an ssh client with the agent of ssh %q, which has no known_hosts: the server's key would be checked only against what the image happens to trust, or the step would have to scan for it and trust whoever answers.", first.V),
		fmt.Sprintf(`add known_hosts = ["host ssh-ed25519 AAAA…"] to ssh %s: run "ssh-keyscan -t ed25519 HOST" once, compare its fingerprint (ssh-keygen -lf) with the one the server's operator publishes, and commit the line`, first.V),
		"ssh %q has no pinned host keys", first.V)
}

// sshHost returns the host and port of an ssh git URL: ssh://[user@]host[:port]/path
// or the scp-like user@host:path.
func sshHost(u string) (host, port string, ok bool) {
	if strings.HasPrefix(u, "ssh://") {
		pu, err := url.Parse(u)
		if err != nil || pu.Hostname() == "" {
			return "", "", false
		}
		return pu.Hostname(), pu.Port(), true
	}
	if strings.Contains(u, "://") {
		return "", "", false
	}
	at := strings.Index(u, "@")
	colon := strings.Index(u, ":")
	if at <= 0 || colon < at || strings.Contains(u[:colon], "/") {
		return "", "", false
	}
	host = u[at+1 : colon]
	if host == "" || strings.ContainsAny(host, "[]") {
		return "", "", false
	}
	return host, "", true
}

// hostPinned reports whether an entry's host patterns name name, as ssh
// matches them: wildcards * and ?, and an entry whose negated pattern
// (!pattern) matches does not apply even if another of its patterns does.
func hostPinned(name string, pins [][]string) bool {
	for _, entry := range pins {
		matched, negated := false, false
		for _, p := range entry {
			neg := strings.HasPrefix(p, "!")
			p = strings.TrimPrefix(p, "!")
			if ok, _ := path.Match(p, name); ok || p == name {
				if neg {
					negated = true
				} else {
					matched = true
				}
			}
		}
		if matched && !negated {
			return true
		}
	}
	return false
}
