package migrate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ourorg/securefile/grammar"
)

const sum = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// flagCases use every flag BuildKit's Dockerfile parser accepts (see
// TestFlagCasesCoverBuildKit), with a value other than its default, once
// per kind of source where the meaning differs. A flag is either
// converted (the conversion differs from the one without the flag, and no
// finding names the flag) or reported (a finding at its line names it):
// a flag the conversion ignores fails.
var flagCases = []struct {
	flag     string // "INSTRUCTION --name"
	src      string
	reported bool
}{
	{"FROM --platform", "FROM --platform=linux/arm64 alpine\n", false},

	{"COPY --from", "FROM alpine AS b\nFROM alpine\nCOPY --from=b /a /d\n", false},
	{"COPY --chown", "FROM alpine\nCOPY --chown=1:2 a /d\n", false},
	{"COPY --chmod", "FROM alpine\nCOPY --chmod=600 a /d\n", false},
	{"COPY --link", "FROM alpine\nCOPY --link a /d\n", false},
	{"COPY --parents", "FROM alpine\nCOPY --parents a/b /d/\n", false},
	{"COPY --exclude", "FROM alpine\nCOPY --exclude=*.md a /d\n", false},

	{"ADD --chown", "FROM alpine\nADD --chown=1:2 a /d\n", false},
	{"ADD --chown", "FROM alpine\nADD --chown=1:2 --checksum=" + sum + " https://example.com/f /d\n", false},
	{"ADD --chown", "FROM alpine\nADD --chown=1:2 https://github.com/a/b.git /d\n", false},
	{"ADD --chmod", "FROM alpine\nADD --chmod=600 a /d\n", false},
	{"ADD --chmod", "FROM alpine\nADD --chmod=600 --checksum=" + sum + " https://example.com/f /d\n", false},
	{"ADD --link", "FROM alpine\nADD --link a /d\n", false},
	{"ADD --link", "FROM alpine\nADD --link --checksum=" + sum + " https://example.com/f /d\n", false},
	{"ADD --link", "FROM alpine\nADD --link https://github.com/a/b.git /d\n", false},
	{"ADD --keep-git-dir", "FROM alpine\nADD --keep-git-dir https://github.com/a/b.git /d\n", false},
	{"ADD --keep-git-dir", "FROM alpine\nADD --keep-git-dir --checksum=" + sum + " https://example.com/f /d\n", true},
	{"ADD --keep-git-dir", "FROM alpine\nADD --keep-git-dir a /d\n", true},
	{"ADD --checksum", "FROM alpine\nADD --checksum=" + sum + " https://example.com/f /d\n", false},
	{"ADD --checksum", "FROM alpine\nADD --checksum=0123456789012345678901234567890123456789 https://github.com/a/b.git /d\n", false},
	{"ADD --checksum", "FROM alpine\nADD --checksum=abc https://github.com/a/b.git#main /d\n", true},
	{"ADD --checksum", "FROM alpine\nADD --checksum=" + sum + " a /d\n", true},
	{"ADD --unpack", "FROM alpine\nADD --unpack=false a.tar.gz /d\n", false},
	{"ADD --unpack", "FROM alpine\nADD --unpack=true a.bin /d\n", true},
	{"ADD --unpack", "FROM alpine\nADD --unpack=true --checksum=" + sum + " https://example.com/f.tar.gz /d\n", true},
	{"ADD --unpack", "FROM alpine\nADD --unpack=true https://github.com/a/b.git /d\n", true},
	{"ADD --exclude", "FROM alpine\nADD --exclude=*.md a /d\n", false},
	{"ADD --exclude", "FROM alpine\nADD --exclude=*.md --checksum=" + sum + " https://example.com/f /d\n", true},
	{"ADD --exclude", "FROM alpine\nADD --exclude=*.md https://github.com/a/b.git /d\n", false},

	{"RUN --mount", "FROM alpine\nRUN --mount=type=cache,target=/c true\n", false},
	{"RUN --network", "FROM alpine\nRUN --network=none true\n", false},
	{"RUN --network", "FROM alpine\nRUN --network=host true\n", false},
	{"RUN --security", "FROM alpine\nRUN --security=insecure true\n", false},
	{"RUN --device", "FROM alpine\nRUN --device=vendor.com/gpu=all true\n", true},

	{"HEALTHCHECK --interval", "FROM alpine\nHEALTHCHECK --interval=5s CMD true\n", false},
	{"HEALTHCHECK --timeout", "FROM alpine\nHEALTHCHECK --timeout=5s CMD true\n", false},
	{"HEALTHCHECK --start-period", "FROM alpine\nHEALTHCHECK --start-period=5s CMD true\n", false},
	{"HEALTHCHECK --start-interval", "FROM alpine\nHEALTHCHECK --start-interval=5s CMD true\n", false},
	{"HEALTHCHECK --retries", "FROM alpine\nHEALTHCHECK --retries=5 CMD true\n", false},
}

