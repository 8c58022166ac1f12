package lower

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"

	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/spec"
)

// TestEveryKeyHasAnEffect lowers, for every key of every construct that
// reaches lowering and for the value of every step verb, a small file
// several times with the key set to different valid values, and requires
// each value to lower differently: a key that the decoders, formatters and
// schema know (they are all derived from the key tables) but that the
// lowering forgets would otherwise be parsed and silently ignored with
// every other test green.
//
// It iterates the bindings of spec/bindings.go, which bind exactly the keys
// of the key tables, and spec.StepVerbs, so a key or step kind added later
// is covered without editing this test — and fails it until it is lowered
// (or until a sample value is added here, where a generic one would be
// invalid).
//
// "Lowers differently" means the LLB definitions (ops, and metadata other
// than progress names) or the image config (without history) differ.
// Progress names and history only describe a step as written: a key that
// changed nothing else would change nothing that runs or is exported.
func TestEveryKeyHasAnEffect(t *testing.T) {
	known := map[string]bool{}
	for _, c := range keyConstructs() {
		t.Run(c.name, func(t *testing.T) {
			f := load(t, c.base)
			fields := c.fields(t, f)
			if c.keys != nil && !slices.Equal(fieldNames(fields), spec.Names(c.keys)) {
				t.Fatalf("the binding of %s lists %q, its key table %q", c.name, fieldNames(fields), spec.Names(c.keys))
			}
			for _, fd := range fields {
				id := c.name + "." + fd.Key.Name
				known[id] = true
				t.Run(fd.Key.Name, func(t *testing.T) { testKeyEffect(t, c, fd, id) })
			}
		})
	}
	t.Run("verbs", func(t *testing.T) {
		for _, verb := range spec.StepVerbs {
			id := "verb." + verb
			known[id] = true
			t.Run(verb, func(t *testing.T) {
				vc, ok := verbEntry(verb)
				if !ok {
					t.Fatalf("step verb %q has no entry in verbValues (keyeffect_test.go): add its base step, its own value and two values that must lower differently", verb)
				}
				c := keyConstruct{name: id, base: stepFile(vc.base), fields: func(t *testing.T, f *spec.File) []spec.Field {
					st := onlyStep(t, f, verb)
					return []spec.Field{{Key: spec.Key{Name: verb}, Ptr: vc.value(st)}}
				}}
				testVariants(t, c, keySample{variants: vc.variants}, "", id)
			})
		}
	})
	for id := range maps.Keys(keySamples) {
		if !known[id] {
			t.Errorf("keySamples has %q, which is no key of a construct: remove it", id)
		}
	}
	for id := range maps.Keys(noEffect) {
		if !known[id] {
			t.Errorf("noEffect has %q, which is no key of a construct: remove it", id)
		}
	}
}

// noEffect are the keys that legitimately do not change what Lower
// returns, each with the reason. The test checks that they indeed have no
// effect, so that an entry cannot outlive its reason.
var noEffect = map[string]string{
	// Lower builds one platform (Options.TargetPlatform); the frontend
	// (frontend/options.go) reads the file's platforms to decide which
	// platforms it lowers for, when the client names none.
	"file.platforms": "the frontend chooses the platforms to lower for from it; Lower lowers one",
	// Only a base image with ONBUILD triggers tells building with it from
	// without it (an error): TestOnbuildTriggers.
	"stage.ignore_onbuild": "changes the lowering only on a base image with ONBUILD triggers, where it is the difference between a refusal and a build (TestOnbuildTriggers)",
}

// keep leaves the field as the base file has it (unset, unless the key is
// required).
var keep = struct{ keep bool }{true}

// keySample is what one key is set to, where the generic values of its
// type would be invalid or would not reach the key's effect.
type keySample struct {
	// base replaces the construct's base file for this key, for a key
	// that only means something in another form of the construct.
	base string
	// variants are the values that must lower pairwise differently.
	variants []any
	// also are further base files, each using the construct in another
	// form that the lowering handles apart, in which the variants must
	// lower differently too.
	also []string
	// refused, when set, says why the checker refuses some variants:
	// for an opt-out, the file without it is what the checker refuses,
	// and the lowering must still not do by itself what only the
	// opt-out allows.
	refused string
}

