package toolmode

import (
	"fmt"
	"io"
	"os"
)

// SSHCheckName is the tool that the check step of a required ssh agent
// runs (internal/lower/sshcheck.go): it says whether the forwarded socket is
// there. The step exists for BuildKit to ask the client for the agent
// before the build; the tool only confirms what was mounted.
const SSHCheckName = "ssh-agent-forwarded"

func init() { Register(SSHCheckName, sshCheck) }

func sshCheck(args []string, _, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: ssh-agent-forwarded SOCKET")
		return 2
	}
	fi, err := os.Stat(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "ssh agent socket: %v\n", err)
		return 1
	}
	if fi.Mode()&os.ModeSocket == 0 {
		fmt.Fprintf(stderr, "ssh agent socket: %s is not a socket\n", args[0])
		return 1
	}
	return 0
}
