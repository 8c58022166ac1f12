package frontend

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar"
)

func TestSecretOptions(t *testing.T) {
	f, diags := grammar.Load("Securefile", []byte(`
secret npm {
  id = "npm_token"
  env = "NPM_TOKEN"
}
arg VERSION = "1"
default image app from scratch {
  run "true" { secret npm }
}
`), grammar.DSL)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	const ghToken = "ghp_Zx81kQw7LmN3pR5tV9yB2cD4fH6jK8sA1eG0"
	for _, tc := range []struct {
		name string
		opts map[string]string
		want []string // empty: accepted
	}{
		{"plain args", map[string]string{"build-arg:VERSION": "2.1.0", "build-arg:HTTP_PROXY": "http://proxy:3128", "platform": "linux/amd64", "label:org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567"}, nil},
		{"names without values", map[string]string{"build-arg:NPM_TOKEN_FILE": "/run/secrets/npm", "build-arg:AWS_ACCESS_KEY_ID": ""}, nil},
		{"secret env name as arg", map[string]string{"build-arg:NPM_TOKEN": "abc"}, []string{"build arg NPM_TOKEN names secret \"npm\"", "--secret id=npm_token,env=NPM_TOKEN"}},
		{"secret id as arg", map[string]string{"build-arg:npm_token": "abc"}, []string{"build arg npm_token names secret \"npm\""}},
		{"token in any option", map[string]string{"build-arg:VERSION": ghToken, "label:x": "AKIAZ7QW3ERT5YUI8OPL"}, []string{"option build-arg:VERSION holds a GitHub token (ghp_…)", "option label:x holds an AWS access key id (AKIA…)"}},
		{"random value under a credential name", map[string]string{"build-arg:DEPLOY_PASSWORD": "Tr0ub4dor&3xQ9zLmW2p"}, []string{"build-arg:DEPLOY_PASSWORD holds a high-entropy value under a credential name (Tr0u…)"}},
		{"random value under another name", map[string]string{"build-arg:BUILD_ID": "Tr0ub4dor3xQ9zLmW2pK"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := secretOptions(f, tc.opts)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, v := range tc.opts {
				if len(v) > 8 && strings.Contains(err.Error(), v) {
					t.Errorf("error repeats the value %q", v)
				}
			}
		})
	}
}

// A secret passed as a build arg is refused by every entry point that
// takes build args, with the message a build fails with, and the value is
// in no answer: the outline (answered before build() runs, and printed in
// CI logs), the lock subrequest, and the CLI's offline commands
// (SecretBuildArgs).
func TestSecretBuildArgRefusedEverywhere(t *testing.T) {
	const file = `arg VERSION = "1"
secret npm {
  id = "npm_token"
  env = "NPM_TOKEN"
}
default image app from "busybox:1.36" {
  run "echo ${VERSION}" { secret npm }
}
`
	const value = "s3cr3t-npm-value-1234"
	f := loadClean(t, file)
	for _, arg := range []string{"npm", "npm_token", "NPM_TOKEN"} {
		t.Run(arg, func(t *testing.T) {
			opts := map[string]string{"build-arg:" + arg: value}
			want := secretOptions(f, opts)
			if want == nil {
				t.Fatal("secretOptions accepted the secret")
			}
			errs := map[string]error{}
			_, errs["build"] = Build(context.Background(), newFakeClient(map[string]string{"Securefile": file}, opts))
			for _, req := range []string{"frontend.outline", LockRequest} {
				o := maps.Clone(opts)
				o["requestid"] = req
				_, errs[req] = Build(context.Background(), newFakeClient(map[string]string{"Securefile": file}, o))
			}
			_, errs["outlineOf"] = outlineOf(f, "", []byte(file), map[string]string{arg: value}, platformArgs(linuxAMD64, linuxAMD64))
			errs["SecretBuildArgs"] = SecretBuildArgs(f, map[string]string{arg: value})
			for name, err := range errs {
				if err == nil {
					t.Errorf("%s accepted build arg %s", name, arg)
					continue
				}
				if err.Error() != want.Error() {
					t.Errorf("%s: error\n%v\nwant the build's\n%v", name, err, want)
				}
				if strings.Contains(err.Error(), value) {
					t.Errorf("%s: the error repeats the value", name)
				}
			}
		})
	}
	// Plain build args pass.
	if err := SecretBuildArgs(f, map[string]string{"VERSION": "2.0.1"}); err != nil {
		t.Errorf("a plain build arg is refused: %v", err)
	}
}