var (
	hostKey   = "example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	sum1      = "sha256:" + strings.Repeat("1", 64)
	sum2      = "sha256:" + strings.Repeat("2", 64)
	commitSum = strings.Repeat("0123456789", 4)
	imageSrc  = spec.Source{Set: true, Kind: spec.SourceImage, Name: spec.Of("example.com/sample:1")}
	stageSrc  = spec.Source{Set: true, Kind: spec.SourceStage, Name: spec.Of("other")}
)

const gitAdd = `add git "https://example.com/repo.git" to "/repo"`

var (
	envSecret       = declFile(`secret s { env = "TOKEN" }`, `run "x" { secret s }`)
	parentsCopyFile = stepFile(`copy "a/one.txt" to "/dst/" { parents = true }`)
)

// keySamples, by construct.key. The generic values by field type are in
// genericVariants.
var keySamples = map[string]keySample{
	"file.platforms": {variants: []any{keep, []string{"linux/amd64"}}},

	"secret.id":     {variants: []any{keep, "sample-id"}, also: []string{envSecret}},
	"secret.target": {variants: []any{keep, "/run/sample"}},
	"secret.env":    {variants: []any{keep, "SAMPLE_ENV"}},
	"secret.mode":   {variants: []any{keep, "0440"}},
	// A secret delivered as an environment variable is mounted apart.
	"secret.required": {variants: []any{false, true}, also: []string{envSecret}},

	"ssh.id":          {variants: []any{keep, "sample-id"}},
	"ssh.target":      {variants: []any{keep, "/run/sample.sock"}},
	"ssh.mode":        {variants: []any{keep, "0660"}},
	"ssh.known_hosts": {variants: []any{keep, []string{hostKey}}},

	"cache.target": {variants: []any{keep, "/other-cache"}},
	"cache.id":     {variants: []any{keep, "sample-id"}},
	"cache.mode":   {variants: []any{keep, "0700"}},
	"cache.from":   {variants: []any{keep, imageSrc, stageSrc}},

	"stage.platform":    {variants: []any{keep, "linux/amd64"}},
	"stage.expose":      {variants: []any{keep, []string{"8080"}}},
	"stage.volumes":     {variants: []any{keep, []string{"/data"}}},
	"stage.stop_signal": {variants: []any{keep, "SIGTERM"}},
	"stage.shell":       {variants: []any{keep, []string{"/bin/bash", "-c"}, []string{"/bin/sh", "-ec"}}},

	// none cannot be combined with the other settings.
	"healthcheck.none":           {base: stepFile("healthcheck = { none = true }\n  run \"x\""), variants: []any{false, true}},
	"healthcheck.interval":       {variants: []any{keep, "30s"}},
	"healthcheck.timeout":        {variants: []any{keep, "5s"}},
	"healthcheck.start_period":   {variants: []any{keep, "10s"}},
	"healthcheck.start_interval": {variants: []any{keep, "2s"}},

	"run.secrets": {variants: []any{keep, []string{"s"}}},
	"run.ssh":     {variants: []any{keep, []string{"a"}}},
	"run.caches":  {variants: []any{keep, []string{"c"}}},
	"run.devices": {variants: []any{keep, []string{"vendor.com/gpu=all"}, []string{"vendor.com/gpu=0"}}},

	"bind.source": {variants: []any{keep, "other"}},
	"bind.from":   {variants: []any{keep, imageSrc, stageSrc}},
	"bind.target": {variants: []any{keep, "/mnt/other"}},

	"tmpfs.target": {variants: []any{keep, "/tmp/other"}},
	"tmpfs.size":   {variants: []any{keep, "64m"}},

	"copy.from":  {variants: []any{keep, imageSrc, stageSrc}},
	"copy.to":    {variants: []any{keep, "/other/"}},
	"copy.chown": {variants: []any{keep, "1000:1000"}},
	"copy.chmod": {variants: []any{keep, "0755", "u+x"}},
	// A copy that keeps parent directories moves the patterns below
	// the source (parentsCopy).
	"copy.include": {variants: []any{keep, []string{"*.go"}}, also: []string{parentsCopyFile}},
	"copy.exclude": {variants: []any{keep, []string{"*.md"}}, also: []string{parentsCopyFile}},
	// The opt-out re-admits to the context the credential files a copy
	// names; for any other file it has nothing to re-admit.
	"copy.allow-credentials": {
		base: stepFile(`copy ".netrc" to "/root/" { allow-credentials = true }`), variants: []any{false, true},
		refused: "a copy of .netrc without allow-credentials is a checker error",
	},

	"add.to":       {variants: []any{keep, "/other"}},
	"add.checksum": {variants: []any{keep, sum2}},
	"add.ref":      {base: stepFile(gitAdd), variants: []any{keep, "v1.0.0"}},
	"add.commit":   {base: stepFile(gitAdd), variants: []any{keep, commitSum}},
	// keep_git_dir is for git sources only.
	"add.keep_git_dir": {base: stepFile(gitAdd), variants: []any{false, true}},
	"add.chown":        {variants: []any{keep, "1000:1000"}, also: []string{stepFile(gitAdd)}},
	"add.chmod":        {variants: []any{keep, "0600", "go-w"}, also: []string{stepFile(gitAdd)}},
	"add.subdir":       {base: stepFile(gitAdd), variants: []any{keep, "docs"}},
	"add.exclude":      {base: stepFile(gitAdd), variants: []any{keep, []string{"*.md"}}},

	"file.content": {variants: []any{keep, "two"}},
	// A template's "$${" is "${" once expanded; a raw content keeps it.
	"file.raw":   {base: stepFile(`file "/etc/one" { content = "$${X}" }`), variants: []any{false, true}},
	"file.chmod": {variants: []any{keep, "0755", "u+x"}},
	"file.chown": {variants: []any{keep, "1000:1000", ":1000", "1000:"}},
	// The step's files: another file, or two files in one layer.
	"file.files": {base: stepFile(`file "/etc/d/" { file "a" { content = "one" } }`), variants: []any{keep,
		[]*spec.InlineFile{{Path: spec.Of("b"), Content: spec.Of("one")}},
		[]*spec.InlineFile{{Path: spec.Of("a"), Content: spec.Of("one")}, {Path: spec.Of("sub/c"), Content: spec.Of("two")}}}},
	"inline file.path":    {variants: []any{keep, "b", "sub/b"}},
	"inline file.content": {variants: []any{keep, "two"}},
	"inline file.raw":     {base: stepFile(`file "/etc/d/" { file "a" { content = "$${X}" } }`), variants: []any{false, true}},
	"inline file.chmod":   {variants: []any{keep, "0755", "u+x"}},
	"inline file.chown":   {variants: []any{keep, "1000:1000", ":1000", "1000:"}},
}

