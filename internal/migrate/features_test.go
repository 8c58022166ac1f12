package migrate

import (
	"strings"
	"testing"
)

// featureCases are conversions that keep the Dockerfile's meaning where the
// language can say it: each lists text the converted DSL must contain and
// must not, and whether the conversion is lossy (a finding marked changed).
var featureCases = []struct {
	name      string
	src       string
	want, not []string
	lossy     bool
	findings  []string // substrings of some finding each
}{
	{name: "heredoc copy to a file, templated",
		src:  "FROM busybox\nARG X=1\nCOPY <<EOF /etc/conf\nx=$X ${X} \\$X \"q\" 'q'\nEOF\n",
		want: []string{`file "/etc/conf" {`, "x=${X} ${X} $X \"q\" 'q'\n"},
		not:  []string{"raw = true"}},
	{name: "heredoc copy raw, several to a directory, chmod and chown",
		src:  "FROM busybox\nCOPY --chmod=0755 --chown=1:2 <<'A' <<\"B\" /dir/\n$X ${X}\nA\nb\nB\n",
		want: []string{`file "/dir/A" {`, "$X ${X}\n", `file "/dir/B" {`, "raw = true", `chmod = "0755"`, `chown = "1:2"`}},
	{name: "heredoc copy with <<- strips tabs; relative destination kept",
		src:  "FROM busybox\nWORKDIR /w\nCOPY <<-EOF rel\n\tbar\nEOF\n",
		want: []string{`file "rel" {`, "\nbar\n"}, not: []string{"\tbar"}},
	{name: "heredoc copy to the working directory",
		src:  "FROM busybox\nWORKDIR /w\nCOPY <<EOF .\nx\nEOF\n",
		want: []string{`file "./EOF" {`}},
	{name: "heredoc copy with --link and an --exclude that matches it",
		src:   "FROM busybox\nCOPY --link --exclude=E* <<EOF /d/\nx\nEOF\n",
		want:  []string{`file "/d/EOF" {`},
		lossy: true, findings: []string{"--link: a file step has no link option", "--exclude matches the heredoc's name"}},
	{name: "heredoc add",
		src:  "FROM busybox\nADD <<EOF /a\nhello\nEOF\n",
		want: []string{`file "/a" {`, "hello\n"}},
	{name: "local add unpacks",
		src:  "FROM busybox\nADD t.tar.gz /\n",
		want: []string{`copy "t.tar.gz" to "/" {`, "unpack = true"}},
	{name: "local add --unpack=false copies",
		src: "FROM busybox\nADD --unpack=false t.tar.gz /\n",
		not: []string{"unpack"}},
	{name: "shell of the stage, earlier shell-form commands in exec form",
		src:  "FROM busybox\nRUN echo a\nCMD echo c\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo b\nENTRYPOINT echo e\n",
		want: []string{`shell = ["/bin/bash", "-c"]`, `run ["/bin/sh", "-c", "echo a"]`, `cmd = ["/bin/sh", "-c", "echo c"]`, `run "echo b"`, `entrypoint = "echo e"`}},
	{name: "shell inherited from the base stage",
		src:  "FROM busybox AS a\nSHELL [\"/bin/ash\", \"-c\"]\nFROM a\nRUN echo x\nSHELL [\"/bin/sh\", \"-c\"]\n",
		want: []string{`run ["/bin/ash", "-c", "echo x"]`}},
	{name: "devices",
		src:  "FROM busybox\nRUN --device=name=vendor.com/gpu=all,required true\n",
		want: []string{`devices = ["vendor.com/gpu=all"]`}},
	{name: "optional device is a change",
		src:   "FROM busybox\nRUN --device=vendor.com/gpu=all true\n",
		want:  []string{`devices = ["vendor.com/gpu=all"]`},
		lossy: true, findings: []string{"optional in BuildKit"}},
	{name: "git subdir and exclude",
		src:  "FROM busybox\nADD --exclude=*.md https://github.com/a/b.git#main:sub/dir /d\n",
		want: []string{`ref = "main"`, `subdir = "sub/dir"`, `exclude = ["*.md"]`}},
	{name: "onbuild runs in the stage built on the stage, not further",
		src:  "FROM busybox AS base\nONBUILD RUN echo trig\nFROM base AS mid\nRUN cat x\nFROM mid\nRUN true\n",
		want: []string{"stage mid from base {\n  run \"echo trig\"\n  run \"cat x\""},
		not:  []string{"run \"echo trig\"\n  run \"true\""}},
	{name: "onbuild of the image is a change",
		src:   "FROM busybox\nONBUILD RUN echo trig\n",
		not:   []string{"echo trig"},
		lossy: true, findings: []string{"carries no ONBUILD triggers"}},
	{name: "onbuild copy --from makes the child depend on the source stage",
		src:  "FROM busybox AS src\nRUN touch /f\nFROM busybox AS base\nONBUILD COPY --from=src /f /g\nFROM base\nRUN ls /g\n",
		want: []string{`copy "/f" from src to "/g"`}},
	{name: "mount type from an env",
		src:  "FROM busybox\nENV T=cache P=/c\nRUN --mount=type=$T,target=$P true\n",
		want: []string{"cache c {\n  target = \"/c\"", "    cache c\n"}},
	{name: "mount type from an arg: the default, a change",
		src:   "FROM busybox\nARG T=cache\nRUN --mount=type=$T,target=/c true\n",
		want:  []string{"cache c {"},
		lossy: true, findings: []string{"type=$T: expanded with the default of ARG T"}},
	{name: "cache target from an arg stays a template",
		src:  "ARG P=/tmp/meta\nFROM busybox\nARG P\nRUN --mount=type=cache,id=m,target=$P true\n",
		want: []string{"cache m {\n  target = \"${P}\"\n}"}},
	{name: "bind target from an arg stays a template",
		src:  "FROM busybox\nARG P=/m\nRUN --mount=type=bind,target=${P} true\n",
		want: []string{`bind "/" to "${P}"`}},
	{name: "expose: host part dropped, several ports of one arg",
		src:   "FROM scratch\nARG PORTS=\"3000 4000/udp\"\nEXPOSE $PORTS 0.0.0.0:1234:1234/tcp\n",
		want:  []string{`"3000"`, `"4000/udp"`, `"1234/tcp"`},
		not:   []string{"0.0.0.0"},
		lossy: true, findings: []string{"the host part has no effect", "EXPOSE $PORTS: expanded with the default of ARG PORTS"}},
	{name: "expose of one port in an arg stays a template",
		src:  "FROM scratch\nARG P=80\nEXPOSE $P\n",
		want: []string{`expose = ["${P}"]`}},
	{name: "from a stage through a platform arg",
		src:   "FROM scratch AS build-linux\nFROM build-${TARGETOS}\n",
		want:  []string{"from build-linux"},
		lossy: true, findings: []string{"the only earlier stage it can name is build-linux"}},
	{name: "from a stage through an arg default",
		src:   "ARG S=one\nFROM scratch AS one\nFROM ${S}\n",
		want:  []string{"image stage1 from one"},
		lossy: true, findings: []string{"expanded with the default of ARG S to the stage one"}},
	{name: "from an image through an arg",
		src:  "ARG BASE=busybox\nFROM ${BASE}\n",
		want: []string{`from "${BASE}"`}},
	{name: "a required arg default",
		src:   "ARG FOO=${FOO:?\"custom error\"}\nFROM busybox\n",
		want:  []string{"arg FOO\n"},
		not:   []string{"custom error"},
		lossy: true, findings: []string{"the default requires a --build-arg FOO"}},
	{name: "an arg default of itself with a default word",
		src:  "ARG FOO=${FOO:-x}\nFROM busybox\n",
		want: []string{`arg FOO = "x"`}},
	{name: "run heredoc with a shebang runs the script as a file",
		src:  "FROM busybox\nRUN <<-EOF\n\t#!/usr/bin/awk -f\n\tBEGIN { print 1 }\nEOF\n",
		want: []string{"stage stage0_heredoc_2 from scratch {\n  file \"/EOF\" {", "raw = true", `chmod = "0755"`, `run "/dev/pipes/EOF" {`, `bind "/" from stage0_heredoc_2 to "/dev/pipes"`, "#!/usr/bin/awk -f\nBEGIN"}},
	{name: "a wildcard source is noted",
		src:      "FROM busybox\nCOPY a* b /d/\n",
		findings: []string{"a*: a wildcard source that matches nothing"}},
	{name: "a base image's triggers are noted, once per image",
		src:      "FROM busybox AS a\nFROM busybox\n",
		findings: []string{"FROM busybox: a Securefile build does not run the ONBUILD triggers of a base image's config"}},
	{name: "stage names are the Dockerfile's, lower-case",
		src:  "FROM scratch AS STAge0\nFROM scratch AS staGE1\nCOPY --from=staGE0 / /\n",
		want: []string{"stage stage0 from scratch", "image stage1 from scratch", "from stage0 to"}},
}

