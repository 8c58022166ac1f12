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
	saltFlag, saltPath, secrets, err := parseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, "securefile digest:", err)
		fmt.Fprintln(stderr, "usage: digest (--salt FILE | --salt-dir DIR) ID SECRET-FILE OUT-FILE [ID SECRET-FILE OUT-FILE ...]")
		return 2
	}
	var salt []byte
	if saltFlag == "--salt-dir" {
		salt, err = DaemonSalt(saltPath)
	} else {
		salt, err = os.ReadFile(saltPath)
		if err == nil && len(salt) == 0 {
			err = fmt.Errorf("the salt file %s is empty", saltPath)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "securefile digest: reading the salt: %v\n", err)
		return 1
	}
	for _, s := range secrets {
		if err := digestFile(salt, s); err != nil {
			fmt.Fprintf(stderr, "securefile digest: secret %q: %v\n", s.ID, err)
			return 1
		}
	}
	return 0
}

func parseArgs(args []string) (flag, salt string, _ []Secret, _ error) {
	if len(args) < 2 || (args[0] != "--salt" && args[0] != "--salt-dir") {
		return "", "", nil, errors.New("--salt FILE or --salt-dir DIR must come first")
	}
	flag, salt, rest := args[0], args[1], args[2:]
	if len(rest) == 0 || len(rest)%3 != 0 {
		return "", "", nil, fmt.Errorf("want one or more ID SECRET-FILE OUT-FILE triples, got %d arguments", len(rest))
	}
	out := make([]Secret, 0, len(rest)/3)
	for i := 0; i < len(rest); i += 3 {
		out = append(out, Secret{ID: rest[i], In: rest[i+1], Out: rest[i+2]})
	}
	return flag, salt, out, nil
}

// outTime is the modification time of every digest file, so that the file
// BuildKit checksums for the steps' cache keys differs only when its
// content does.
var outTime = time.Unix(0, 0)

func digestFile(salt []byte, s Secret) error {
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
	if err := os.WriteFile(s.Out, []byte(content), 0o444); err != nil {
		return err
	}
	// WriteFile leaves an existing file's mode and the umask applies to a
	// new one; the mode is part of the checksum, so it is set outright.
	if err := os.Chmod(s.Out, 0o444); err != nil {
		return err
	}
	return os.Chtimes(s.Out, outTime, outTime)
}