// verbValues are, for each step verb, a step of that kind, its own value
// (what the verb takes besides its keys) and values of it that must lower
// pairwise differently. The step's keys are tested through StepFields.
// verbEntry is verbValues[verb], or, for a kind whose own value is one
// path (spec.MainString), a step of two paths: a new simple kind needs no
// entry.
func verbEntry(verb string) (verbValue, bool) {
	if vc, ok := verbValues[verb]; ok {
		return vc, true
	}
	k, ok := spec.KindByVerb(verb)
	if !ok || k.Main != spec.MainString {
		return verbValue{}, false
	}
	return verbValue{verb + ` "/sample/one"`, k.MainField, []any{keep, "/sample/two"}}, true
}

type verbValue struct {
	base     string
	value    func(spec.Step) any
	variants []any
}

var verbValues = map[string]verbValue{
	"run":     {`run "echo one"`, func(s spec.Step) any { return &s.(*spec.Run).Command }, []any{keep, "echo two", []string{"/bin/two"}}},
	"copy":    {`copy "a/one.txt" to "/dst/"`, func(s spec.Step) any { return &s.(*spec.Copy).Sources }, []any{keep, []string{"a/two.txt"}}},
	"add":     {httpAdd, func(s spec.Step) any { return &s.(*spec.Add).URL }, []any{keep, "https://example.com/two.tar.gz"}},
	"workdir": {`workdir "/one"`, func(s spec.Step) any { return &s.(*spec.Workdir).Path }, []any{keep, "/two"}},
	"env":     {`env A = "1"`, func(s spec.Step) any { return &s.(*spec.Env).Vars }, []any{keep, [][2]string{{"A", "2"}}, [][2]string{{"B", "1"}}}},
	"user":    {`user "one"`, func(s spec.Step) any { return &s.(*spec.User).User }, []any{keep, "two"}},
	"file":    {`file "/etc/one" { content = "one" }`, func(s spec.Step) any { return &s.(*spec.Inline).Dest }, []any{keep, "/etc/two", "relative"}},
}

var httpAdd = `add "https://example.com/one.tar.gz" to "/opt/" { checksum = "` + sum1 + `" }`

// decls are declarations every base file has, so that a run step can name
// them, and a stage that copies, binds and seeds can use; the secret s is
// declared apart.
const decls = `
ssh a
cache c { target = "/cache" }
stage other from scratch {
  workdir "/other"
}
`

