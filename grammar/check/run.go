package check

import (
	"fmt"

	"github.com/ourorg/securefile/spec"
)

// The checks of a run step: its command, each kind of mount, its network
// and security modes and its env, then the mounts against each other.

type mount struct {
	target     string
	r          spec.Range
	kind, name string // a declaration ("secret", "netrc") or a mount kind ("bind", "")
}

func (m mount) desc() string {
	if m.name == "" {
		return "a " + m.kind + " mount"
	}
	return fmt.Sprintf("%s %q", m.kind, m.name)
}

type envUse struct {
	name string
	r    spec.Range
	desc string
}

// runMounts gathers the mounts of one run step: their targets, to find
// two at one path (mountConflicts), and the declarations mounted so far,
// to find repeats.
type runMounts struct {
	mounts []mount
	seen   []mount
}

func (c *checker) checkRun(r *spec.Run, fb spec.Range) {
	c.runCommand(r, fb)
	// The mount lists are reused from run to run, like the bindings
	// below: nothing keeps them past the step.
	m := &c.runMounts
	m.mounts, m.seen = m.mounts[:0], m.seen[:0]
	c.runSecrets(r, fb, m)
	c.runSSH(r, fb, m)
	c.runCaches(r, fb, m)
	c.runBinds(r, fb, m)
	c.runTmpfs(r, fb, m)
	// The bindings are reused from run to run: a file of thousands of
	// runs allocated a few kilobytes for each.
	c.runFields = spec.AppendStepFields(c.runFields[:0], r)
	c.validate(c.runFields, fb, "the run step")
	for _, kv := range r.Env {
		c.envVar(kv, fb)
	}
	c.runDevices(r, fb)
	c.mountConflicts(m.mounts)
	c.secretInCache(r, fb)
}

// runCommand checks the command, which may use the step's own
// environment (its env and the secrets it delivers as variables) as shell
// variables.
func (c *checker) runCommand(r *spec.Run, fb spec.Range) {
	var env map[string]bool
	for _, kv := range r.Env {
		if kv != nil {
			if env == nil {
				env = map[string]bool{}
			}
			env[kv.Key.V] = true
		}
	}
	for _, n := range r.Secrets {
		if d := c.secrets[n.V]; d != nil && d.Env.Set {
			if env == nil {
				env = map[string]bool{}
			}
			env[d.Env.V] = true
		}
	}
	if !r.Command.IsSet() {
		c.errorf(or(r.Command.Range, fb), "empty-command", "A run step needs a command.", "write the command", "run step without a command")
	} else {
		c.command(r.Command, fb, "run", env)
	}
}

// ref checks the name of a mounted declaration of kind (secret, ssh,
// cache): not empty and not mounted twice by the step. It reports whether
// the mount is worth checking further.
func (m *runMounts) ref(c *checker, kind string, n spec.Value[string], fb spec.Range) bool {
	nr := or(n.Range, fb)
	if n.V == "" {
		c.errorf(nr, "empty-value", fmt.Sprintf("The run step mounts %s without a name.", kind), "write the name of a declared "+kind, "empty %s name", kind)
		return false
	}
	for _, first := range m.seen {
		if first.kind == kind && first.name == n.V {
			c.errorf(nr, "duplicate-mount",
				fmt.Sprintf("The run step already mounts %s %q (%s); both mounts would use the same target.", kind, n.V, where(first.r)),
				"remove one of them", "%s %q is mounted twice", kind, n.V)
			return false
		}
	}
	m.seen = append(m.seen, mount{kind: kind, name: n.V, r: nr})
	return true
}

// runSecrets checks the secrets the step mounts: declared, and the
// environment variables they deliver set once (by one secret, and not
// also by the step's env).
func (c *checker) runSecrets(r *spec.Run, fb spec.Range, m *runMounts) {
	var secretEnv []envUse
	for _, n := range r.Secrets {
		if !m.ref(c, "secret", n, fb) {
			continue
		}
		nr := or(n.Range, fb)
		d, ok := c.secrets[n.V]
		if !ok {
			c.errorf(nr, "undefined-secret",
				fmt.Sprintf("The run step mounts secret %q, but no secret with that name is declared.", n.V),
				hintName("a secret", n.V, c.secretNames), "undefined secret %q", n.V)
			continue
		}
		c.used[use{"secret", n.V}] = true
		if d.AsFile() {
			// FileTarget builds the default path even when the target
			// is set.
			target := d.Target.V
			if !d.Target.Set {
				target = d.FileTarget()
			}
			m.mounts = append(m.mounts, mount{target: target, r: nr, kind: "secret", name: n.V})
		}
		if !d.Env.Set || d.Env.V == "" {
			continue
		}
		if first := firstEnvUse(r, secretEnv, d.Env.V, fb); first != nil {
			c.errorf(nr, "env-conflict",
				fmt.Sprintf("Secret %q is delivered as environment variable %q, which %s already sets (%s); one would silently replace the other.", n.V, d.Env.V, first.desc, where(first.r)),
				"use a different variable name for one of them", "environment variable %q is set twice", d.Env.V)
			continue
		}
		secretEnv = append(secretEnv, envUse{name: d.Env.V, r: nr, desc: fmt.Sprintf("secret %q", n.V)})
	}
}

