package lower

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"

	"github.com/ourorg/securefile/spec"
)

// knownHostsPath is where a step's pinned host keys are mounted. It is
// the system-wide known_hosts file that OpenSSH reads by default, so plain
// ssh finds the keys too.
const knownHostsPath = "/etc/ssh/ssh_known_hosts"

// gitSSHCommand makes git's ssh refuse every host key that is not pinned
// in the file. Without it ssh would ask (and, with no terminal, fail in a
// way that reads like a network error) or, with a user's
// StrictHostKeyChecking=no or accept-new, trust whatever key the network
// presents, which is the trust-on-first-use the pins exist to prevent; and
// a ~/.ssh/known_hosts in the image could add keys the file never pinned.
const gitSSHCommand = "ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + knownHostsPath

// pinnedSSHConfigPath and pinnedSSHConfig do for plain ssh, scp and rsync
// what gitSSHCommand does for git: OpenSSH's system config includes
// ssh_config.d/*.conf first, and the first value of a setting wins, so a
// base image's "StrictHostKeyChecking accept-new" cannot trust a key the
// file did not pin. (A user's ~/.ssh/config is read before it; the image's
// own users are the image author's business.)
const (
	pinnedSSHConfigPath = "/etc/ssh/ssh_config.d/00-securefile-pinned-hosts.conf"
	pinnedSSHConfig     = "# Host keys are pinned by the build file's ssh declarations.\n" +
		"Host *\n  StrictHostKeyChecking yes\n  UserKnownHostsFile " + knownHostsPath + "\n"
)

// run lowers a run step to an exec op on the stage. The order of its
// options is the order of its mounts and env in the definition, so it is
// fixed: secrets, ssh agents (with their pinned host keys), caches, binds,
// tmpfs, then the sandbox, the env and the constraints.
func (b *stageBuilder) run(ctx context.Context, r *spec.Run) error {
	l := b.l
	args, shown := l.args.commandArgs(r.Command, b.shell())
	if len(args) == 0 {
		return &Error{Range: or(r.Command.Range, r.Range), Err: fmt.Errorf("run step without a command")}
	}
	wd := b.workingDir()
	env, err := b.runEnv(r)
	if err != nil {
		return err
	}

	name := b.name("RUN", shown)
	cons := b.constraints(name, r.Range)
	ro := make([]llb.RunOption, 0, 8+env.len()+len(cons)+len(r.Secrets)+len(r.SSH)+len(r.Caches)+len(r.Binds)+len(r.Tmpfs))
	ro = append(ro, llb.Args(args))
	if wd != "/" {
		// The op's base, b.state(), is llb.NewState's, whose working
		// directory is already "/": setting it again would add a link
		// to every op's value chain and change nothing marshalled.
		ro = append(ro, llb.Dir(wd))
	}
	if u := b.img.Config.User; u != "" {
		ro = append(ro, llb.User(u))
	}
	for _, n := range r.Secrets {
		opts, err := b.secret(n, r.Range)
		if err != nil {
			return err
		}
		ro = append(ro, opts...)
	}
	if ro, err = b.runSSH(ro, r, env, name); err != nil {
		return err
	}
	if ro, err = b.runMounts(ctx, ro, r, wd); err != nil {
		return err
	}
	ro = append(ro, sandbox(r)...)
	if ro, err = b.runDevices(ro, r); err != nil {
		return err
	}
	env.each(func(k, v string) { ro = append(ro, llb.AddEnv(k, v)) })
	if p := l.args.proxy; p != nil {
		// Out of the cache key, the config and the history, as BuildKit
		// does for the proxy build args.
		ro = append(ro, llb.WithProxy(*p))
	}
	for _, c := range cons {
		ro = append(ro, c)
	}

	es := b.state().Run(ro...)
	b.out = es.Root().Output()
	b.history("RUN "+writtenRun(r.Command, b.shell()), true)
	return nil
}

// runEnv is a run step's environment: the stage's plus its own, plus the
// args its shell command names (argenv.go).
func (b *stageBuilder) runEnv(r *spec.Run) (*stepEnv, error) {
	env := b.newStepEnv(len(r.Env))
	for _, kv := range r.Env {
		if kv == nil {
			continue
		}
		v, err := b.expand(kv.Value, or(kv.Range, r.Range))
		if err != nil {
			return nil, err
		}
		env.set(kv.Key.V, v)
	}
	if r.Command.Shell.Set {
		env.addArgsOf(r.Command.Shell.V)
	}
	for i, it := range r.Command.Exec.Items {
		if isScript(r.Command.Exec, i) {
			env.addArgsOf(it.V)
		}
	}
	return env, nil
}

