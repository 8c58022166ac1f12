package rotate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The expected digests were computed with openssl, independently of this
// package:
//
//	printf 'securefile-rotate-v1\0netrc\0hunter2' | openssl dgst -sha256 -hmac pepper
func TestDigestKnownValues(t *testing.T) {
	for _, tc := range []struct{ salt, want string }{
		{"pepper", "84ab0b161e94574dbe6529de84ca2ca83d1da50be2f06974b846e90bdcae18d7"},
		{"paprika", "adf7b5750c2ec00d3c6d9ae0342fc3a8b328ba8a13c98ef16ddcd6db353d451b"},
	} {
		if got := Digest([]byte(tc.salt), "netrc", []byte("hunter2")); got != tc.want {
			t.Errorf("Digest(salt %q) = %s, want %s", tc.salt, got, tc.want)
		}
	}
}

func TestDigestDependsOnEveryInput(t *testing.T) {
	base := Digest([]byte("s"), "id", []byte("v"))
	for name, d := range map[string]string{
		"salt":  Digest([]byte("t"), "id", []byte("v")),
		"id":    Digest([]byte("s"), "ie", []byte("v")),
		"value": Digest([]byte("s"), "id", []byte("w")),
		// The separator keeps id and value apart.
		"boundary": Digest([]byte("s"), "i", []byte("d\x00v")),
	} {
		if d == base {
			t.Errorf("changing the %s does not change the digest", name)
		}
	}
}

func TestToolWritesDigestsAndNeverTheValue(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	salt := write("salt", "pepper")
	in := write("netrc", "hunter2")
	out := filepath.Join(dir, "netrc.digest")
	missingOut := filepath.Join(dir, "absent.digest")
	var stdout, stderr bytes.Buffer
	code := run(ToolArgs{SaltFile: salt, Secrets: []Secret{
		{ID: "netrc", In: in, Out: out},
		{ID: "opt", In: filepath.Join(dir, "not-mounted"), Out: missingOut},
	}}.Args(), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "84ab0b161e94574dbe6529de84ca2ca83d1da50be2f06974b846e90bdcae18d7\n"; string(got) != want {
		t.Errorf("digest file = %q, want %q", got, want)
	}
	if got, _ := os.ReadFile(missingOut); string(got) != Absent {
		t.Errorf("digest file of a secret that is not mounted = %q, want %q", got, Absent)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o444 || !st.ModTime().Equal(time.Unix(0, 0)) {
		t.Errorf("digest file mode %v, mtime %v; want 0444 and the epoch, so only the content varies", st.Mode().Perm(), st.ModTime())
	}
	if all := stdout.String() + stderr.String(); strings.Contains(all, "hunter2") || all != "" {
		t.Errorf("the tool printed %q; it must print nothing on success", all)
	}
}

func TestToolErrorsNameNoValue(t *testing.T) {
	dir := t.TempDir()
	salt := filepath.Join(dir, "salt")
	if err := os.WriteFile(salt, []byte("pepper"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "netrc")
	if err := os.WriteFile(in, []byte("hunter2"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no salt flag":   {[]string{"--", "netrc", in, "out"}, 2, "want exactly one of --salt FILE and --salt-dir DIR"},
		"two salts":      {[]string{"--salt", salt, "--salt-dir", dir, "--", "netrc", in, "out"}, 2, "want exactly one"},
		"id as flag":     {[]string{"netrc", in, "out"}, 2, `unknown flag "netrc"`},
		"no separator":   {[]string{"--salt", salt}, 2, `want "--"`},
		"short triple":   {[]string{"--salt", salt, "--", "netrc", in}, 2, "triples"},
		"no secrets":     {[]string{"--salt", salt, "--"}, 2, "triples"},
		"renew alone":    {[]string{"--salt", salt, "--renew-epoch", "--", "netrc", in, "out"}, 2, "--renew-epoch needs --epoch-dir"},
		"flag no value":  {[]string{"--salt", "--"}, 2, "--salt needs a value"},
		"salt missing":   {ToolArgs{SaltFile: filepath.Join(dir, "nosalt"), Secrets: []Secret{Secret{"netrc", in, filepath.Join(dir, "o1")}}}.Args(), 1, "reading the salt"},
		"salt empty":     {ToolArgs{SaltFile: empty, Secrets: []Secret{Secret{"netrc", in, filepath.Join(dir, "o2")}}}.Args(), 1, "is empty"},
		"unwritable out": {ToolArgs{SaltFile: salt, Secrets: []Secret{Secret{"netrc", in, filepath.Join(dir, "no", "such", "dir")}}}.Args(), 1, `secret "netrc"`},
		"secret is dir":  {ToolArgs{SaltFile: salt, Secrets: []Secret{Secret{"netrc", dir, filepath.Join(dir, "o3")}}}.Args(), 1, "reading " + dir},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tc.code, tc.want)
			}
			if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
				t.Errorf("the value appears in the output: %q", stdout.String()+stderr.String())
			}
		})
	}
}