func TestFeatureConversions(t *testing.T) {
	for _, tc := range featureCases {
		t.Run(tc.name, func(t *testing.T) {
			out, findings := converted(t, tc.src)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("the conversion lacks %q:\n%s%v", w, out, findings)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("the conversion has %q:\n%s%v", n, out, findings)
				}
			}
			if got := Lossy(findings); got != tc.lossy {
				t.Errorf("lossy = %v, want %v; findings: %v", got, tc.lossy, findings)
			}
			for _, w := range tc.findings {
				found := false
				for _, f := range findings {
					found = found || strings.Contains(f.Message, w)
				}
				if !found {
					t.Errorf("no finding says %q: %v", w, findings)
				}
			}
		})
	}
}

// TestRefusedMountField: a mount field that names what the conversion
// cannot know (the base image's environment) is refused at its line, not
// kept as text.
func TestRefusedMountField(t *testing.T) {
	_, _, err := Dockerfile("Dockerfile", []byte("FROM busybox\n\nRUN --mount=type=cache,target=$HOME/c true\n"))
	pe, ok := err.(*ParseError)
	if !ok || pe.Line != 3 || !strings.Contains(pe.Error(), "$HOME") {
		t.Fatalf("err = %v, want a *ParseError at line 3 naming $HOME", err)
	}
}