// runSSH appends to ro the ssh agents of a run step (the first is
// SSH_AUTH_SOCK) and the host keys they pin, mounted where ssh and git
// read them (knownHostsMounts).
func (b *stageBuilder) runSSH(ro []llb.RunOption, r *spec.Run, env *stepEnv, name string) ([]llb.RunOption, error) {
	l := b.l
	var knownHosts []string
	for i, n := range r.SSH {
		d, idx := l.f.SSHByName(n.V)
		if d == nil {
			return nil, &Error{Range: or(n.Range, r.Range), Err: fmt.Errorf("undefined ssh %q", n.V)}
		}
		opt, target, err := b.ssh(d, idx, or(n.Range, r.Range))
		if err != nil {
			return nil, err
		}
		ro = append(ro, opt)
		if i == 0 {
			env.set("SSH_AUTH_SOCK", target)
		}
		for _, h := range d.KnownHosts.Items {
			v, err := l.knownHost(h, or(d.KnownHosts.Range, d.Range))
			if err != nil {
				return nil, err
			}
			knownHosts = append(knownHosts, v)
		}
	}
	if len(knownHosts) > 0 {
		ro = append(ro, b.knownHostsMounts(knownHosts, name, r)...)
		env.set("GIT_SSH_COMMAND", gitSSHCommand)
	}
	return ro, nil
}

// knownHostsMounts mount the pinned host keys and the ssh config that
// makes ssh use only them (pinnedSSHConfig), read-only.
func (b *stageBuilder) knownHostsMounts(knownHosts []string, name string, r *spec.Run) []llb.RunOption {
	data := []byte(strings.Join(knownHosts, "\n") + "\n")
	var mk []llb.MkfileOption
	if e := b.l.opt.Epoch; e != nil {
		mk = append(mk, llb.WithCreatedTime(*e))
	}
	kh := llb.Scratch().File(llb.Mkfile("/known_hosts", 0o644, data, mk...).
		Mkfile("/ssh_config", 0o644, []byte(pinnedSSHConfig), mk...),
		b.constraints("[internal] pinned ssh host keys for "+name, r.Range)...)
	return []llb.RunOption{
		llb.AddMount(knownHostsPath, kh, llb.SourcePath("/known_hosts"), llb.Readonly),
		llb.AddMount(pinnedSSHConfigPath, kh, llb.SourcePath("/ssh_config"), llb.Readonly),
	}
}

// runMounts appends to ro the cache, bind and tmpfs mounts of a run step;
// wd resolves their relative targets.
func (b *stageBuilder) runMounts(ctx context.Context, ro []llb.RunOption, r *spec.Run, wd string) ([]llb.RunOption, error) {
	for _, n := range r.Caches {
		opt, err := b.cache(ctx, n, wd, r.Range)
		if err != nil {
			return nil, err
		}
		ro = append(ro, opt)
	}
	for _, bd := range r.Binds {
		if bd == nil {
			continue
		}
		opt, err := b.bind(ctx, bd, wd, or(bd.Range, r.Range))
		if err != nil {
			return nil, err
		}
		ro = append(ro, opt)
	}
	for _, t := range r.Tmpfs {
		if t == nil {
			continue
		}
		opt, err := b.tmpfs(t, wd, or(t.Range, r.Range))
		if err != nil {
			return nil, err
		}
		ro = append(ro, opt)
	}
	return ro, nil
}

// runDevices appends the CDI devices of a run step, as RUN --device
// does. Each is required: a step that asked for a device and ran without
// it would build something else than the file says.
func (b *stageBuilder) runDevices(ro []llb.RunOption, r *spec.Run) ([]llb.RunOption, error) {
	for _, d := range r.Devices.Items {
		v, err := b.expand(d, or(r.Devices.Range, r.Range))
		if err != nil {
			return nil, err
		}
		ro = append(ro, llb.AddCDIDevice(llb.CDIDeviceName(v)))
	}
	return ro, nil
}

