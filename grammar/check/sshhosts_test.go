package check_test

import (
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/grammar/dsl"
)

// TestUnpinnedSSHHost: git over ssh to a host no known_hosts entry names,
// and git or ssh run with agents that pin nothing, are errors at the URL
// or at the mounted agent; pinned, templated and hashed entries are quiet.
func TestUnpinnedSSHHost(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	for _, c := range []struct {
		name, src string
		want      []string // "line:col: summary", in order
	}{
		{"pinned", `ssh gh {
  known_hosts = ["github.com ` + key + `"]
}
image app from "debian:bookworm" {
  add git "git@github.com:o/r.git" to "/r"
  add git "ssh://git@github.com/o/r.git" to "/r2"
  run "git clone git@github.com:o/r.git" {
    ssh gh
  }
}
`, nil},
		{"wrong host and port", `ssh gh {
  known_hosts = ["github.com,!evil.example ` + key + `", "*.corp.example ` + key + `"]
}
image app from "debian:bookworm" {
  add git "ssh://git@github.com:2222/o/r.git" to "/r"
  add git "git@gitlab.com:o/r.git" to "/r2"
  add git "git@git.corp.example:o/r.git" to "/r3"
  add git "https://github.com/o/r.git" to "/r4"
  run "true" {
    ssh gh
  }
}
`, []string{`5:11: no pinned host key for "[github.com]:2222"`, `6:11: no pinned host key for "gitlab.com"`}},
		{"pinned for add git only", `ssh gh {
  known_hosts = ["[git.example]:2222 ` + key + `"]
}
image app from scratch {
  add git "ssh://git@git.example:2222/o/r.git" to "/r"
}
`, nil},
		{"negated", `ssh gh {
  known_hosts = ["*.example,!evil.example ` + key + `"]
}
image app from "debian:bookworm" {
  add git "git@evil.example:o/r.git" to "/r"
  add git "git@good.example:o/r.git" to "/r2"
  run "true" {
    ssh gh
  }
}
`, []string{`5:11: no pinned host key for "evil.example"`}},
		{"run without known_hosts", `ssh agent
image app from "debian:bookworm" {
  run "cd /src && git fetch origin" {
    ssh agent
  }
  run ["/usr/bin/ssh", "host", "true"] {
    ssh agent
  }
  run "ssh-add -l > /keys && mkdir -p /etc/ssh && cp /k /etc/ssh " {
    ssh agent
  }
  run "GIT_TERMINAL_PROMPT=0 git ls-remote origin" {
    ssh agent
  }
}
`, []string{`4:9: ssh "agent" has no pinned host keys`, `7:9: ssh "agent" has no pinned host keys`, `13:9: ssh "agent" has no pinned host keys`}},
		{"templated or hashed entries are not judged", `arg HOSTKEY
ssh a {
  known_hosts = ["${HOSTKEY}"]
}
ssh b {
  known_hosts = ["|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ` + key + `"]
}
image app from "debian:bookworm" {
  add git "git@gitlab.com:o/r.git" to "/r"
  run "git pull" {
    ssh a
    ssh b
  }
}
`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, diags := dsl.Parse("Securefile", []byte(c.src))
			if len(diags) > 0 {
				t.Fatalf("parse: %v", diags)
			}
			var got []string
			for _, d := range check.Check(f) {
				switch d.Code {
				case "unpinned-ssh-host":
					got = append(got, d.Line())
				case "unused-ssh":
					t.Errorf("%s: the declaration pins keys for git sources", d.Line())
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d unpinned-ssh-host findings, want %d:\n%s", len(got), len(c.want), strings.Join(got, "\n"))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], "Securefile:"+w) {
					t.Errorf("finding %d = %q, want Securefile:%s", i, got[i], w)
				}
			}
		})
	}
}
