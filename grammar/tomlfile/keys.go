package tomlfile

import "github.com/ourorg/securefile/spec"

// The keys the spec tables do not list, because only TOML writes them as
// keys (the top-level tables, a stage's from/default/steps, the step verbs,
// the inner keys of sources). Together with the spec tables they drive the
// decoder, the formatter and the schema alike.

var (
	fileKeys = concat(spec.FileKeys, []spec.Key{
		{Name: "args", Type: spec.TStringMap, Doc: `build arguments and their defaults: NAME = "default"; override with --build-arg`},
		{Name: "secret", Doc: "secrets the client provides, one [secret.NAME] table each"},
		{Name: "ssh", Doc: "ssh agents the client forwards, one [ssh.NAME] table each"},
		{Name: "cache", Doc: "persistent cache mounts, one [cache.NAME] table each"},
		{Name: "stage", Doc: "intermediate stages, one [stage.NAME] table each"},
		{Name: "image", Doc: "images meant to be exported, one [image.NAME] table each"},
	})

	// declNouns name what each table of declarations holds, for messages.
	declNouns = map[string]string{
		"secret": "secrets",
		"ssh":    "ssh agents",
		"cache":  "caches",
		"stage":  "stages",
		"image":  "images",
	}

	defaultKey = spec.Key{Name: "default", Type: spec.TBool, Doc: "build this image when no --target is given"}
	fromKey    = spec.Key{Name: "from", Type: spec.TSource, Required: true,
		Doc: `the base: an image reference, "scratch", { stage = "NAME" } or { context = "NAME" }`}
	stepsKey = spec.Key{Name: "steps", Doc: "the steps in order, one [[stage.NAME.steps]] table each"}

	// stageKeys is every key of a [stage.NAME] or [image.NAME] table, in
	// canonical order.
	stageKeys = concat([]spec.Key{defaultKey, fromKey}, spec.StageKeys, []spec.Key{stepsKey})

	// sourceKeys are the keys of a source written as a table.
	sourceKeys = []spec.Key{
		{Name: "stage", Type: spec.TString, Doc: "a stage of this file, by name"},
		{Name: "context", Type: spec.TString, Doc: "a named context the client gives (--build-context NAME=…)"},
	}

	// gitKeys are the keys of add's git source.
	gitKeys = []spec.Key{{Name: "git", Type: spec.TString, Required: true, Doc: "URL of the git repository"}}
)

func concat(lists ...[]spec.Key) []spec.Key {
	var out []spec.Key
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// verbKey is the key that makes a step what it is, with the type of its
// value; ok is false for a name that is not a verb.
func verbKey(verb string) (k spec.Key, ok bool) {
	kind, ok := spec.KindByVerb(verb)
	if !ok {
		return spec.Key{}, false
	}
	return kind.VerbKey(), true
}

// stepKeys is every key of a step with the given verb: the verb first,
// then its options. The slice is shared: do not modify it.
func stepKeys(verb string) []spec.Key { return stepKeyTables[verb] }

var stepKeyTables = func() map[string][]spec.Key {
	out := map[string][]spec.Key{}
	for _, k := range spec.StepKinds {
		out[k.Verb] = concat([]spec.Key{k.VerbKey()}, k.Keys)
	}
	return out
}()

// anyStepKeys is every key some step takes, for steps without a verb.
func anyStepKeys() []spec.Key {
	var out []spec.Key
	seen := map[string]bool{}
	for _, v := range spec.StepVerbs {
		for _, k := range stepKeys(v) {
			if !seen[k.Name] {
				seen[k.Name] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// fieldsOf looks fields up by key name in a binding (see spec.Field).
func fieldsOf(fs []spec.Field) func(string) any {
	return func(k string) any { return spec.FieldPtr(fs, k) }
}

// Decoding and formatting both go through the bindings of package spec,
// in key-table order, so a key cannot be read but not written or the other
// way round. Each target's Go type decides how the value is read and
// printed. Only the keys TOML alone writes are bound here.

// stageFields binds stageKeys: TOML writes a stage's default and base as
// keys too.
func stageFields(s *spec.Stage) []spec.Field {
	return append([]spec.Field{{Key: defaultKey, Ptr: &s.Default}, {Key: fromKey, Ptr: &s.From}}, spec.StageFields(s)...)
}

// stepField is the field of a step's key: the verb's (the kind's main
// field), or one of its options, bound in fs (spec.StepFields). A big file
// has thousands of steps, so callers bind the options once per step, not
// once per key.
func stepField(kind *spec.StepKind, st spec.Step, fs []spec.Field, key string) any {
	if key == kind.Verb {
		return kind.MainField(st)
	}
	return spec.FieldPtr(fs, key)
}