// sandbox is the network and security mode of a run step; the defaults
// are BuildKit's, so they add no option.
func sandbox(r *spec.Run) []llb.RunOption {
	var ro []llb.RunOption
	switch r.Network.Or(spec.DefaultNetwork) {
	case "none":
		ro = append(ro, llb.Network(llb.NetModeNone))
	case "host":
		ro = append(ro, llb.Network(llb.NetModeHost))
	}
	if r.Security.Or(spec.DefaultSecurity) == "insecure" {
		ro = append(ro, llb.Security(llb.SecurityModeInsecure))
	}
	return ro
}

// commandArgs turns a command into argv: a shell string runs under
// the stage's shell as written (shellText: no value is spliced into it), a list
// is executed as is, each word with the args it names substituted — but
// for a script, the word after "-c", which a shell parses and so gets no
// value either. shown is the command for progress names.
func (a *argValues) commandArgs(c spec.Command, shell []string) (args []string, shown string) {
	if c.Shell.Set {
		s := shellText(c.Shell.V)
		return append(slices.Clone(shell), s), s
	}
	if !c.Exec.Set {
		return nil, ""
	}
	args = make([]string, len(c.Exec.Items))
	quoted := make([]string, len(c.Exec.Items))
	for i, it := range c.Exec.Items {
		if isScript(c.Exec, i) {
			args[i] = shellText(it.V)
		} else {
			args[i] = a.execWord(it.V)
		}
		quoted[i] = strconv.Quote(args[i])
	}
	return args, "[" + strings.Join(quoted, ", ") + "]"
}

// secret mounts a declared secret as a file, an environment variable, or
// both. Only its id reaches the LLB; BuildKit asks the client for the value
// while the step runs and never stores it.
func (b *stageBuilder) secret(n spec.Value[string], fb spec.Range) ([]llb.RunOption, error) {
	l := b.l
	fb = or(n.Range, fb)
	d := l.f.Secret(n.V)
	if d == nil {
		return nil, &Error{Range: fb, Err: fmt.Errorf("undefined secret %q", n.V)}
	}
	id, err := l.expandOr(d.ID, d.Name.V, d.Range)
	if err != nil {
		return nil, err
	}
	var out []llb.RunOption
	if d.AsFile() {
		target, err := l.expandOr(d.Target, spec.DefaultSecretDir+"/"+id, d.Range)
		if err != nil {
			return nil, err
		}
		mode, err := l.mode(d.Mode, spec.DefaultSecretMode, d.Range)
		if err != nil {
			return nil, err
		}
		opts := []llb.SecretOption{llb.SecretID(id), llb.SecretFileOpt(d.UID.V, d.GID.V, int(mode))}
		if !d.IsRequired() {
			opts = append(opts, llb.SecretOptional)
		}
		out = append(out, llb.AddSecret(target, opts...))
	}
	if d.Env.Set && d.Env.V != "" {
		opts := []llb.SecretOption{llb.SecretAsEnvName(d.Env.V)}
		if !d.IsRequired() {
			opts = append(opts, llb.SecretOptional)
		}
		out = append(out, llb.AddSecretWithDest(id, nil, opts...))
	}
	if d.Rotate.Or(false) || l.opt.SecretDigests {
		opt, err := b.rotation(d, id)
		if err != nil {
			return nil, err
		}
		out = append(out, opt)
	}
	return out, nil
}

// ssh forwards a declared agent socket and returns where it appears.
func (b *stageBuilder) ssh(d *spec.SSH, index int, fb spec.Range) (llb.RunOption, string, error) {
	l := b.l
	id, err := l.expandOr(d.ID, spec.DefaultSSHID, d.Range)
	if err != nil {
		return nil, "", err
	}
	target, err := l.expandOr(d.Target, d.SocketTarget(index), d.Range)
	if err != nil {
		return nil, "", err
	}
	mode, err := l.mode(d.Mode, spec.DefaultSSHMode, d.Range)
	if err != nil {
		return nil, "", err
	}
	opts := []llb.SSHOption{llb.SSHID(id), llb.SSHSocketOpt(target, d.UID.V, d.GID.V, int(mode))}
	if !d.IsRequired() {
		opts = append(opts, llb.SSHOptional)
	}
	l.useSSH(d, id)
	return llb.AddSSHSocket(opts...), target, nil
}

