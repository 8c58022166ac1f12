package check

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// A secret reaches a step only through a mount: no string of any step may
// interpolate one. TestSecretInEveryTemplateOfEveryStep puts "${netrc}",
// a declared secret, in every template string of a step of each kind and
// expects a secret-interpolation error at each.

// secretSample is a step of one kind whose own values (those the verb is
// written with, outside spec.StepFields) hold the strings put returns. Its
// StepFields are filled by the test.
type secretSample struct {
	name string
	step func(put func() spec.Value[string]) spec.Step
	// notApplicable are keys that do not apply to this sample's kind (the
	// git options of an http add); the checker reports them as such,
	// never interpolating them.
	notApplicable []string
}

// secretSamples has one entry per verb; a verb added to spec.StepVerbs
// without one fails the test.
var secretSamples = map[string][]secretSample{
	"run": {
		{name: "shell", step: func(put func() spec.Value[string]) spec.Step {
			return &spec.Run{Node: node(10, 3), Command: spec.Command{Shell: put()}}
		}},
		{name: "exec", step: func(put func() spec.Value[string]) spec.Step {
			return &spec.Run{Node: node(10, 3), Command: spec.Command{Exec: spec.List[string]{Set: true, Items: []spec.Value[string]{put(), put()}}}}
		}},
	},
	"copy": {{step: func(put func() spec.Value[string]) spec.Step {
		return &spec.Copy{Node: node(10, 3), Sources: spec.List[string]{Set: true, Items: []spec.Value[string]{put(), put()}}}
	}}},
	"add": {
		{name: "http", step: func(put func() spec.Value[string]) spec.Step {
			return &spec.Add{Node: node(10, 3), Kind: spec.AddHTTP, URL: put()}
		}, notApplicable: []string{"ref", "commit", "subdir", "exclude"}},
		{name: "git", step: func(put func() spec.Value[string]) spec.Step {
			return &spec.Add{Node: node(10, 3), Kind: spec.AddGit, URL: put()}
		}, notApplicable: []string{"checksum"}},
	},
	// Raw is unset: the content is a template. A raw one is text (see
	// TestInlineRawContentIsText).
	"file": {{step: func(put func() spec.Value[string]) spec.Step {
		return &spec.Inline{Node: node(10, 3), Dest: put()}
	}}},
	"workdir": {{step: func(put func() spec.Value[string]) spec.Step {
		return &spec.Workdir{Node: node(10, 3), Path: put()}
	}}},
	"env": {{step: func(put func() spec.Value[string]) spec.Step {
		return &spec.Env{Node: node(10, 3), Vars: []*spec.KeyValue{{Node: node(10, 7), Key: word(10, 7, "A"), Value: put()}, {Node: node(10, 7), Key: word(10, 7, "B"), Value: put()}}}
	}}},
	"user": {{step: func(put func() spec.Value[string]) spec.Step {
		return &spec.User{Node: node(10, 3), User: put()}
	}}},
}

// templates puts a template string in every templated field of fs (and
// of the binds and tmpfs mounts they hold), and returns the keys it put
// in, each with the line of its string. Enum keys (network, security)
// take literal values, and name lists (secrets, ssh, caches) name
// declarations: neither is a template. A field of a type the test does
// not know fails it, so that a new kind of field is looked at.
func templates(t *testing.T, fs []spec.Field, put func() spec.Value[string], prefix string) map[int32]string {
	at := map[int32]string{}
	one := func(key string) spec.Value[string] {
		v := put()
		at[v.Range.Start.Line] = prefix + key
		return v
	}
	for _, f := range fs {
		key := f.Key.Name
		switch p := f.Ptr.(type) {
		case *spec.Value[string]:
			if len(f.Key.Enum) == 0 {
				*p = one(key)
			}
		case *spec.List[string]:
			*p = spec.List[string]{Set: true, Items: []spec.Value[string]{one(key), one(key)}}
		case *[]*spec.KeyValue:
			*p = []*spec.KeyValue{{Key: word(1, 1, "X"), Value: one(key)}}
		case *spec.Command:
			*p = spec.Command{Shell: one(key)}
		case *spec.Source:
			*p = spec.Source{Set: true, Kind: spec.SourceImage, Name: one(key)}
		case *[]*spec.Bind:
			b := &spec.Bind{}
			for l, k := range templates(t, spec.BindFields(b), put, key+".") {
				at[l] = k
			}
			*p = []*spec.Bind{b}
		case *[]*spec.Tmpfs:
			tm := &spec.Tmpfs{}
			for l, k := range templates(t, spec.TmpfsFields(tm), put, key+".") {
				at[l] = k
			}
			*p = []*spec.Tmpfs{tm}
		case *[]*spec.InlineFile:
			x := &spec.InlineFile{}
			for l, k := range templates(t, spec.InlineFileFields(x), put, key+".") {
				at[l] = k
			}
			*p = []*spec.InlineFile{x}
		case *[]spec.Value[string], *spec.Value[bool], *spec.Value[int]:
		default:
			t.Fatalf("key %s%s is bound to a %T: say whether its strings are templates", prefix, key, f.Ptr)
		}
	}
	return at
}

func TestSecretInEveryTemplateOfEveryStep(t *testing.T) {
	for v := range secretSamples {
		if !slices.Contains(spec.StepVerbs, v) {
			t.Errorf("sample for %q, which is not a step verb", v)
		}
	}
	for _, verb := range spec.StepVerbs {
		samples := secretSamples[verb]
		if k, ok := spec.KindByVerb(verb); ok && len(samples) == 0 && k.Main == spec.MainString && k.MainTemplate {
			// A kind whose own value is one template string needs no
			// sample: put the secret there.
			samples = []secretSample{{step: func(put func() spec.Value[string]) spec.Step {
				st := k.New()
				*st.NodeInfo() = node(10, 3)
				*k.MainField(st).(*spec.Value[string]) = put()
				return st
			}}}
		}
		if len(samples) == 0 {
			t.Errorf("no sample of a %q step: add one to secretSamples, with a template string in each of its own values", verb)
			continue
		}
		for _, sm := range samples {
			t.Run(verb+" "+sm.name, func(t *testing.T) {
				line := int32(100)
				at := map[int32]string{}
				put := func() spec.Value[string] {
					line++
					return str(int(line), 10, "${netrc}")
				}
				st := sm.step(func() spec.Value[string] {
					v := put()
					at[v.Range.Start.Line] = "the " + verb + " value"
					return v
				})
				if st.Verb() != verb {
					t.Fatalf("the sample of %q is a %q step", verb, st.Verb())
				}
				for l, k := range templates(t, spec.StepFields(st), put, "") {
					at[l] = k
				}
				f := &spec.File{
					Secrets: []*spec.Secret{secret(1, "netrc")},
					Stages:  []*spec.Stage{defaultImage(2, "app", imageSrc(2, 20, "alpine:3.20"), st)},
				}
				found := map[int32][]string{}
				for _, d := range Check(f) {
					found[d.Range.Start.Line] = append(found[d.Range.Start.Line], d.Code)
				}
				for l := int32(101); l <= line; l++ {
					k := at[l]
					want := "secret-interpolation"
					if slices.Contains(sm.notApplicable, k) {
						want = "option-not-applicable"
					}
					if !slices.Contains(found[l], want) {
						t.Errorf("%s (line %d) = \"${netrc}\": no %s error; found %v", k, l, want, found[l])
					}
				}
				if t.Failed() {
					t.Log(fmt.Sprint(Check(f)))
				}
			})
		}
	}
}
