package tomlfile

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/ourorg/securefile/spec"
)

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatalf("schema is not valid JSON: %v", err)
	}
	return s
}

func TestSchemaHeader(t *testing.T) {
	s := loadSchema(t)
	for k, want := range map[string]string{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://ourorg.github.io/securefile/securefile.schema.json",
		"title":   "Securefile.toml",
	} {
		if s[k] != want {
			t.Errorf("%s = %v, want %q", k, s[k], want)
		}
	}
	if d, _ := s["description"].(string); d == "" {
		t.Error("no description")
	}
	if s["additionalProperties"] != false {
		t.Error("unknown top-level keys are allowed")
	}
}

// TestSchemaHasEveryKey is the drift guard: every key of every spec table
// is in the schema where it belongs, with its type, enum, required flag
// and description.
func TestSchemaHasEveryKey(t *testing.T) {
	s := loadSchema(t)
	defs := s["$defs"].(map[string]any)
	object := func(def string) map[string]any { return defs[def].(map[string]any) }
	steps := map[string]map[string]any{}
	for _, alt := range object("step")["oneOf"].([]any) {
		alt := alt.(map[string]any)
		steps[alt["required"].([]any)[0].(string)] = alt
	}
	tables := []struct {
		where string
		obj   map[string]any
		keys  []spec.Key
	}{
		{"secret", object("secret"), spec.SecretKeys},
		{"ssh", object("ssh"), spec.SSHKeys},
		{"cache", object("cache"), spec.CacheKeys},
		{"stage", object("stage"), spec.StageKeys},
		{"image", object("image"), spec.StageKeys},
		{"healthcheck", object("healthcheck"), spec.HealthcheckKeys},
		{"bind", object("bind"), spec.BindKeys},
		{"tmpfs", object("tmpfs"), spec.TmpfsKeys},
		{"inline_file", object("inline_file"), spec.InlineFileKeys},
		{"run step", steps["run"], spec.RunKeys},
		{"copy step", steps["copy"], spec.CopyKeys},
		{"add step", steps["add"], spec.AddKeys},
	}
	for _, v := range spec.StepVerbs {
		if steps[v] == nil {
			t.Errorf("no step alternative for verb %q", v)
			continue
		}
		vk, _ := verbKey(v)
		tables = append(tables, struct {
			where string
			obj   map[string]any
			keys  []spec.Key
		}{v + " step", steps[v], []spec.Key{vk}})
	}
	if len(steps) != len(spec.StepVerbs) {
		t.Errorf("%d step alternatives for %d verbs", len(steps), len(spec.StepVerbs))
	}
	for _, tb := range tables {
		if tb.obj == nil {
			t.Errorf("%s: missing", tb.where)
			continue
		}
		if tb.obj["additionalProperties"] != false {
			t.Errorf("%s: unknown keys are allowed", tb.where)
		}
		props := tb.obj["properties"].(map[string]any)
		required, _ := tb.obj["required"].([]any)
		for _, k := range tb.keys {
			p, ok := props[k.Name].(map[string]any)
			if !ok {
				t.Errorf("%s: key %q is not in the schema", tb.where, k.Name)
				continue
			}
			if p["description"] != k.Doc {
				t.Errorf("%s.%s: description %q, want %q", tb.where, k.Name, p["description"], k.Doc)
			}
			if want := jsonType(k.Type); want != "" && p["type"] != want {
				t.Errorf("%s.%s: type %v, want %s", tb.where, k.Name, p["type"], want)
			}
			if len(k.Enum) > 0 && fmt.Sprint(p["enum"]) != fmt.Sprint(k.Enum) {
				t.Errorf("%s.%s: enum %v, want %v", tb.where, k.Name, p["enum"], k.Enum)
			}
			if slices.Contains(required, any(k.Name)) != (k.Required && k.RequiredUnless == "" || strings.HasSuffix(tb.where, k.Name+" step")) {
				t.Errorf("%s.%s: required is %v", tb.where, k.Name, !k.Required)
			}
		}
	}
	for _, k := range fileKeys {
		if _, ok := s["properties"].(map[string]any)[k.Name]; !ok {
			t.Errorf("top-level key %q is not in the schema", k.Name)
		}
	}
}