func (b *stageBuilder) cache(ctx context.Context, n spec.Value[string], wd string, fb spec.Range) (llb.RunOption, error) {
	l := b.l
	nr := or(n.Range, fb)
	c := l.f.Cache(n.V)
	if c == nil {
		return nil, &Error{Range: nr, Err: fmt.Errorf("undefined cache %q", n.V)}
	}
	t, err := l.args.expand(c.Target, c.Range)
	if err != nil {
		return nil, err
	}
	id, err := l.expandOr(c.ID, c.Name.V, c.Range)
	if err != nil {
		return nil, err
	}
	sharing := llb.CacheMountShared
	switch c.EffectiveSharing() {
	case "private":
		sharing = llb.CacheMountPrivate
	case "locked":
		sharing = llb.CacheMountLocked
	}
	opts := []llb.MountOption{llb.AsPersistentCacheDir(id, sharing)}
	if c.ReadOnly.Or(false) {
		opts = append(opts, llb.Readonly)
	}
	var seed llb.State
	switch {
	case c.From.Set:
		// A seed fills a cache that is still empty; its mode and owner are
		// those of the seed's root.
		seed, err = b.sourceState(ctx, c.From, nr)
		if err != nil {
			return nil, err
		}
	case c.Mode.Set || c.UID.Set || c.GID.Set:
		// A new cache directory belongs to root with mode 0755; to give
		// it another owner or mode the cache starts from a directory
		// made that way, as a Dockerfile cache mount with uid, gid or
		// mode does.
		mode, err := l.mode(c.Mode, spec.DefaultCacheMode, c.Range)
		if err != nil {
			return nil, err
		}
		seed = llb.Scratch().File(llb.Mkdir("/cache", os.FileMode(mode), llb.WithUIDGID(c.UID.V, c.GID.V)),
			b.constraints("[internal] setting cache mount permissions", fb)...)
		opts = append(opts, llb.SourcePath("/cache"))
	default:
		seed = llb.Scratch()
	}
	return llb.AddMount(absIn(wd, t), seed, opts...), nil
}

func (b *stageBuilder) bind(ctx context.Context, bd *spec.Bind, wd string, fb spec.Range) (llb.RunOption, error) {
	l := b.l
	src, err := b.sourceState(ctx, bd.From, fb)
	if err != nil {
		return nil, err
	}
	p, err := l.expandOr(bd.Path, spec.DefaultBindPath, fb)
	if err != nil {
		return nil, err
	}
	t, err := b.expand(bd.Target, fb)
	if err != nil {
		return nil, err
	}
	var opts []llb.MountOption
	if p = cleanAbs(p); p != "/" {
		opts = append(opts, llb.SourcePath(p))
	}
	switch {
	case !bd.ReadWrite.Or(false):
		opts = append(opts, llb.Readonly)
	case l.opt.LLBCaps == nil || l.opt.LLBCaps.Supports(pb.CapExecMountBindReadWriteNoOutput) == nil:
		// Writes to a read-write bind are discarded after the step; no
		// output means BuildKit does not snapshot them either.
		opts = append(opts, llb.ForceNoOutput)
	}
	return llb.AddMount(absIn(wd, t), src, opts...), nil
}

func (b *stageBuilder) tmpfs(t *spec.Tmpfs, wd string, fb spec.Range) (llb.RunOption, error) {
	target, err := b.expand(t.Target, fb)
	if err != nil {
		return nil, err
	}
	var size int64
	if t.Size.Set {
		v, err := b.expand(t.Size, fb)
		if err != nil {
			return nil, err
		}
		if size, err = parseSize(v); err != nil {
			return nil, &Error{Range: or(t.Size.Range, fb), Err: err}
		}
	}
	return llb.AddMount(absIn(wd, target), llb.Scratch(), llb.Tmpfs(llb.TmpfsSize(size))), nil
}

