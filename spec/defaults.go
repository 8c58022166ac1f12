package spec

import "fmt"

// Defaults. They live here, not in the parsers, so that an unwritten field
// stays unwritten through formatting and conversion.
const (
	DefaultSecretDir   = "/run/secrets"
	DefaultSSHID       = "default"
	DefaultSSHMode     = "0600"
	DefaultSecretMode  = "0400"
	DefaultCacheMode   = "0755"
	DefaultCacheShare  = "shared"
	DefaultNetwork     = "default"
	DefaultSecurity    = "sandbox"
	DefaultBindPath    = "/"
	DefaultContextName = "context"
)

// EffectiveID is the id the client must provide.
func (s *Secret) EffectiveID() string { return s.ID.Or(s.Name.V) }

// IsRequired reports whether a missing secret fails the build.
func (s *Secret) IsRequired() bool { return s.Required.Or(true) }

// AsFile reports whether the secret is mounted as a file. A secret that
// names only an env var is not; one that names nothing is a file at
// /run/secrets/<id>.
func (s *Secret) AsFile() bool { return s.Target.Set || !s.Env.Set }

// FileTarget is the path of the secret file.
func (s *Secret) FileTarget() string {
	return s.Target.Or(DefaultSecretDir + "/" + s.EffectiveID())
}

// EffectiveID is the agent id the client must provide (--ssh ID=...).
func (s *SSH) EffectiveID() string { return s.ID.Or(DefaultSSHID) }

// IsRequired reports whether a missing agent fails the build.
func (s *SSH) IsRequired() bool { return s.Required.Or(true) }

// SocketTarget is where the socket appears; index numbers the declaration
// among the ssh declarations of the file so that defaults never collide.
func (s *SSH) SocketTarget(index int) string {
	return s.Target.Or(fmt.Sprintf("/run/buildkit/ssh_agent.%d", index))
}

// EffectiveID is the cache id; caches with the same id share storage.
func (c *Cache) EffectiveID() string { return c.ID.Or(c.Name.V) }

// EffectiveSharing is shared, private or locked.
func (c *Cache) EffectiveSharing() string { return c.Sharing.Or(DefaultCacheShare) }

// IsDefault reports whether the stage is the default target.
func (s *Stage) IsDefault() bool { return s.Default.Or(false) }

// Stage returns the stage with the given name, or nil.
func (f *File) Stage(name string) *Stage {
	for _, s := range f.Stages {
		if s.Name.V == name {
			return s
		}
	}
	return nil
}

// DefaultTarget is the stage built without --target: the image marked
// default, else the only image, else the last stage. The checker reports
// the ambiguous cases, so lowering can rely on this.
func (f *File) DefaultTarget() *Stage {
	var images []*Stage
	for _, s := range f.Stages {
		if s == nil {
			continue
		}
		if s.IsDefault() {
			return s
		}
		if s.Kind == KindImage {
			images = append(images, s)
		}
	}
	if len(images) > 0 {
		return images[len(images)-1]
	}
	for i := len(f.Stages) - 1; i >= 0; i-- {
		if f.Stages[i] != nil {
			return f.Stages[i]
		}
	}
	return nil
}

// Secret returns the secret declaration with the given name, or nil.
func (f *File) Secret(name string) *Secret {
	for _, s := range f.Secrets {
		if s.Name.V == name {
			return s
		}
	}
	return nil
}

// SSHByName returns the ssh declaration with the given name and its index,
// or nil and -1.
func (f *File) SSHByName(name string) (*SSH, int) {
	for i, s := range f.SSH {
		if s.Name.V == name {
			return s, i
		}
	}
	return nil, -1
}

// Cache returns the cache declaration with the given name, or nil.
func (f *File) Cache(name string) *Cache {
	for _, c := range f.Caches {
		if c.Name.V == name {
			return c
		}
	}
	return nil
}