// stepFile is a file whose target's only step is step (with the stage's
// settings before it, if any). The target is
// based on an image, not on scratch: on an empty filesystem some options
// rightly change nothing (a linked copy onto scratch is the copy itself).
func stepFile(step string) string { return declFile("secret s", step) }

// declFile is stepFile with secret as the declaration of the secret s.
func declFile(secret, step string) string {
	return secret + "\n" + decls + "image t from \"example.com/base:1\" {\n  " + step + "\n}\n"
}

// keyConstruct is a construct whose keys are tested: a base file that
// uses it once and the binding of that use.
type keyConstruct struct {
	name   string
	keys   []spec.Key // the key table; nil for steps, whose binding is StepFields
	base   string
	fields func(t *testing.T, f *spec.File) []spec.Field
}

func keyConstructs() []keyConstruct {
	target := func(t *testing.T, f *spec.File) *spec.Stage {
		t.Helper()
		s := f.Stage("t")
		if s == nil {
			t.Fatal("the base file has no stage t")
		}
		return s
	}
	run := func(t *testing.T, f *spec.File) *spec.Run {
		t.Helper()
		return onlyStep(t, f, "run").(*spec.Run)
	}
	cs := []keyConstruct{
		{"file", spec.FileKeys, stepFile(`run "x"`), func(_ *testing.T, f *spec.File) []spec.Field { return spec.FileFields(f) }},
		{"secret", spec.SecretKeys, stepFile(`run "x" { secret s }`), func(_ *testing.T, f *spec.File) []spec.Field { return spec.SecretFields(f.Secret("s")) }},
		{"ssh", spec.SSHKeys, stepFile(`run "x" { ssh a }`), func(_ *testing.T, f *spec.File) []spec.Field {
			d, _ := f.SSHByName("a")
			return spec.SSHFields(d)
		}},
		{"cache", spec.CacheKeys, stepFile(`run "x" { cache c }`), func(_ *testing.T, f *spec.File) []spec.Field { return spec.CacheFields(f.Cache("c")) }},
		{"stage", spec.StageKeys, stepFile(`run "x"`), func(t *testing.T, f *spec.File) []spec.Field { return spec.StageFields(target(t, f)) }},
		{"healthcheck", spec.HealthcheckKeys, stepFile("healthcheck = { cmd = [\"/hc\"] }\n  run \"x\""), func(t *testing.T, f *spec.File) []spec.Field {
			return spec.HealthcheckFields(target(t, f).Config.Healthcheck)
		}},
		{"bind", spec.BindKeys, stepFile(`run "x" { bind "src" to "/mnt" }`), func(t *testing.T, f *spec.File) []spec.Field { return spec.BindFields(run(t, f).Binds[0]) }},
		{"tmpfs", spec.TmpfsKeys, stepFile(`run "x" { tmpfs "/tmp" }`), func(t *testing.T, f *spec.File) []spec.Field { return spec.TmpfsFields(run(t, f).Tmpfs[0]) }},
		{"inline file", spec.InlineFileKeys, stepFile(`file "/etc/d/" { file "a" { content = "one" } }`), func(t *testing.T, f *spec.File) []spec.Field {
			return spec.InlineFileFields(onlyStep(t, f, "file").(*spec.Inline).Files[0])
		}},
	}
	// Every step kind's keys, through the binding the decoders use.
	for _, verb := range spec.StepVerbs {
		vc, ok := verbEntry(verb)
		if !ok {
			continue // reported by the verbs subtest
		}
		cs = append(cs, keyConstruct{name: verb, base: stepFile(vc.base), fields: func(t *testing.T, f *spec.File) []spec.Field {
			return spec.StepFields(onlyStep(t, f, verb))
		}})
	}
	return cs
}

// onlyStep is the one step of stage t, which must be of kind verb.
func onlyStep(t *testing.T, f *spec.File, verb string) spec.Step {
	t.Helper()
	s := f.Stage("t")
	if s == nil || len(s.Steps) != 1 || s.Steps[0].Verb() != verb {
		t.Fatalf("the base file's stage t must have one %s step", verb)
	}
	return s.Steps[0]
}

func fieldNames(fs []spec.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key.Name
	}
	return out
}