// sourceState is the filesystem of a copy, bind or cache source.
func (b *stageBuilder) sourceState(ctx context.Context, src spec.Source, fb spec.Range) (llb.State, error) {
	l := b.l
	switch {
	case isMainContext(src):
		return l.mainContext(ctx, fb)
	case src.Kind == spec.SourceStage:
		r := l.stages[l.byName[src.Name.V]]
		if r == nil {
			return llb.State{}, &Error{Range: or(src.Range, fb), Err: fmt.Errorf("internal error: stage %q was not lowered before %q", src.Name.V, b.s.Name.V)}
		}
		return r.state(), nil
	case src.Kind == spec.SourceScratch:
		return llb.Scratch(), nil
	}
	s, err := l.lookupSource(src, b.platform, fb)
	if err != nil {
		return llb.State{}, err
	}
	return s.state, nil
}

// expandOr interpolates v, or returns def when v was not written.
func (l *lowerer) expandOr(v spec.Value[string], def string, fb spec.Range) (string, error) {
	if !v.Set {
		return def, nil
	}
	return l.args.expand(v, fb)
}

// mode parses an octal permission string.
func (l *lowerer) mode(v spec.Value[string], def string, fb spec.Range) (uint32, error) {
	s, err := l.expandOr(v, def, fb)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, &Error{Range: or(v.Range, fb), Err: fmt.Errorf("invalid mode %q: an octal number between 0 and 07777", s)}
	}
	return uint32(n), nil
}

// parseSize reads a tmpfs size: bytes, optionally with a k, m, g, t or p
// suffix (powers of 1024, "i" and "b" allowed), as the checker accepts.
func parseSize(s string) (int64, error) {
	bad := fmt.Errorf("invalid size %q: a number of bytes, optionally with a k, m, g or t suffix", s)
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "b")
	t = strings.TrimSuffix(t, "i")
	mult := 1.0
	if n := len(t); n > 0 {
		if i := strings.IndexByte("kmgtp", t[n-1]); i >= 0 {
			for range i + 1 {
				mult *= 1024
			}
			t = t[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || f < 0 || f*mult > float64(1<<62) {
		return 0, bad
	}
	return int64(f * mult), nil
}

// absIn resolves a mount target against the working directory.
func absIn(wd, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(wd, p)
}

// cleanAbs makes a path inside a source absolute and clean.
func cleanAbs(p string) string { return path.Join("/", p) }

// isScript reports whether word i of an exec-form command is code its
// program parses (spec.IsScriptWord: sh -ec …, python -c …, node -e …).
func isScript(l spec.List[string], i int) bool {
	words := make([]string, i+1)
	for j := range words {
		words[j] = l.Items[j].V
	}
	return spec.IsScriptWord(words, i)
}

// defaultShell runs shell-form commands when neither the stage nor its
// base sets a shell, as in a Dockerfile on Linux.
var defaultShell = []string{"/bin/sh", "-c"}

// shell is what runs the stage's shell-form commands: its config's Shell
// (the stage's own, else its base's), else defaultShell.
func (b *stageBuilder) shell() []string {
	if len(b.img.Config.Shell) > 0 {
		return b.img.Config.Shell
	}
	return defaultShell
}

// runtimeArgs is an entrypoint, cmd or healthcheck command as the image
// config keeps it: the container runs it later, maybe through a shell (a
// shell form, or an exec form whose words a shell entrypoint — inherited,
// even — runs), so nothing is substituted into any of its words, as in a
// Dockerfile; only the escape "$${" is undone. The checker refuses an arg
// named there.
func runtimeArgs(c spec.Command, shell []string) []string {
	if c.Shell.Set {
		return append(slices.Clone(shell), shellText(c.Shell.V))
	}
	if !c.Exec.Set {
		return nil
	}
	args := make([]string, len(c.Exec.Items))
	for i, it := range c.Exec.Items {
		args[i] = shellText(it.V)
	}
	return args
}

// knownHost expands one pinned host key line. A value that brings a line
// break would add a line of its own — a key for any host, a build arg
// deciding which hosts are trusted — so it is refused.
func (l *lowerer) knownHost(h spec.Value[string], fb spec.Range) (string, error) {
	v, err := l.args.expand(h, fb)
	if err != nil {
		return "", err
	}
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, "\r\n") && !strings.ContainsAny(strings.TrimSpace(h.V), "\r\n") {
		return "", &Error{Range: or(h.Range, fb), Err: fmt.Errorf("known_hosts line %q expands to several lines: a value may not add pinned host keys; write each line in the file", h.V)}
	}
	return v, nil
}
