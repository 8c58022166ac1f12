// Package rotate is secret rotation: a secret declared with rotate = true
// makes the steps that use it depend on a salted digest of its value, so
// that they are rebuilt exactly when the value changes (moby/buildkit#2547:
// BuildKit never puts a secret's value in a cache key).
//
// The digest is computed by the "digest" tool (package toolmode), inside
// BuildKit, in a step of its own that has the secret mounted: the frontend
// never sees the value. Importing this package registers the tool.
package rotate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// ToolName is the name the digest tool is registered under.
const ToolName = "digest"

// domain separates these digests from any other use of the same salt and
// versions the format: a change here must change the prefix, so that old
// and new digests can never be confused.
const domain = "securefile-rotate-v1\x00"

// Absent is what the digest file holds when an optional secret was not
// provided, so that providing it later rebuilds the steps, and removing
// it again does too.
const Absent = "absent\n"

// Digest is the hex HMAC-SHA256, keyed by the project's salt, of the secret
// id and value. The id is part of the message so that two secrets with the
// same value do not have the same digest.
func Digest(salt []byte, id string, value []byte) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(domain))
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write(value)
	return hex.EncodeToString(m.Sum(nil))
}

// Secret is one secret for the tool: its id, where its value is mounted,
// and the file to write the digest to.
type Secret struct {
	ID, In, Out string
}

// ToolArgs describe one run of the tool: the salt (a file, or the daemon's
// in a directory), the verdict epoch's directory when verdict keys are
// wanted (Renew: replace the epoch first), and the secrets.
type ToolArgs struct {
	SaltFile, SaltDir string
	EpochDir          string
	Renew             bool
	Secrets           []Secret
}

// Args are the tool's arguments (after the tool name).
func (t ToolArgs) Args() []string {
	args := make([]string, 0, 7+3*len(t.Secrets))
	if t.SaltFile != "" {
		args = append(args, "--salt", t.SaltFile)
	} else {
		args = append(args, "--salt-dir", t.SaltDir)
	}
	if t.EpochDir != "" {
		args = append(args, "--epoch-dir", t.EpochDir)
		if t.Renew {
			args = append(args, "--renew-epoch")
		}
	}
	args = append(args, "--")
	for _, s := range t.Secrets {
		args = append(args, s.ID, s.In, s.Out)
	}
	return args
}
