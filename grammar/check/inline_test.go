package check

import (
	"strings"
	"testing"

	"github.com/ourorg/securefile/spec"
)

var (
	sha64 = "4d2a5f1c" + "0123456789abcdef0123456789abcdef0123456789abcdef01234567"
	sha40 = "0123456789abcdef0123456789abcdef01234567"
)

func inlineFile(line int, dest, content string) *spec.Inline {
	return &spec.Inline{Node: node(line, 3), Dest: str(line, 8, dest), Content: str(line, 40, content)}
}

// inlineCases are the checks of the file step, chmod and chown forms, a
// stage's shell, run devices and the git options of add (part of
// checkCases).
func inlineCases() []checkCase {
	return []checkCase{
		{"file step", app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			ok := inlineFile(5, "/etc/app.conf", "listen = 80\n")
			ok.Chmod, ok.Chown = str(5, 70, "u=rw,g=r,o=r"), str(5, 90, "app:")
			dir := inlineFile(6, "/etc/", "x")
			empty := inlineFile(7, "", "x")
			leak := inlineFile(8, "/a", "machine x password ${netrc}")
			raw := inlineFile(9, "/b", "#!/bin/sh\necho ${netrc} $HOME\n")
			raw.Raw = boolean(9, 80, true)
			token := inlineFile(10, "/c", "token = "+fakeGitHub+"\n")
			modes := inlineFile(11, "/d", "x")
			modes.Chmod, modes.Chown = str(11, 70, "u+q"), str(11, 90, ":")
			ok2 := inlineFile(12, "/e", "x")
			ok2.Chmod, ok2.Chown = str(12, 70, "a+X"), str(12, 90, ":staff")
			big := inlineFile(13, "/f", "x")
			big.Chmod = str(13, 70, "17777")
			s.Steps = append(s.Steps, ok, dir, empty, leak, raw, token, modes, ok2, big)
		}), []string{
			`Securefile:1:8: warning: unused secret "netrc" [unused-secret]`,
			`Securefile:6:8: file destination "/etc/" is a directory [file-dest-dir]`,
			`Securefile:7:8: empty file destination [empty-value]`,
			`Securefile:8:60: secret "netrc" cannot be interpolated [secret-interpolation]`,
			`Securefile:10:40: a GitHub token in the content of file "/c" [secret-value]`,
			`Securefile:11:70: invalid chmod "u+q" [invalid-mode]`,
			`Securefile:11:90: invalid chown ":" [invalid-chown]`,
			`Securefile:13:70: invalid chmod "17777" [invalid-mode]`,
		}},
		{"file step with files", app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			file := func(line int, p, content string) *spec.InlineFile {
				return &spec.InlineFile{Node: node(line, 5), Path: str(line, 10, p), Content: str(line, 40, content)}
			}
			ok := &spec.Inline{Node: node(5, 3), Dest: str(5, 8, "/etc/d/"), Files: []*spec.InlineFile{file(6, "a", "x"), file(7, "sub/b", "y")}}
			notDir := &spec.Inline{Node: node(8, 3), Dest: str(8, 8, "/etc/x"), Content: str(8, 40, "own"),
				Files: []*spec.InlineFile{file(9, "a", "x"), file(10, "../up", "x"), file(11, "/abs", "x"), file(12, "d/", "x"), file(13, "./a", "x")}}
			bad := file(15, "c", "machine x password ${netrc}")
			bad.Chmod, bad.Chown = str(15, 70, "u+q"), str(15, 90, ":")
			checks := &spec.Inline{Node: node(14, 3), Dest: str(14, 8, "/etc/e/"), Files: []*spec.InlineFile{bad, file(16, "t", "token = "+fakeGitHub+"\n")}}
			s.Steps = append(s.Steps, ok, notDir, checks)
		}), []string{
			`Securefile:1:8: warning: unused secret "netrc" [unused-secret]`,
			`Securefile:8:8: file destination "/etc/x" is not a directory [file-dest-not-dir]`,
			`Securefile:8:40: content with files [option-not-applicable]`,
			`Securefile:10:10: file path "../up" outside the destination [file-path-outside]`,
			`Securefile:11:10: file path "/abs" outside the destination [file-path-outside]`,
			`Securefile:12:10: file path "d/" is a directory [file-dest-dir]`,
			`Securefile:13:10: file "./a" written twice [duplicate-file]`,
			`Securefile:15:60: secret "netrc" cannot be interpolated [secret-interpolation]`,
			`Securefile:15:70: invalid chmod "u+q" [invalid-mode]`,
			`Securefile:15:90: invalid chown ":" [invalid-chown]`,
			`Securefile:16:40: a GitHub token in the content of file "/etc/e/t" [secret-value]`,
		}},
		{"chmod and chown forms", app(func(f *spec.File, s *spec.Stage) {
			a := copyStep(5, "/app/", "app")
			a.Chmod, a.Chown = str(5, 60, "go-w"), str(5, 80, ":1000")
			a.Link = boolean(5, 90, true)
			b := copyStep(6, "/app/", "app")
			b.Chmod, b.Chown = str(6, 60, "0o755"), str(6, 80, "1000:")
			c := copyStep(7, "/app/", "app")
			c.Chown, c.Link = str(7, 80, ":staff"), boolean(7, 90, true)
			s.Steps = append(s.Steps, a, b, c)
		}), []string{
			`Securefile:6:60: invalid chmod "0o755" [invalid-mode]`,
			`Securefile:7:80: chown by name cannot be used with link [chown-name-with-link]`,
		}},
		{"shell", &spec.File{Node: spec.Node{Range: span(1, 1, "x")}, Stages: []*spec.Stage{
			func() *spec.Stage {
				s := stage(2, "a", imageSrc(2, 16, "alpine:3.20"), run(3, "echo hi"))
				s.Config.Shell = strs(4, 11)
				return s
			}(),
			func() *spec.Stage {
				s := stage(5, "b", stageSrc(5, 16, "a"), run(6, "echo hi"))
				s.Config.Shell = list(7, 11, str(7, 12, ""), str(7, 16, "-c"))
				return s
			}(),
			func() *spec.Stage {
				s := image(8, "app", stageSrc(8, 16, "b"), run(9, "echo hi"))
				s.Config.Shell = strs(10, 11, "/bin/bash", "-c")
				return s
			}(),
		}}, []string{
			`Securefile:4:11: empty shell [empty-value]`,
			`Securefile:7:12: empty shell program [empty-value]`,
		}},
		{"run devices", withRun(func(f *spec.File, r *spec.Run) {
			r.Devices = list(4, 30, str(4, 31, "vendor.com/gpu=all"), str(4, 60, "a,b"), str(4, 70, ""), str(4, 80, "gpu"))
		}), []string{
			`Securefile:4:60: invalid device "a,b" [invalid-device]`,
			`Securefile:4:70: empty device [empty-value]`,
		}},
		{"git subdir and exclude", app(func(f *spec.File, s *spec.Stage) {
			h := &spec.Add{Node: node(5, 3), Kind: spec.AddHTTP, URL: str(5, 7, "https://example.com/t.tgz"), Dest: str(5, 40, "/t"),
				Checksum: str(5, 50, "sha256:"+sha64), Subdir: str(5, 130, "docs"), Exclude: strs(5, 140, "*.md")}
			g := &spec.Add{Node: node(6, 3), Kind: spec.AddGit, URL: str(6, 11, "https://github.com/moby/buildkit.git"), Dest: str(6, 60, "/src"),
				Commit: str(6, 70, sha40), Subdir: str(6, 120, "a/../../x"), Exclude: strs(6, 140, "*.md", "[")}
			g2 := &spec.Add{Node: node(7, 3), Kind: spec.AddGit, URL: str(7, 11, "https://github.com/moby/buildkit.git"), Dest: str(7, 60, "/src"),
				Commit: str(7, 70, sha40), Subdir: str(7, 120, "")}
			s.Steps = append(s.Steps, h, g, g2)
		}), []string{
			`Securefile:5:130: subdir applies only to git sources [option-not-applicable]`,
			`Securefile:5:141: exclude applies only to git sources [option-not-applicable]`,
			`Securefile:6:120: warning: subdir "a/../../x" leaves the repository [path-escapes-source]`,
			`Securefile:6:149: invalid exclude pattern "[" [invalid-pattern]`,
			`Securefile:7:120: empty subdir [empty-value]`,
		}},
	}
}

