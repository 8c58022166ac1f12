package lower

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/util/gitutil"
	digest "github.com/opencontainers/go-digest"

	"github.com/ourorg/securefile/spec"
)

func (b *stageBuilder) add(a *spec.Add) error {
	u, err := b.expand(a.URL, a.Range)
	if err != nil {
		return err
	}
	dest, err := b.expand(a.Dest, a.Range)
	if err != nil {
		return err
	}
	destPath := resolveDest(b.workingDir(), dest)
	info, flags, err := b.fileOwnership(a.Chown, a.Chmod, a.Range)
	if err != nil {
		return err
	}

	var fa *llb.FileAction
	var text string
	switch a.Kind {
	case spec.AddGit:
		var st llb.State
		st, text, err = b.gitSource(a, u, flags, dest)
		if err != nil {
			return err
		}
		// As ADD --exclude: the patterns are matched in the clone (of
		// subdir, when set), relative to its root.
		if info.ExcludePatterns, err = b.l.expandList(a.Exclude, a.Range); err != nil {
			return err
		}
		fa = llb.Copy(st, "/", destPath, &info)
	default:
		sum, err := b.expand(a.Checksum, a.Range)
		if err != nil {
			return err
		}
		dgst, err := digest.Parse(sum)
		if err != nil {
			return &Error{Range: or(a.Checksum.Range, a.Range), Err: fmt.Errorf("invalid checksum %q: %w", sum, err)}
		}
		text = strings.Join(append(flags, u, dest), " ")
		filename := httpFilename(u)
		// BuildKit verifies the download against the checksum before
		// anything uses it, and the checksum makes the cache key, so an
		// unchanged pin is never downloaded again.
		opts := []llb.HTTPOption{llb.Checksum(dgst), llb.Filename(filename)}
		for _, c := range b.constraints(b.name("ADD", text), a.Range) {
			opts = append(opts, c)
		}
		fa = llb.Copy(llb.HTTP(u, opts...), "/"+filename, destPath, &info)
	}
	if a.Link.Or(false) {
		// As for copy's link: onto an empty layer, merged, so the layer
		// does not depend on what the stage had before it (ADD --link).
		layer := llb.Scratch().File(fa, b.constraints(b.name("ADD", text), a.Range)...)
		merged := llb.Merge([]llb.State{b.state(), layer}, b.constraints(b.name("LINK", "ADD "+text), a.Range)...)
		b.out = merged.Output()
		flags = append(flags, "--link")
	} else {
		b.out = b.state().File(fa, b.constraints(b.name("ADD", text), a.Range)...).Output()
	}
	if a.Kind == spec.AddGit {
		b.history("ADD "+writtenWords(append([]string{"git"}, flags...), a.URL.V, a.Dest.V), true)
	} else {
		b.history("ADD "+writtenWords(flags, a.URL.V, a.Dest.V), true)
	}
	return nil
}

// httpFilename is the name the download is stored under: the last element
// of the URL path, as ADD does.
func httpFilename(u string) string {
	if pu, err := url.Parse(u); err == nil {
		if base := path.Base(pu.Path); base != "." && base != "/" && base != "" {
			return base
		}
	}
	return "__unnamed__"
}

func (b *stageBuilder) gitSource(a *spec.Add, u string, flags []string, dest string) (llb.State, string, error) {
	l := b.l
	ref, err := l.expandOr(a.Ref, "", a.Range)
	if err != nil {
		return llb.State{}, "", err
	}
	commit, err := l.expandOr(a.Commit, "", a.Range)
	if err != nil {
		return llb.State{}, "", err
	}
	var opts []llb.GitOption
	switch {
	case ref != "":
		opts = append(opts, llb.GitRef(ref))
	case commit != "":
		opts = append(opts, llb.GitRef(commit))
	}
	if commit != "" {
		// BuildKit fails the clone when the ref resolves to another
		// commit, so the source is pinned even when a ref is given.
		opts = append(opts, llb.GitChecksum(commit))
	}
	if a.KeepGitDir.Or(false) {
		opts = append(opts, llb.KeepGitDir())
	}
	subdir, err := l.expandOr(a.Subdir, "", a.Range)
	if err != nil {
		return llb.State{}, "", err
	}
	if subdir != "" {
		// BuildKit checks out the repository and keeps only this
		// directory, as for a Dockerfile's #ref:subdir.
		opts = append(opts, llb.GitSubDir(subdir))
	}
	if remote, err := gitutil.ParseURL(u); err == nil && remote.Scheme == gitutil.SSHProtocol {
		hosts, sshID := b.l.gitSSH(remote.Host)
		// llb.Git would otherwise run ssh-keyscan while lowering and
		// trust whatever key the network returned. The host keys the file
		// pins are used instead; with none, the clone fails on the
		// unknown host rather than trusting it.
		opts = append(opts, llb.KnownSSHHosts(hosts))
		if sshID != "" {
			opts = append(opts, llb.MountSSHSock(sshID))
		}
	}
	shown := u
	if ref != "" || subdir != "" {
		shown += "#" + ref
	}
	if subdir != "" {
		shown += ":" + subdir
	}
	if commit != "" {
		shown += "@" + commit
	}
	text := strings.Join(append(append([]string{"git"}, flags...), shown, dest), " ")
	for _, c := range b.constraints(b.name("ADD", text), a.Range) {
		opts = append(opts, c)
	}
	return llb.Git(u, "", opts...), text, nil
}

// gitSSH returns the known_hosts lines of every ssh declaration of the
// file and the agent id of the first declaration that pins host, if any.
func (l *lowerer) gitSSH(host string) (string, string) {
	var lines []string
	sshID := ""
	for _, d := range l.f.SSH {
		if d == nil {
			continue
		}
		for _, h := range d.KnownHosts.Items {
			v, err := l.knownHost(h, d.Range)
			if err != nil {
				continue // not trusted: BuildKit's ssh then refuses the host
			}
			lines = append(lines, v)
			if sshID == "" && knownHostsNames(v, host) {
				sshID, _ = l.expandOr(d.ID, spec.DefaultSSHID, d.Range)
			}
		}
	}
	return strings.Join(lines, "\n"), sshID
}

// knownHostsNames reports whether a known_hosts line lists host.
func knownHostsNames(line, host string) bool {
	fields := strings.Fields(line)
	if len(fields) > 0 && strings.HasPrefix(fields[0], "@") {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return false
	}
	want := host
	if h, port, err := net.SplitHostPort(host); err == nil {
		want = h
		if port != "22" {
			want = "[" + h + "]:" + port
		}
	}
	for _, h := range strings.Split(fields[0], ",") {
		if h == want {
			return true
		}
	}
	return false
}