func jsonType(t spec.KeyType) string {
	switch t {
	case spec.TString:
		return "string"
	case spec.TInt:
		return "integer"
	case spec.TBool:
		return "boolean"
	case spec.TStringList, spec.TNameList, spec.TBindList, spec.TTmpfsList, spec.TFileList:
		return "array"
	}
	return ""
}

// TestSchemaValidates checks the schema's meaning with a small validator
// of the keywords it uses: the docs' examples pass, what the parser
// rejects for keys and types does not.
func TestSchemaValidates(t *testing.T) {
	s := loadSchema(t)
	doc, err := os.ReadFile("../../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	var good []string
	for _, b := range regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		src := b[1]
		if strings.Contains(src, "[[stage.build.steps]]") && !strings.Contains(src, "[stage.build]") {
			src = buildHeader + src
		}
		good = append(good, src)
	}
	for _, c := range parseCases {
		good = append(good, c.src)
	}
	for _, src := range good {
		if err := validate(s, s, decodeTOML(t, src), "$"); err != nil {
			t.Errorf("valid file rejected: %v\n%s", err, src)
		}
	}
	for _, bad := range []string{
		"[secret.a]\nmdoe = \"0400\"\n",
		"[secret.a]\nuid = \"0\"\n",
		"[secret.a]\nmode = 0o400\n",
		"[cache.c]\ntarget = \"/c\"\nsharing = \"sometimes\"\n",
		"[cache.c]\nid = \"x\"\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nrun = \"x\"\ncopy = [\"a\"]\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nrun = \"x\"\nchecksum = \"x\"\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nto = \"/\"\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\ncopy = [\"a\"]\n",
		"[image.a]\nfrom = { stages = \"x\" }\n",
		"[image.a]\nfrom = { stage = \"x\", context = \"y\" }\n",
		"[image.a]\nplatform = \"x\"\n",
		"[stage.a]\nfrom = \"x\"\ndefault = true\n",
		"[image.a]\nfrom = \"x\"\nhealthcheck = { intervl = \"1s\" }\n",
		"[image.a]\nfrom = \"x\"\nlabels = { a = 1 }\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nrun = \"x\"\nbinds = [{ source = \"/\" }]\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nrun = \"x\"\nnetwork = \"bridge\"\n",
		"[image.a]\nfrom = \"x\"\n[[image.a.steps]]\nadd = { url = \"x\" }\nto = \"/\"\n",
		"[args]\nA = 1\n",
		"platforms = \"linux/amd64\"\n",
		"[bogus]\n",
	} {
		if err := validate(s, s, decodeTOML(t, bad), "$"); err == nil {
			t.Errorf("invalid file accepted:\n%s", bad)
		}
	}
}

func decodeTOML(t *testing.T, src string) any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatal(err)
	}
	// Through JSON, as an editor sees the file.
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// validate implements type, enum, properties, additionalProperties,
// required, items, oneOf and local $ref: all the schema uses.
func validate(root, s map[string]any, v any, at string) error {
	if r, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(r, "#/$defs/")
		if err := validate(root, root["$defs"].(map[string]any)[name].(map[string]any), v, at); err != nil {
			return err
		}
	}
	if alts, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, a := range alts {
			if validate(root, a.(map[string]any), v, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: matches %d alternatives of oneOf", at, n)
		}
	}
	if typ, ok := s["type"].(string); ok {
		okType := false
		switch x := v.(type) {
		case string:
			okType = typ == "string"
		case bool:
			okType = typ == "boolean"
		case float64:
			okType = typ == "number" || typ == "integer" && x == float64(int64(x))
		case []any:
			okType = typ == "array"
		case map[string]any:
			okType = typ == "object"
		}
		if !okType {
			return fmt.Errorf("%s: not of type %s", at, typ)
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v not in %v", at, v, enum)
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				if err := validate(root, items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	props, _ := s["properties"].(map[string]any)
	for k, e := range obj {
		if p, ok := props[k].(map[string]any); ok {
			if err := validate(root, p, e, at+"."+k); err != nil {
				return err
			}
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				return fmt.Errorf("%s: unknown key %q", at, k)
			}
		case map[string]any:
			if err := validate(root, ap, e, at+"."+k); err != nil {
				return err
			}
		}
	}
	req, _ := s["required"].([]any)
	for _, r := range req {
		if _, ok := obj[r.(string)]; !ok {
			return fmt.Errorf("%s: missing %q", at, r)
		}
	}
	return nil
}