// converted is the formatted conversion of src and its findings.
func converted(t *testing.T, src string) (string, []Finding) {
	t.Helper()
	f, findings, err := Dockerfile("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("Dockerfile:\n%s: %v", src, err)
	}
	return string(grammar.Format(f, grammar.DSL)), findings
}

func TestFlagsConvertedOrReported(t *testing.T) {
	for _, tc := range flagCases {
		t.Run(tc.flag, func(t *testing.T) {
			_, name, _ := strings.Cut(tc.flag, " ")
			re := regexp.MustCompile(`[ \t]` + regexp.QuoteMeta(name) + `(=\S*)?`)
			lines := strings.SplitAfter(tc.src, "\n")
			line := 0
			for i, l := range lines {
				if re.MatchString(l) {
					line = i + 1
					lines[i] = re.ReplaceAllString(l, "")
					break
				}
			}
			if line == 0 {
				t.Fatalf("%q does not use %s", tc.src, name)
			}
			out, findings := converted(t, tc.src)
			baseOut, baseFindings := converted(t, strings.Join(lines, ""))
			if out == baseOut && fmt.Sprint(findings) == fmt.Sprint(baseFindings) {
				t.Errorf("%q: the same conversion as without %s: the flag is ignored silently\n%s%v", tc.src, name, out, findings)
			}
			var named []string
			for _, fd := range findings {
				if fd.Line == line && strings.Contains(fd.Message, name) {
					named = append(named, fd.Message)
				}
			}
			switch {
			case tc.reported && len(named) == 0:
				t.Errorf("%q: no finding at line %d names %s; findings: %v", tc.src, line, name, findings)
			case !tc.reported && len(named) > 0:
				t.Errorf("%q: %s is converted, but a finding names it: %q", tc.src, name, named)
			}
		})
	}
}

