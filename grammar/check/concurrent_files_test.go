package check_test

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/spec"
)

// TestConcurrentMatchesSequential parses the corpora, the grammar's cases
// and generated files (large and small) with the real parsers and checks
// each with the step passes run one after the other and on two goroutines
// (check.SetParallelMinSteps): the findings must be the same, in the same
// order before Check sorts them and after, text and ranges.
func TestConcurrentMatchesSequential(t *testing.T) {
	type input struct {
		name string
		src  []byte
	}
	var inputs []input
	for _, g := range []string{"testdata/*/*.txtar", "../testdata/cases/*.txtar"} {
		files, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range files {
			a, err := txtar.ParseFile(fn)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range a.Files {
				if strings.HasPrefix(f.Name, "Securefile") {
					inputs = append(inputs, input{fn + "/" + f.Name, f.Data})
				}
			}
		}
	}
	if len(inputs) < 80 {
		t.Fatalf("only %d files in the corpora", len(inputs))
	}
	for seed := int64(1); seed <= 12; seed++ {
		src := genMixed(seed, 1+int(seed%5)*3, 5+int(seed*97%300))
		inputs = append(inputs, input{fmt.Sprintf("genMixed(%d)", seed), []byte(src)})
		if f, diags := grammar.Parse("Securefile", []byte(src), grammar.DSL); !diags.HasErrors() {
			inputs = append(inputs, input{fmt.Sprintf("genMixed(%d).toml", seed), grammar.Format(f, grammar.TOML)})
		}
	}
	inputs = append(inputs, input{"bigSecurefile", []byte(bigSecurefile(3000))})

	render := func(ds spec.Diagnostics, p any) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%v %s %#v\n%s\n", d.Severity, d.Code, d.Range, d)
		}
		if p != nil {
			fmt.Fprintf(&b, "panic: %v\n", p)
		}
		return b.String()
	}
	run := func(f *spec.File, minSteps int) (unsorted, sorted string) {
		defer check.SetParallelMinSteps(check.SetParallelMinSteps(minSteps))
		ds, p := check.RunUnsorted(f)
		return render(ds, p), render(check.Check(f), nil)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in.name), ".toml")
		f, _ := grammar.Parse(name, in.src, grammar.Detect(in.name))
		seqU, seqS := run(f, 1<<30)
		concU, concS := run(f, 0)
		if seqU != concU {
			t.Errorf("%s: concurrent findings differ from sequential ones (unsorted):\n--- sequential\n%s\n--- concurrent\n%s", in.name, seqU, concU)
		}
		if seqS != concS {
			t.Errorf("%s: Check's findings differ concurrently:\n--- sequential\n%s\n--- concurrent\n%s", in.name, seqS, concS)
		}
	}
}

// genMixed is a random file of nStages stages of nSteps steps each that
// mixes much of what the checker reports: undefined and repeated mounts,
// secrets in caches (some suppressed), env conflicts, credential files,
// credential-looking values, stage cycles, relative workdirs, ssh hosts.
func genMixed(seed int64, nStages, nSteps int) string {
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	b.WriteString("arg BASE = \"busybox:1.36\"\narg API_TOKEN = \"abc\"\narg UNUSED = \"x\"\narg SELF = \"${SELF}\"\n")
	b.WriteString("secret netrc {\n  target = \"/root/.netrc\"\n}\nsecret tok {\n  env = \"TOKEN\"\n}\nsecret tok2 {\n  env = \"TOKEN\"\n}\nsecret unusedsec {\n  target = \"/x\"\n}\n")
	b.WriteString("cache c {\n  target = \"/cache\"\n}\ncache d {\n  target = \"/cache\"\n  id = \"dd-${BASE}\"\n}\ncache ro {\n  target = \"/ro\"\n  readonly = true\n}\ncache seeded {\n  target = \"/seed\"\n  from = s0\n}\ncache unusedc {\n  target = \"/u\"\n}\n")
	b.WriteString("ssh default {\n}\n")
	if seed%2 == 0 {
		// Marked used by checkSSHHosts (a git source over ssh).
		b.WriteString("ssh pinned {\n  target = \"/run/p.sock\"\n  known_hosts = [\"example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\"]\n}\n")
	}
	for s := 0; s < nStages; s++ {
		kind := "stage"
		if s%3 == 0 {
			kind = "image"
		}
		from := "\"${BASE}\""
		switch r.Intn(5) {
		case 0:
			from = fmt.Sprintf("s%d", r.Intn(nStages))
		case 1:
			from = "scratch"
		}
		fmt.Fprintf(&b, "%s s%d from %s {\n", kind, s, from)
		for i := 0; i < nSteps; i++ {
			switch r.Intn(10) {
			case 0, 1, 2:
				fmt.Fprintf(&b, "  run \"echo %d >> /log && git clone git@github.com:a/b API_KEY=%s\" {\n", i, []string{"x", "AKIAIOSFODNN7EXAMPLE", "q8Zr3Kp0vW9xYt2LmN5bC7dF"}[r.Intn(3)])
				for _, m := range []string{"secret netrc", "secret tok", "secret tok2", "secret nope", "cache c", "cache d", "cache ro", "cache seeded", "cache nope", "ssh default", "cache c"} {
					if r.Intn(3) == 0 {
						fmt.Fprintf(&b, "    %s\n", m)
					}
				}
				if r.Intn(4) == 0 {
					fmt.Fprintf(&b, "    bind \"%s\" from s%d to \"/mnt\"\n", []string{"/opt", ".netrc", "x"}[r.Intn(3)], r.Intn(nStages))
				}
				if r.Intn(4) == 0 {
					b.WriteString("    env TOKEN = \"1\"\n")
				}
				if r.Intn(8) == 0 {
					b.WriteString("    # securefile:ignore secret-in-cache reviewed\n")
				}
				b.WriteString("  }\n")
			case 3:
				fmt.Fprintf(&b, "  copy \"%s\" to \"/dst/%d\"\n", []string{"src", ".netrc", "id_rsa", "${UNDEF}"}[r.Intn(4)], i)
			case 4:
				fmt.Fprintf(&b, "  copy \"/a\" from s%d to \"/b%d\"\n", r.Intn(nStages), i)
			case 5:
				fmt.Fprintf(&b, "  env %s = \"%s\"\n", []string{"V", "PASSWORD", "GITHUB_TOKEN", "9bad"}[r.Intn(4)], []string{"1", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "${API_TOKEN}"}[r.Intn(3)])
			case 6:
				fmt.Fprintf(&b, "  workdir \"%s\"\n", []string{"/w", "rel", "${HOME}/x"}[r.Intn(3)])
			case 7:
				b.WriteString("  user \"1000:1000\"\n")
			case 8:
				fmt.Fprintf(&b, "  add git \"git@example.com:x/y.git\" to \"/g%d\"\n", i)
			default:
				fmt.Fprintf(&b, "  run \"echo $UNDEF_%d ${API_TOKEN}\"\n", r.Intn(3))
			}
		}
		b.WriteString("}\n")
	}
	return b.String()
}
