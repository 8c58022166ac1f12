package migrate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar"
)

// convertCase is a Dockerfile, lines its conversion (DSL) must contain,
// lines it must not, and its findings: exactly these, each "LINE: a
// substring of the message".
type convertCase struct {
	name     string
	src      string
	want     []string
	notWant  []string
	findings []string
}

func (tc convertCase) run(t *testing.T) {
	t.Helper()
	f, findings, err := Dockerfile("Dockerfile", []byte(tc.src))
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	dsl := string(grammar.Format(f, grammar.DSL))
	for _, w := range tc.want {
		if !strings.Contains(dsl, w) {
			t.Errorf("%s: the conversion has no %q:\n%s", tc.name, w, dsl)
		}
	}
	for _, w := range tc.notWant {
		if strings.Contains(dsl, w) {
			t.Errorf("%s: the conversion has %q:\n%s", tc.name, w, dsl)
		}
	}
	var got []string
	for _, fd := range findings {
		if isImageTriggerNote(fd) {
			// On every FROM of an image: not what these cases are about.
			continue
		}
		got = append(got, fmt.Sprintf("%d: %s", fd.Line, fd.Message))
	}
	ok := len(got) == len(tc.findings)
	for i := 0; ok && i < len(got); i++ {
		line, sub, _ := strings.Cut(tc.findings[i], ": ")
		ok = strings.HasPrefix(got[i], line+": ") && strings.Contains(got[i], sub)
	}
	if !ok {
		t.Errorf("%s: findings\n  %s\nwant\n  %s", tc.name, strings.Join(got, "\n  "), strings.Join(tc.findings, "\n  "))
	}
}

// TestRunText: a RUN's command is kept as written ($ARG stays $ARG, the
// run step gets the arg as an environment variable), except that "$${"
// gets one more "$" so that the shell still gets "$${".
func TestRunText(t *testing.T) {
	for _, tc := range []convertCase{{
		name: "bare and braced args stay as written",
		src:  "FROM busybox\nARG V=1\nRUN echo $V ${V} ${V:-x} '$V' > /v\n",
		want: []string{`run "echo $V ${V} ${V:-x} '$V' > /v"`},
	}, {
		name: "the Securefile escape is escaped",
		src:  "FROM busybox\nRUN echo $${HOME} $$$${HOME} $$ ${HOME}\n",
		want: []string{`run "echo $$${HOME} $$$$${HOME} $$ ${HOME}"`},
	}, {
		name: "a heredoc script too",
		src:  "FROM busybox\nARG V=1\nRUN <<EOF\necho $V $${x}\nEOF\n",
		want: []string{"echo $V $$${x}\n"},
	}, {
		name:     "an exec-form RUN is not expanded by a Dockerfile",
		src:      "FROM busybox\nARG V=1\nRUN [\"echo\", \"${V}\", \"$V\", \"${HOME}\"]\n",
		want:     []string{`run ["echo", "$${V}", "$V", "${HOME}"]`},
		findings: []string{"3: RUN in exec form: a Dockerfile does not expand ${V} there"},
	}} {
		tc.run(t)
	}
}

// TestRunScope: a Dockerfile's RUN has in its environment exactly the args
// its stage declares before it (and the proxy args); a Securefile's run
// step has the args its command names. The difference is either made up
// with env of the step or reported.
func TestRunScope(t *testing.T) {
	for _, tc := range []convertCase{{
		name:     "a global ARG not redeclared is not in the RUN's environment",
		src:      "ARG G=1\nFROM busybox\nRUN echo $G\n",
		findings: []string{"3: RUN names $G, which is not an ARG of this stage at this line"},
	}, {
		name: "redeclared, it is",
		src:  "ARG G=1\nFROM busybox\nARG G\nRUN echo $G\n",
		want: []string{`run "echo $G"` + "\n"},
	}, {
		name:     "an ARG declared after the RUN",
		src:      "FROM busybox\nRUN echo ${V}\nARG V=1\n",
		findings: []string{"2: RUN names $V, which is not an ARG of this stage"},
	}, {
		name:     "an ARG of another stage",
		src:      "FROM busybox AS a\nARG V=1\nFROM busybox\nRUN echo $V\n",
		findings: []string{"4: RUN names $V"},
	}, {
		name: "the ARGs of the stage a stage is built on",
		src:  "FROM busybox AS a\nARG V=1\nFROM a\nRUN echo $V\n",
		want: []string{`run "echo $V"` + "\n"},
	}, {
		name:     "a platform arg is automatic in a Securefile, not in a Dockerfile stage",
		src:      "FROM busybox\nRUN echo $TARGETARCH\n",
		findings: []string{"2: RUN names $TARGETARCH, which is not an ARG of this stage at this line, so the Dockerfile's RUN does not have it in its environment; the converted run step does (a Securefile's automatic args need no declaration"},
	}, {
		name: "declared, it is the same",
		src:  "FROM busybox AS app\nARG TARGETARCH TARGETSTAGE\nRUN echo $TARGETARCH $TARGETSTAGE\n",
		want: []string{`run "echo $TARGETARCH $TARGETSTAGE"` + "\n"},
	}, {
		name: "the proxy args reach every RUN in both",
		src:  "FROM busybox\nRUN echo $HTTP_PROXY $no_proxy\n",
		want: []string{`run "echo $HTTP_PROXY $no_proxy"` + "\n"},
	}, {
		name: "an ENV of the same name wins in both",
		src:  "ARG G=1\nFROM busybox\nENV G=2\nRUN echo $G\n",
		want: []string{`run "echo $G"` + "\n"},
	}, {
		name:    "an arg the RUN does not name becomes env of the step",
		src:     "FROM debian\nARG DEBIAN_FRONTEND=noninteractive\nARG TARGETARCH\nARG HTTP_PROXY\nRUN apt-get install -y tzdata\nRUN echo $TARGETARCH\n",
		want:    []string{"run \"apt-get install -y tzdata\" {\n    env DEBIAN_FRONTEND = \"${DEBIAN_FRONTEND}\", TARGETARCH = \"${TARGETARCH}\"\n  }", "run \"echo $TARGETARCH\" {\n    env DEBIAN_FRONTEND = \"${DEBIAN_FRONTEND}\"\n  }"},
		notWant: []string{`HTTP_PROXY = `},
	}, {
		name:    "not when an ENV sets it",
		src:     "FROM debian\nARG V=1\nENV V=2\nRUN true\n",
		notWant: []string{`env V = "${V}"`},
	}, {
		name: "an exec-form RUN gets every arg of the stage",
		src:  "FROM busybox\nARG V=1\nRUN [\"sh\", \"-c\", \"echo $V\"]\n",
		want: []string{"run [\"sh\", \"-c\", \"echo $V\"] {\n    env V = \"${V}\"\n  }"},
	}} {
		tc.run(t)
	}
}