// TestFlagCasesCoverBuildKit reads the flags BuildKit's Dockerfile
// instructions declare (the Add* calls of their parse functions and of
// the RUN parse hooks) from the module's source, and fails for one that
// flagCases do not use: a flag a new BuildKit adds is converted or
// reported before the conversion claims to handle it.
func TestFlagCasesCoverBuildKit(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "frontend", "dockerfile", "instructions")
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	declared := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || !strings.HasPrefix(sel.Sel.Name, "Add") || len(call.Args) == 0 {
					return true
				}
				recv, ok := sel.X.(*ast.SelectorExpr)
				if !ok || recv.Sel.Name != "flags" {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: a flag whose name is not a literal", fset.Position(call.Pos()))
					return true
				}
				name, _ := strconv.Unquote(lit.Value)
				instr := ""
				switch fn := fd.Name.Name; {
				case strings.HasPrefix(fn, "run") && strings.HasSuffix(fn, "PreHook"):
					instr = "RUN"
				case strings.HasPrefix(fn, "parse"):
					instr = strings.ToUpper(strings.TrimPrefix(fn, "parse"))
				default:
					// Fail closed: a flag declared where this test does not
					// know the instruction.
					t.Errorf("%s: flag %q declared in %s, of no known instruction", fset.Position(call.Pos()), name, fn)
				}
				declared[instr+" --"+name] = true
				return true
			})
		}
	}
	if len(declared) < 20 {
		t.Fatalf("found only %d flags in %s: %v", len(declared), dir, declared)
	}
	cases := map[string]bool{}
	for _, tc := range flagCases {
		cases[tc.flag] = true
	}
	var missing []string
	for f := range declared {
		if !cases[f] {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	for _, f := range missing {
		t.Errorf("BuildKit accepts %s, which no flag case uses: convert or report it, and add a case", f)
	}
	var b bytes.Buffer
	for f := range cases {
		if !declared[f] {
			fmt.Fprintf(&b, " %s", f)
		}
	}
	if b.Len() > 0 {
		t.Errorf("flag cases for flags BuildKit does not declare:%s", b.String())
	}
}

// mountReported are the RUN --mount options, by type, that the conversion
// reports (it has no key for them); every other option BuildKit accepts
// for a type must change the conversion.
var mountReported = map[string]bool{
	"bind id": true, "bind env": true,
	"cache env": true, "cache source": true,
	"tmpfs id": true, "tmpfs env": true, "tmpfs readonly": true, "tmpfs rw": true, "tmpfs from": true, "tmpfs source": true,
	"secret readonly": true, "secret rw": true,
	"ssh readonly": true, "ssh rw": true, "ssh env": true, "ssh from": true, "ssh source": true,
}

// mountAliases are the option names BuildKit reads as another.
var mountAliases = map[string]string{"src": "source", "dst": "target", "destination": "target", "ro": "readonly", "readwrite": "rw"}

// TestMountOptionsConvertedOrReported tries every option of BuildKit's
// mount parser (its list of keys, read from its source) on every mount
// type, with a value other than the default: where BuildKit accepts it,
// the conversion must differ from the one without it, and a finding must
// name it exactly when mountReported says so.
func TestMountOptionsConvertedOrReported(t *testing.T) {
	keys := buildkitMountKeys(t)
	types := []string{"bind", "cache", "tmpfs", "secret", "ssh"}
	tried := map[string]bool{}
	for _, typ := range types {
		for _, key := range keys {
			if key == "type" || key == "target" || mountAliases[key] != "" {
				continue
			}
			val := map[string]string{"from": "b", "source": "s", "id": "i", "sharing": "locked", "required": "true", "size": "10m", "mode": "0600", "uid": "1", "gid": "1", "env": "E"}[key]
			ro := typ == "cache" || typ == "tmpfs" // read-write by default
			switch key {
			case "readonly":
				val = strconv.FormatBool(ro)
			case "rw":
				val = strconv.FormatBool(!ro)
			}
			if val == "" {
				t.Errorf("mount option %s: no test value", key)
				continue
			}
			base := "type=" + typ + ",target=/t"
			src := "FROM alpine AS b\nFROM alpine\nRUN --mount=" + base + "," + key + "=" + val + " true\n"
			f, findings, err := Dockerfile("Dockerfile", []byte(src))
			if err != nil {
				continue // BuildKit rejects the option for the type
			}
			name := typ + " " + key
			tried[name] = true
			out := string(grammar.Format(f, grammar.DSL))
			baseOut, baseFindings := converted(t, "FROM alpine AS b\nFROM alpine\nRUN --mount="+base+" true\n")
			if out == baseOut && fmt.Sprint(findings) == fmt.Sprint(baseFindings) {
				t.Errorf("%s=%s on a %s mount: the same conversion as without it: ignored silently", key, val, typ)
			}
			word := key
			if key == "rw" {
				word = "readonly"
			}
			named := false
			for _, fd := range findings {
				if fd.Line == 3 && strings.Contains(fd.Message, word) {
					named = true
				}
			}
			if named != mountReported[name] {
				t.Errorf("%s=%s on a %s mount: reported %v, want %v; findings: %v", key, val, typ, named, mountReported[name], findings)
			}
		}
	}
	if len(tried) < 30 {
		t.Fatalf("BuildKit accepts only %d type and option pairs: %v", len(tried), tried)
	}
	for name := range mountReported {
		if !tried[name] {
			t.Errorf("mountReported lists %q, which BuildKit rejects", name)
		}
	}
}

// buildkitMountKeys is the list of keys BuildKit's mount parser names in
// its error for an unknown key.
func buildkitMountKeys(t *testing.T) []string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "frontend", "dockerfile", "instructions", "commands_runmount.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return true
		}
		if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != "allKeys" {
			return true
		}
		lit, ok := as.Rhs[0].(*ast.CompositeLit)
		if !ok {
			t.Fatalf("%s: allKeys is not a literal", file)
		}
		for _, e := range lit.Elts {
			s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, s)
		}
		return false
	})
	if len(keys) < 15 {
		t.Fatalf("%s: found the mount keys %v", file, keys)
	}
	for _, k := range keys {
		if a := mountAliases[k]; a != "" && !slices.Contains(keys, a) {
			t.Errorf("alias %s of %s, which BuildKit does not list", k, a)
		}
	}
	return keys
}