// TestInlineRawContentIsText: "${NAME}" in a raw content is text, so it
// neither interpolates a secret nor uses an arg; the same content as a
// template does both.
func TestInlineRawContentIsText(t *testing.T) {
	for _, raw := range []bool{false, true} {
		f := app(func(f *spec.File, s *spec.Stage) {
			f.Secrets = []*spec.Secret{secret(1, "netrc")}
			f.Args = []*spec.Arg{arg(2, "V")}
			st := inlineFile(5, "/x", "${netrc} ${V}")
			st.Raw = boolean(5, 80, raw)
			s.Steps = append(s.Steps, st)
		})
		codes := map[string]bool{}
		for _, d := range Check(f) {
			codes[d.Code] = true
		}
		if codes["secret-interpolation"] == raw || codes["unused-arg"] != raw {
			t.Errorf("raw = %v: codes %v", raw, codes)
		}
	}
}

// TestInlineBareVarHint: a "$NAME" in a templated content is kept as
// text, and the hint offers raw, which writes the whole content as it is;
// elsewhere it does not.
func TestInlineBareVarHint(t *testing.T) {
	f := app(func(f *spec.File, s *spec.Stage) {
		s.Steps = append(s.Steps, inlineFile(5, "/x", "echo $HOME"), &spec.Workdir{Node: node(6, 3), Path: str(6, 11, "/w$HOME")})
	})
	hints := map[int32]string{}
	for _, d := range Check(f) {
		if d.Code == "unexpanded-variable" {
			hints[d.Range.Start.Line] = d.Hint
		}
	}
	if !strings.Contains(hints[5], "set raw to true") || strings.Contains(hints[6], "raw") || hints[6] == "" {
		t.Errorf("hints %q", hints)
	}
}
