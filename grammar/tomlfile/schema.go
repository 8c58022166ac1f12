package tomlfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ourorg/securefile/spec"
)

// SchemaID is the $id of the schema, where it is published for editors.
const SchemaID = "https://ourorg.github.io/securefile/securefile.schema.json"

// Schema returns a JSON Schema (draft 2020-12) for Securefile.toml,
// generated from the spec key tables (so it cannot drift), suitable for
// Taplo / Even Better TOML.
func Schema() []byte {
	defs := obj{
		{"source", sourceSchema(false)},
		{"base", sourceSchema(true)},
		{"command", obj{{"oneOf", []any{
			obj{{"type", "string"}, {"description", "shell form, run by /bin/sh -c"}},
			obj{{"type", "array"}, {"items", obj{{"type", "string"}}}, {"description", "exec form, executed directly"}},
		}}}},
		{"stringMap", obj{{"type", "object"}, {"additionalProperties", obj{{"type", "string"}}}}},
		{"secret", objectSchema("A secret the client provides (--secret id=…).", spec.SecretKeys, nil)},
		{"ssh", objectSchema("An ssh agent socket the client forwards (--ssh ID=…).", spec.SSHKeys, nil)},
		{"cache", objectSchema("A persistent cache mount.", spec.CacheKeys, nil)},
		{"stage", stageSchema(spec.KindStage)},
		{"image", stageSchema(spec.KindImage)},
		{"healthcheck", objectSchema("The image's health check.", spec.HealthcheckKeys, nil)},
		{"bind", objectSchema("A bind mount for one run step.", spec.BindKeys, nil)},
		{"tmpfs", objectSchema("A tmpfs mount for one run step.", spec.TmpfsKeys, nil)},
		{"inline_file", objectSchema("One file of a file step's files.", spec.InlineFileKeys, nil)},
		{"step", stepSchema()},
	}
	props := obj{}
	for _, k := range fileKeys {
		var s obj
		switch k.Name {
		case "platforms":
			s = keySchema(k)
		case "args":
			s = obj{{"description", k.Doc}, {"type", "object"}, {"additionalProperties", obj{{"type", "string"}}}}
		default:
			s = obj{{"description", k.Doc}, {"type", "object"}, {"additionalProperties", ref(k.Name)}}
		}
		props = append(props, member{k.Name, s})
	}
	root := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", "Securefile.toml"},
		{"description", "A Securefile build in TOML: declarations ([args], [secret.NAME], [ssh.NAME], [cache.NAME]) and stages ([stage.NAME], [image.NAME]) with their steps ([[stage.NAME.steps]]). See docs/language.md."},
		{"type", "object"},
		{"properties", props},
		{"additionalProperties", false},
		{"$defs", defs},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		panic(err) // only plain values above: cannot happen
	}
	return b.Bytes()
}

func ref(def string) obj { return obj{{"$ref", "#/$defs/" + def}} }

// keySchema is the schema of one key's value, from its type.
func keySchema(k spec.Key) obj {
	s := obj{{"description", k.Doc}}
	strList := obj{{"type", "array"}, {"items", obj{{"type", "string"}}}}
	switch k.Type {
	case spec.TString:
		s = append(s, member{"type", "string"})
		if len(k.Enum) > 0 {
			s = append(s, member{"enum", k.Enum})
		}
	case spec.TInt:
		s = append(s, member{"type", "integer"})
	case spec.TBool:
		s = append(s, member{"type", "boolean"})
	case spec.TStringList, spec.TNameList:
		s = append(s, strList...)
	case spec.TStringMap:
		s = append(s, ref("stringMap")...)
	case spec.TCommand:
		s = append(s, ref("command")...)
	case spec.TSource:
		s = append(s, ref("source")...)
	case spec.THealthcheck:
		s = append(s, ref("healthcheck")...)
	case spec.TBindList:
		s = append(s, member{"type", "array"}, member{"items", ref("bind")})
	case spec.TTmpfsList:
		s = append(s, member{"type", "array"}, member{"items", ref("tmpfs")})
	case spec.TFileList:
		s = append(s, member{"type", "array"}, member{"items", ref("inline_file")})
	case spec.TStringOrList:
		s = append(s, member{"oneOf", []any{obj{{"type", "string"}}, strList}})
	default:
		panic(fmt.Sprintf("tomlfile: no schema for key type %v of %q", k.Type, k.Name))
	}
	return s
}

