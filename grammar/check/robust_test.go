package check

import (
	"math/rand"
	"reflect"
	"strconv"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestNilsAndZeros: Check never panics on zero values, nil pointers in
// slices, typed nil steps or a nil healthcheck, and reports "no stages"
// only when there is no stage at all.
func TestNilsAndZeros(t *testing.T) {
	files := []*spec.File{
		{},
		{Args: []*spec.Arg{nil, {}}, Secrets: []*spec.Secret{nil, {}}, SSH: []*spec.SSH{nil, {}}, Caches: []*spec.Cache{nil, {}}, Stages: []*spec.Stage{nil}},
		{Stages: []*spec.Stage{{}, nil, {Kind: spec.KindImage}}},
		{Stages: []*spec.Stage{{
			Steps: []spec.Step{nil, (*spec.Run)(nil), (*spec.Copy)(nil), (*spec.Add)(nil), (*spec.Workdir)(nil), (*spec.Env)(nil), (*spec.User)(nil),
				&spec.Run{}, &spec.Copy{}, &spec.Add{}, &spec.Add{Kind: spec.AddGit}, &spec.Add{Kind: 7}, &spec.Workdir{}, &spec.Env{Vars: []*spec.KeyValue{nil, {}}}, &spec.User{},
				&spec.Run{Binds: []*spec.Bind{nil, {}}, Tmpfs: []*spec.Tmpfs{nil, {}}, Env: []*spec.KeyValue{nil}, Secrets: []spec.Value[string]{{}}}},
			Config: spec.ImageConfig{Labels: []*spec.KeyValue{nil, {}}, Healthcheck: &spec.Healthcheck{}},
			From:   spec.Source{Set: true, Kind: 42},
		}}},
	}
	for i, f := range files {
		diags := Check(f)
		for _, d := range diags {
			if d.Code == "internal-error" {
				t.Errorf("file %d: %s", i, d)
			}
		}
		noStages := false
		for _, d := range diags {
			noStages = noStages || d.Code == "no-stages"
		}
		if want := i < 2; noStages != want {
			t.Errorf("file %d: no-stages reported: %v, want %v", i, noStages, want)
		}
	}
}

var pool = []string{
	"", " ", "a", "b", "app", "build", "A", "B", "netrc", "gomod", "github", "default", "scratch", "context",
	"${A}", "${B:-x}", "${netrc}", "${gomod}", "${TARGETARCH}", "${", "${A:?x}", "$HOME", "$A", "$${A}", "é${A}",
	"/x", "/", "x", "..", "../x", "/run/secrets/a", "linux/amd64", "linux/amd65", "linux//x", "alpine:3.20", "Alpine",
	"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "sha256:x", "0755", "0800", "0o7",
	"https://x.org/f", "https://u:p@x.org/f", "git@github.com:o/r.git", "ftp://x", "80/tcp", "70000", "30s", "-1s",
	"SIGTERM", "SIGX", "1000:1000", "a:b:c", "64m", "64x", "[", "TOKEN", "GH-TOKEN", "shared", "none", "insecure",
	"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "@revoked", "ssh-rsa x",
}

var (
	rangeType = reflect.TypeOf(spec.Range{})
	stepType  = reflect.TypeOf((*spec.Step)(nil)).Elem()
)

// randomFile builds an arbitrary model: random strings from pool, small
// and negative numbers, out-of-range enums, nil pointers, typed nil steps,
// zero and non-zero ranges.
func randomFile(r *rand.Rand) *spec.File {
	f := &spec.File{}
	fill(r, reflect.ValueOf(f).Elem(), 0)
	return f
}

func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch {
	case v.Type() == rangeType:
		if r.Intn(4) > 0 {
			line, col := int32(1+r.Intn(50)), int32(1+r.Intn(40))
			v.Set(reflect.ValueOf(spec.Range{Filename: "f", Start: spec.Pos{Line: line, Column: col, Byte: line*100 + col}, End: spec.Pos{Line: line, Column: col + int32(r.Intn(20)), Byte: line*100 + col + int32(r.Intn(20))}}))
		}
		return
	case v.Type() == stepType:
		steps := []spec.Step{nil, (*spec.Run)(nil), &spec.Run{}, &spec.Run{}, &spec.Copy{}, &spec.Copy{}, &spec.Add{}, &spec.Workdir{}, &spec.Env{}, &spec.User{}}
		st := steps[r.Intn(len(steps))]
		if st != nil && !reflect.ValueOf(st).IsNil() {
			fill(r, reflect.ValueOf(st).Elem(), depth+1)
		}
		if st != nil {
			v.Set(reflect.ValueOf(st))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(pool[r.Intn(len(pool))])
	case reflect.Int:
		v.SetInt(int64(r.Intn(8) - 2))
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 0)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth)
			}
		}
	case reflect.Slice:
		n := r.Intn(4)
		if depth > 2 {
			n = r.Intn(2)
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			fill(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Pointer:
		if r.Intn(6) == 0 || depth > 4 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	}
}

func checkInvariants(t *testing.T, f *spec.File) {
	t.Helper()
	diags := Check(f)
	for i, d := range diags {
		if d.Code == "internal-error" {
			t.Fatalf("%s\nmodel:\n%s", d, spec.Dump(f))
		}
		if d.Code == "" || d.Summary == "" || d.Detail == "" {
			t.Fatalf("incomplete diagnostic %+v", d)
		}
		if !f.Range.IsZero() && d.Range.IsZero() {
			t.Fatalf("diagnostic without a range although the file has one: %s\nmodel:\n%s", d, spec.Dump(f))
		}
		if i > 0 && lessDiag(d, diags[i-1]) {
			t.Fatalf("not sorted: %s after %s", d.Line(), diags[i-1].Line())
		}
	}
}

func lessDiag(a, b *spec.Diagnostic) bool {
	x, y := a.Range, b.Range
	if x.Filename != y.Filename {
		return x.Filename < y.Filename
	}
	if x.Start.Line != y.Start.Line {
		return x.Start.Line < y.Start.Line
	}
	return x.Start.Column < y.Start.Column
}

func TestRandomModels(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		checkInvariants(t, randomFile(r))
	}
}

// FuzzCheck runs Check on random models seeded by the fuzzer.
func FuzzCheck(f *testing.F) {
	for _, seed := range []int64{0, 1, 2, 42} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed int64) {
		file := randomFile(rand.New(rand.NewSource(seed)))
		checkInvariants(t, file)
		// Random models stay under parallelMinSteps: compare the two-goroutine
		// passes with the sequential ones on each (concurrent_test.go).
		sameBothWays(t, "seed "+strconv.FormatInt(seed, 10), file, nil)
	})
}