func testKeyEffect(t *testing.T, c keyConstruct, fd spec.Field, id string) {
	sample, ok := keySamples[id]
	variants := sample.variants
	if !ok {
		variants = genericVariants(fd)
		if variants == nil {
			t.Fatalf("key %s (%T) has no sample value: add two or more values that must lower differently to keySamples in keyeffect_test.go", id, fd.Ptr)
		}
	}
	sample.variants = variants
	testVariants(t, c, sample, sample.base, id)
	for i, base := range sample.also {
		t.Run(fmt.Sprintf("form%d", i+2), func(t *testing.T) { testVariants(t, c, sample, base, id) })
	}
}

// genericVariants are values of a field's type that any key of that type
// must lower differently, or nil when there are none (a string or a list
// whose values must have a shape, a name that must be declared).
func genericVariants(fd spec.Field) []any {
	switch fd.Ptr.(type) {
	case *spec.Value[bool]:
		return []any{false, true}
	case *spec.Value[int]:
		return []any{0, 7}
	case *spec.Value[string]:
		if len(fd.Key.Enum) > 0 {
			out := make([]any, len(fd.Key.Enum))
			for i, e := range fd.Key.Enum {
				out[i] = e
			}
			return out
		}
		// A key with a format has values of that shape.
		switch fd.Key.Format {
		case spec.FormatMode:
			return []any{keep, "0700", "0750"}
		case spec.FormatAbsPath:
			return []any{keep, "/sample/one", "/sample/two"}
		case spec.FormatDuration:
			return []any{keep, "7s", "9s"}
		case spec.FormatSize:
			return []any{keep, "7m", "9m"}
		case spec.FormatEnvName:
			return []any{keep, "SAMPLE_ONE", "SAMPLE_TWO"}
		}
	case *[]*spec.KeyValue:
		return []any{keep, [][2]string{{"SAMPLE", "sample"}}}
	case *spec.Command:
		return []any{keep, "sample", []string{"/sample", "arg"}}
	case *spec.Source:
		return []any{keep, imageSrc}
	case **spec.Healthcheck:
		return []any{keep, &spec.Healthcheck{Test: spec.Command{Exec: spec.ListOf("/hc")}}}
	case *[]*spec.Bind:
		return []any{keep, []*spec.Bind{{Target: spec.Of("/mnt/sample")}}}
	case *[]*spec.Tmpfs:
		return []any{keep, []*spec.Tmpfs{{Target: spec.Of("/tmp/sample")}}}
	}
	return nil
}

// testVariants lowers the base file (c's, when base is "") with the key id
// set to each variant of sample and requires them all to lower
// differently, or, for a key of noEffect, all alike. Each variant must be
// a valid file: lowering takes checked files only.
func testVariants(t *testing.T, c keyConstruct, sample keySample, base, id string) {
	t.Helper()
	variants := sample.variants
	if base == "" {
		base = c.base
	}
	if len(variants) < 2 {
		t.Fatalf("key %s: want at least two values to compare, have %d", id, len(variants))
	}
	name := id[strings.LastIndex(id, ".")+1:]
	prints := make([]string, len(variants))
	for i, v := range variants {
		f := load(t, base)
		ptr := spec.FieldPtr(c.fields(t, f), name)
		if ptr == nil {
			t.Fatalf("key %s is not bound in the base file", id)
		}
		if err := setField(ptr, v); err != nil {
			t.Fatalf("key %s: %v", id, err)
		}
		if diags := check.Check(f); diags.HasErrors() && sample.refused == "" {
			t.Fatalf("key %s = %s is not a valid value here; give a valid one in keySamples:\n%s", id, show(v), diags.Errors())
		}
		prints[i] = loweredPrint(t, f, id, v)
	}
	if reason, ok := noEffect[id]; ok {
		for i := 1; i < len(prints); i++ {
			if prints[i] != prints[0] {
				t.Errorf("key %s is listed in noEffect (%s), but %s and %s lower differently: remove it from the list", id, reason, show(variants[0]), show(variants[i]))
			}
		}
		return
	}
	for i := range prints {
		for j := i + 1; j < len(prints); j++ {
			if prints[i] == prints[j] {
				t.Errorf("key %s has no effect in lowering: %s and %s give the same LLB definition and image config; lower it (internal/lower), or, if it is only for the checker, list it in noEffect with the reason", id, show(variants[i]), show(variants[j]))
			}
		}
	}
}

func show(v any) string {
	switch v := v.(type) {
	case struct{ keep bool }:
		return "the base file's value"
	case spec.Source:
		return v.Kind.String() + " " + v.Name.V
	case *spec.Healthcheck:
		return "a healthcheck"
	}
	return fmt.Sprintf("%#v", v)
}

