package rotate

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ourorg/securefile/internal/toolmode"
)

func init() { toolmode.Register(ToolName, run) }

// run is the digest tool. It never writes a secret's value anywhere but
// into the HMAC, and its messages name paths and ids, never contents.
func run(args []string, _, stderr io.Writer) int {
	a, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, "securefile digest:", err)
		fmt.Fprintln(stderr, "usage: digest (--salt FILE | --salt-dir DIR) [--epoch-dir DIR [--renew-epoch]] -- ID SECRET-FILE OUT-FILE [ID SECRET-FILE OUT-FILE ...]")
		return 2
	}
	var salt []byte
	if a.saltDir != "" {
		salt, err = DaemonSalt(a.saltDir)
	} else {
		salt, err = os.ReadFile(a.saltFile)
		if err == nil && len(salt) == 0 {
			err = fmt.Errorf("the salt file %s is empty", a.saltFile)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "securefile digest: reading the salt: %v\n", err)
		return 1
	}
	var epoch []byte
	if a.epochDir != "" {
		if epoch, err = Epoch(a.epochDir, a.renew); err != nil {
			fmt.Fprintf(stderr, "securefile digest: %v\n", err)
			return 1
		}
	}
	for _, s := range a.secrets {
		if err := digestFile(salt, epoch, s); err != nil {
			fmt.Fprintf(stderr, "securefile digest: secret %q: %v\n", s.ID, err)
			return 1
		}
	}
	return 0
}

// toolArgs are the digest tool's parsed arguments.
type toolArgs struct {
	saltFile, saltDir, epochDir string
	renew                       bool
	secrets                     []Secret
}

// parseArgs reads the flags, "--", then the triples. An unknown flag is an
// error, never a secret id: the frontend and the tool are one version
// (toolmode.Protocol), so a flag the tool does not know means a mismatch.
func parseArgs(args []string) (*toolArgs, error) {
	a := &toolArgs{}
	i := 0
	for ; i < len(args) && args[i] != "--"; i++ {
		switch args[i] {
		case "--salt", "--salt-dir", "--epoch-dir":
			if i+1 >= len(args) || args[i+1] == "--" {
				return nil, fmt.Errorf("%s needs a value", args[i])
			}
			v := args[i+1]
			switch args[i] {
			case "--salt":
				a.saltFile = v
			case "--salt-dir":
				a.saltDir = v
			default:
				a.epochDir = v
			}
			i++
		case "--renew-epoch":
			a.renew = true
		default:
			return nil, fmt.Errorf("unknown flag %q", args[i])
		}
	}
	if (a.saltFile == "") == (a.saltDir == "") {
		return nil, errors.New("want exactly one of --salt FILE and --salt-dir DIR")
	}
	if a.renew && a.epochDir == "" {
		return nil, errors.New("--renew-epoch needs --epoch-dir")
	}
	if i >= len(args) {
		return nil, errors.New(`want "--" before the ID SECRET-FILE OUT-FILE triples`)
	}
	rest := args[i+1:]
	if len(rest) == 0 || len(rest)%3 != 0 {
		return nil, fmt.Errorf("want one or more ID SECRET-FILE OUT-FILE triples, got %d arguments", len(rest))
	}
	for j := 0; j < len(rest); j += 3 {
		a.secrets = append(a.secrets, Secret{ID: rest[j], In: rest[j+1], Out: rest[j+2]})
	}
	return a, nil
}

// outTime is the modification time of every digest file, so that the file
// BuildKit checksums for the steps' cache keys differs only when its
// content does.
var outTime = time.Unix(0, 0)

// digestFile writes the digest of one secret to s.Out and, with an epoch,
// its verdict key to s.Out+VerdictSuffix.
func digestFile(salt, epoch []byte, s Secret) error {
	content := Absent
	value, err := os.ReadFile(s.In)
	switch {
	case err == nil:
		content = Digest(salt, s.ID, value) + "\n"
		clear(value)
	case errors.Is(err, fs.ErrNotExist):
		// An optional secret the client did not provide is not mounted.
	default:
		// The error names the path only; os errors never quote contents.
		return fmt.Errorf("reading %s: %w", s.In, err)
	}
	if err := writeKeyFile(s.Out, content); err != nil {
		return err
	}
	if epoch == nil {
		return nil
	}
	return writeKeyFile(s.Out+VerdictSuffix, VerdictKey(epoch, content)+"\n")
}

// writeKeyFile writes a file that BuildKit checksums for a cache key: its
// content is all that may differ.
func writeKeyFile(p, content string) error {
	if err := os.WriteFile(p, []byte(content), 0o444); err != nil {
		return err
	}
	// WriteFile leaves an existing file's mode and the umask applies to a
	// new one; the mode is part of the checksum, so it is set outright.
	if err := os.Chmod(p, 0o444); err != nil {
		return err
	}
	return os.Chtimes(p, outTime, outTime)
}