// firstEnvUse is what already sets the variable name in the step: the
// last earlier secret that delivers it, else the step's env.
func firstEnvUse(r *spec.Run, secretEnv []envUse, name string, fb spec.Range) *envUse {
	var first *envUse
	for i := range secretEnv {
		if secretEnv[i].name == name {
			first = &secretEnv[i]
		}
	}
	if first != nil {
		return first
	}
	for _, kv := range r.Env {
		if kv != nil && kv.Key.V == name {
			return &envUse{r: or(kv.Key.Range, kv.Range, fb), desc: "the step's env"}
		}
	}
	return nil
}

// runSSH checks the ssh agents the step forwards.
func (c *checker) runSSH(r *spec.Run, fb spec.Range, m *runMounts) {
	for _, n := range r.SSH {
		if !m.ref(c, "ssh", n, fb) {
			continue
		}
		nr := or(n.Range, fb)
		i, ok := c.ssh[n.V]
		if !ok {
			c.errorf(nr, "undefined-ssh",
				fmt.Sprintf("The run step forwards ssh agent %q, but no ssh declaration with that name exists.", n.V),
				hintName("an ssh agent", n.V, c.sshNames), "undefined ssh %q", n.V)
			continue
		}
		c.used[use{"ssh", n.V}] = true
		m.mounts = append(m.mounts, mount{target: c.f.SSH[i].SocketTarget(i), r: nr, kind: "ssh", name: n.V})
	}
}

// runCaches checks the caches the step mounts. The stages that seed them
// are dependencies of the stage (spec.StageDeps, checkStageGraph).
func (c *checker) runCaches(r *spec.Run, fb spec.Range, m *runMounts) {
	for _, n := range r.Caches {
		if !m.ref(c, "cache", n, fb) {
			continue
		}
		nr := or(n.Range, fb)
		d, ok := c.caches[n.V]
		if !ok {
			c.errorf(nr, "undefined-cache",
				fmt.Sprintf("The run step mounts cache %q, but no cache with that name is declared.", n.V),
				hintName("a cache", n.V, c.cacheNames), "undefined cache %q", n.V)
			continue
		}
		c.used[use{"cache", n.V}] = true
		if d.Target.Set {
			m.mounts = append(m.mounts, mount{target: d.Target.V, r: nr, kind: "cache", name: n.V})
		}
	}
}

// runBinds checks the bind mounts: their sources, the paths in them and
// their targets.
func (c *checker) runBinds(r *spec.Run, fb spec.Range, m *runMounts) {
	for _, b := range r.Binds {
		if b == nil {
			continue
		}
		bfb := or(b.Range, fb)
		if b.From.Set {
			switch b.From.Kind {
			case spec.SourceScratch:
				c.errorf(or(b.From.Range, bfb), "invalid-source",
					"A bind mount of scratch would mount an empty directory.",
					"use a tmpfs mount for an empty writable directory", "scratch cannot be bound")
			case spec.SourceContext:
			default:
				c.source(b.From, or(b.From.Range, bfb), "The bind mount mounts from")
			}
		}
		if b.Path.Set {
			if lit, ok := c.template(b.Path, bfb, nil); ok {
				c.escapes(lit, or(b.Path.Range, bfb), b.From)
			}
		}
		if t, ok := c.mountTarget(b.Target, bfb, "the bind mount"); ok {
			m.mounts = append(m.mounts, mount{target: t, r: or(b.Target.Range, bfb), kind: "bind"})
		}
	}
}

// runTmpfs checks the tmpfs mounts: their targets and sizes.
func (c *checker) runTmpfs(r *spec.Run, fb spec.Range, m *runMounts) {
	for _, t := range r.Tmpfs {
		if t == nil {
			continue
		}
		tfb := or(t.Range, fb)
		if p, ok := c.mountTarget(t.Target, tfb, "the tmpfs mount"); ok {
			m.mounts = append(m.mounts, mount{target: p, r: or(t.Target.Range, tfb), kind: "tmpfs"})
		}
		c.validate(spec.TmpfsFields(t), tfb, "the tmpfs mount", "target")
	}
}