// setField sets the field ptr points to, by its type; keep leaves it.
func setField(ptr, v any) error {
	if v == keep {
		return nil
	}
	bad := fmt.Errorf("cannot set a %T to %T %#v", ptr, v, v)
	switch p := ptr.(type) {
	case *spec.Value[string]:
		s, ok := v.(string)
		if !ok {
			return bad
		}
		*p = spec.Of(s)
	case *spec.Value[bool]:
		b, ok := v.(bool)
		if !ok {
			return bad
		}
		*p = spec.Of(b)
	case *spec.Value[int]:
		n, ok := v.(int)
		if !ok {
			return bad
		}
		*p = spec.Of(n)
	case *spec.List[string]:
		l, ok := v.([]string)
		if !ok {
			return bad
		}
		*p = spec.ListOf(l...)
	case *[]spec.Value[string]:
		l, ok := v.([]string)
		if !ok {
			return bad
		}
		*p = spec.ListOf(l...).Items
	case *[]*spec.KeyValue:
		kvs, ok := v.([][2]string)
		if !ok {
			return bad
		}
		*p = nil
		for _, kv := range kvs {
			*p = append(*p, &spec.KeyValue{Key: spec.Of(kv[0]), Value: spec.Of(kv[1])})
		}
	case *spec.Command:
		switch c := v.(type) {
		case string:
			*p = spec.Command{Shell: spec.Of(c)}
		case []string:
			*p = spec.Command{Exec: spec.ListOf(c...)}
		default:
			return bad
		}
	case *spec.Source:
		s, ok := v.(spec.Source)
		if !ok {
			return bad
		}
		*p = s
	case **spec.Healthcheck:
		h, ok := v.(*spec.Healthcheck)
		if !ok {
			return bad
		}
		*p = h
	case *[]*spec.Bind:
		b, ok := v.([]*spec.Bind)
		if !ok {
			return bad
		}
		*p = b
	case *[]*spec.Tmpfs:
		tm, ok := v.([]*spec.Tmpfs)
		if !ok {
			return bad
		}
		*p = tm
	case *[]*spec.InlineFile:
		fs, ok := v.([]*spec.InlineFile)
		if !ok {
			return bad
		}
		*p = fs
	default:
		// Fail closed: a field type this test cannot set is a key it
		// cannot test.
		return fmt.Errorf("a field of type %T: teach setField and genericVariants (keyeffect_test.go) to set it", ptr)
	}
	return nil
}

// keyEffectOpts can lower every construct: rotate = true needs the tool,
// a salt and a nonce.
func keyEffectOpts() Options {
	o := opts()
	tool := llb.Image("example.com/securefile-tool:test")
	o.ToolState = &tool
	o.ToolPath = "/bin/securefile-frontend"
	o.RotationSalt = []byte("salt")
	o.RotationNonce = "nonce"
	return o
}

// loweredPrint is what f lowers to, without progress names and history:
// the target's definition, the digest and ssh check steps the frontend
// solves first, and the image config.
func loweredPrint(t *testing.T, f *spec.File, id string, v any) string {
	t.Helper()
	res, err := Lower(context.Background(), f, keyEffectOpts())
	if err != nil {
		t.Fatalf("key %s = %s: Lower: %v", id, show(v), err)
	}
	var b strings.Builder
	def := func(what string, st llb.State) {
		d, err := st.Marshal(context.Background())
		if err != nil {
			t.Fatalf("key %s = %s: Marshal %s: %v", id, show(v), what, err)
		}
		b.WriteString(what + ":\n")
		for _, dt := range d.Def {
			fmt.Fprintf(&b, "op %x\n", dt)
		}
		for _, dg := range slices.Sorted(maps.Keys(d.Metadata)) {
			m := d.Metadata[dg]
			desc := maps.Clone(m.Description)
			delete(desc, "llb.customname")
			m.Description = desc
			js, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "meta %s %s\n", dg, js)
		}
	}
	def("target", res.State)
	for _, s := range res.Secrets {
		if s.Digest != nil {
			def("digest of "+s.ID, *s.Digest)
		}
	}
	for i, s := range res.SSH {
		if s.Check != nil {
			def(fmt.Sprintf("ssh check %d", i), *s.Check)
		}
	}
	img := *res.Image
	img.History = nil
	js, err := json.Marshal(img)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("image: ")
	b.Write(js)
	return b.String()
}