// TestFromSeveralStages: a FROM that can name several stages depending on
// the platform is refused.
func TestFromSeveralStages(t *testing.T) {
	_, _, err := Dockerfile("Dockerfile", []byte("FROM scratch AS b-linux\nFROM scratch AS b-windows\nFROM b-${TARGETOS}\n"))
	pe, ok := err.(*ParseError)
	if !ok || pe.Line != 3 || !strings.Contains(pe.Error(), "b-linux, b-windows") {
		t.Fatalf("err = %v, want a *ParseError at line 3 naming both stages", err)
	}
}

func TestFindingString(t *testing.T) {
	if got := (Finding{Line: 3, Message: "m", Changed: true}).String(); got != "3: changed: m" {
		t.Errorf("got %q", got)
	}
	if got := (Finding{Line: 3, Message: "m"}).String(); got != "3: note: m" {
		t.Errorf("got %q", got)
	}
	if Lossy([]Finding{{Message: "a"}}) || !Lossy([]Finding{{Message: "a"}, {Changed: true}}) {
		t.Error("Lossy")
	}
}

// TestImageTriggerNoteOnce: the note about a base image's ONBUILD triggers
// comes once per image, at its first FROM.
func TestImageTriggerNoteOnce(t *testing.T) {
	_, findings, err := Dockerfile("Dockerfile", []byte("FROM busybox AS a\nFROM busybox AS b\nFROM alpine\n"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range findings {
		if isImageTriggerNote(f) {
			lines = append(lines, f.Line)
		}
	}
	if len(lines) != 2 || lines[0] != 1 || lines[1] != 3 {
		t.Errorf("image trigger notes at lines %v, want [1 3]: %v", lines, findings)
	}
}