// objectSchema is a table that takes exactly keys; special overrides the
// schema of some keys.
func objectSchema(desc string, keys []spec.Key, special map[string]obj) obj {
	props := obj{}
	var required []string
	var either []any // a key required unless another is written
	for _, k := range keys {
		s, ok := special[k.Name]
		if !ok {
			s = keySchema(k)
		}
		props = append(props, member{k.Name, s})
		switch {
		case k.Required && k.RequiredUnless != "":
			either = append(either, obj{{"anyOf", []any{obj{{"required", []string{k.Name}}}, obj{{"required", []string{k.RequiredUnless}}}}}})
		case k.Required:
			required = append(required, k.Name)
		}
	}
	s := obj{{"description", desc}, {"type", "object"}, {"properties", props}}
	if len(required) > 0 {
		s = append(s, member{"required", required})
	}
	if len(either) > 0 {
		s = append(s, member{"allOf", either})
	}
	return append(s, member{"additionalProperties", false})
}

// sourceSchema: an image reference string, { stage = … } or
// { context = … }; base adds "scratch" to the description.
func sourceSchema(base bool) obj {
	img := "an image reference"
	if base {
		img += `, or "scratch" for the empty filesystem`
	}
	alts := []any{obj{{"type", "string"}, {"description", img}}}
	for _, k := range sourceKeys {
		alts = append(alts, objectSchema(k.Doc, []spec.Key{{Name: k.Name, Type: k.Type, Required: true, Doc: k.Doc}}, nil))
	}
	return obj{{"oneOf", alts}}
}

func stageSchema(kind spec.StageKind) obj {
	desc := "An intermediate stage: a filesystem built from a base by ordered steps."
	keys := stageKeys
	if kind == spec.KindImage {
		desc = "An image meant to be exported: a stage whose result and config are the build's output."
	} else {
		// Only an image can be the default target.
		keys = keys[1:]
	}
	return objectSchema(desc, keys, map[string]obj{
		"from":  append(obj{{"description", fromKey.Doc}}, ref("base")...),
		"steps": {{"description", stepsKey.Doc}, {"type", "array"}, {"items", ref("step")}},
	})
}

// stepSchema: each verb is one alternative that requires the verb and
// allows only its options, so a step with two verbs matches none.
func stepSchema() obj {
	var alts []any
	for _, kind := range spec.StepKinds {
		v := kind.Verb
		special := map[string]obj{}
		if kind.Main == spec.MainRemote {
			special[v] = obj{{"description", kind.Doc}, {"oneOf", []any{
				obj{{"type", "string"}, {"description", "an http(s) URL; needs checksum"}},
				objectSchema("a git repository", gitKeys, nil),
			}}}
		}
		keys := slices.Clone(stepKeys(v))
		keys[0].Required = true
		alts = append(alts, objectSchema("A "+v+" step.", keys, special))
	}
	return obj{
		{"description", fmt.Sprintf("One step: a table with exactly one of %s, plus that step's options.", verbList)},
		{"oneOf", alts},
	}
}

// obj is a JSON object that keeps its keys in order, so the schema reads
// in the order of the key tables.
type obj []member

type member struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, x := range []any{e.k, e.v} {
			if j == 1 {
				b.WriteByte(':')
			}
			var part bytes.Buffer
			enc := json.NewEncoder(&part)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(x); err != nil {
				return nil, err
			}
			b.Write(bytes.TrimRight(part.Bytes(), "\n"))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