// TestValueScope: in values an ENV variable (of the file or the base
// image) is a reference too; an arg the Dockerfile does not see at that
// line is reported.
func TestValueScope(t *testing.T) {
	for _, tc := range []convertCase{{
		name: "ENV PATH extends the base image's",
		src:  "FROM debian\nENV PATH=/opt/bin:$PATH\n",
		want: []string{`env PATH = "/opt/bin:${PATH}"`},
	}, {
		name: "an ENV of the file",
		src:  "FROM debian\nENV APP=/app\nWORKDIR $APP/src\nLABEL dir=${APP%/*}\n",
		want: []string{`workdir "${APP}/src"`, `dir = "${APP%/*}"`},
	}, {
		name: "every lexer form is kept as written",
		src:  "ARG BASE=debian:12\nFROM ${BASE%%:*}:${BASE##*:}\nENV V=v1.2.3\nENV A=${V#v} B=${V%.*} C=${V/./-} D=${V//./-} E=${V:-x} F=${V-x} G=${V:+x} H=${V+x} I=${V:?m} J=${V?m}\n",
		want: []string{`from "${BASE%%:*}:${BASE##*:}"`, `env A = "${V#v}", B = "${V%.*}", C = "${V/./-}", D = "${V//./-}", E = "${V:-x}", F = "${V-x}", G = "${V:+x}", H = "${V+x}", I = "${V:?m}", J = "${V?m}"`},
	}, {
		name:     "a global ARG in a stage without redeclaring it",
		src:      "ARG G=1\nFROM debian\nENV X=$G\n",
		want:     []string{`env X = "${G}"`},
		findings: []string{"3: ${G}: ARG G is not declared in this stage before this line (a global ARG must be redeclared), so it is unset here in the Dockerfile"},
	}, {
		name:     "a stage ARG in FROM",
		src:      "FROM debian AS a\nARG V=1\nFROM debian:$V\n",
		findings: []string{"3: ${V}: before the first FROM a Dockerfile sees only the global ARGs and the platform args"},
	}, {
		name: "FROM sees the platform args and TARGETSTAGE undeclared",
		src:  "FROM --platform=$BUILDPLATFORM debian:$TARGETARCH AS x\n",
		want: []string{`image x from "debian:${TARGETARCH}"` + " {\n  platform = \"${BUILDPLATFORM}\""},
	}, {
		name:     "an automatic arg in a stage value",
		src:      "FROM debian\nENV OS=$TARGETOS\n",
		findings: []string{"2: ${TARGETOS}: a Dockerfile stage sees the automatic arg TARGETOS only after ARG TARGETOS"},
	}, {
		name:     "one ENV expands every value before it sets any",
		src:      "FROM debian\nENV A=1 B=$A\n",
		findings: []string{"2: ENV B refers to ${A}, which the same ENV sets before it"},
	}, {
		name:     "a label sees the environment at the end of the stage",
		src:      "FROM debian\nENV V=1\nLABEL v=$V\nENV V=2\n",
		findings: []string{"3: LABEL refers to ${V}, which the ENV at line 4 sets afterwards"},
	}, {
		name:     "an ARG after an ENV of the same name",
		src:      "FROM debian\nENV V=1\nARG V=2\nRUN echo $V\n",
		findings: []string{"3: ARG V after ENV V (line 2)"},
	}, {
		name:     "an ARG default that refers to an environment variable",
		src:      "FROM debian\nARG P=$PATH\n",
		findings: []string{"2: ARG P: its default refers to ${PATH}, which is not an arg"},
	}, {
		name: "what a Dockerfile does not expand is kept as text",
		src:  "FROM debian\nMAINTAINER ${ME}\nCOPY --exclude=${X} . /\n",
		want: []string{`maintainer = "$${ME}"`, `exclude = ["$${X}"]`},
		findings: []string{
			"2: MAINTAINER is deprecated",
		},
	}} {
		tc.run(t)
	}
}

// TestContainerCommands: CMD, ENTRYPOINT and HEALTHCHECK are kept as
// written; ${NAME} of an arg, which the Securefile would refuse in text
// the container's shell runs (or substitute into an exec-form word), is
// escaped as $${NAME}, which gives the container the same ${NAME}.
func TestContainerCommands(t *testing.T) {
	for _, tc := range []convertCase{{
		name: "shell form",
		src:  "FROM busybox\nARG V=1\nCMD echo ${V} $V ${HOME} ${TARGETARCH:-x}\n",
		want: []string{`cmd = "echo $${V} $V ${HOME} $${TARGETARCH:-x}"`},
		findings: []string{
			"3: CMD: a Dockerfile does not expand ${V} there",
			"3: CMD: a Dockerfile does not expand ${TARGETARCH} there",
		},
	}, {
		name:     "exec form",
		src:      "FROM busybox\nARG V=1\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo ${V}\"]\n",
		want:     []string{`entrypoint = ["/bin/sh", "-c", "echo $${V}"]`},
		findings: []string{"3: ENTRYPOINT: a Dockerfile does not expand ${V} there"},
	}, {
		name:     "healthcheck",
		src:      "FROM busybox\nARG PORT=80\nHEALTHCHECK CMD wget -q localhost:${PORT}\n",
		want:     []string{`cmd = "wget -q localhost:$${PORT}"`},
		findings: []string{"3: HEALTHCHECK: a Dockerfile does not expand ${PORT} there"},
	}, {
		name: "no arg, nothing to escape",
		src:  "FROM busybox\nCMD echo ${HOME} $${x}\n",
		want: []string{`cmd = "echo ${HOME} $$${x}"`},
	}} {
		tc.run(t)
	}
}

// TestAutomaticArgs: an ARG of an automatic arg declares nothing in the
// Securefile; a default it gives is dropped, with a finding; TARGETSTAGE
// of an unnamed last stage is "default" in a Dockerfile.
func TestAutomaticArgs(t *testing.T) {
	for _, tc := range []convertCase{{
		name:    "declared, not an arg of the Securefile",
		src:     "FROM busybox AS app\nARG TARGETOS TARGETSTAGE HTTP_PROXY BUILDOSVERSION\nRUN echo $TARGETOS $TARGETSTAGE $HTTP_PROXY $BUILDOSVERSION\n",
		notWant: []string{"arg "},
	}, {
		name:     "a default is dropped",
		src:      "FROM busybox\nARG TARGETOS=plan9\n",
		findings: []string{"2: ARG TARGETOS=plan9: TARGETOS is an automatic arg in a Securefile"},
	}, {
		name:     "the unnamed last stage is named default when TARGETSTAGE is used",
		src:      "FROM busybox\nARG TARGETSTAGE\nRUN echo $TARGETSTAGE\n",
		want:     []string{"image default from"},
		findings: []string{`1: the last stage has no name; named "default"`},
	}, {
		name: "otherwise stageN",
		src:  "FROM busybox\nRUN echo\n",
		want: []string{"image stage0 from"},
	}, {
		name: "a named last stage keeps its name",
		src:  "FROM busybox AS app\nARG TARGETSTAGE\nRUN echo $TARGETSTAGE\n",
		want: []string{"image app from"},
	}} {
		tc.run(t)
	}
}

// TestEmptyArgDefault: ARG E= sets E to the empty string in a Dockerfile;
// a Securefile cannot tell it from no default, and says so.
func TestEmptyArgDefault(t *testing.T) {
	convertCase{name: "empty default", src: "ARG E=\nARG F=\"\"\nARG U\nFROM busybox\n", want: []string{"arg E = \"\"\n", "arg F = \"\"\n", "arg U\n"},
		findings: []string{
			"1: ARG E has an empty default: in a Securefile an arg without a default and one with \"\" are the same declaration",
			"2: ARG F has an empty default",
			"3: ARG U has no default and is not used",
		}}.run(t)
}

// isImageTriggerNote reports whether fd is the note imageTriggers makes.
func isImageTriggerNote(fd Finding) bool {
	return !fd.Changed && strings.HasPrefix(fd.Message, "FROM ") && strings.Contains(fd.Message, "does not run the ONBUILD triggers of a base image's config")
}
