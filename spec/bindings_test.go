package spec

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestBindings: every construct binds every key of its table, in order,
// to a field of the node whose Go type fits the key's type and whose name
// is the key's (but for the few keys named otherwise in the model).
func TestBindings(t *testing.T) {
	want := map[KeyType][]string{
		TString:       {"*spec.Value[string]"},
		TInt:          {"*spec.Value[int]"},
		TBool:         {"*spec.Value[bool]"},
		TStringList:   {"*spec.List[string]"},
		TNameList:     {"*[]spec.Value[string]"},
		TStringMap:    {"*[]*spec.KeyValue"},
		TCommand:      {"*spec.Command"},
		TSource:       {"*spec.Source"},
		THealthcheck:  {"**spec.Healthcheck"},
		TBindList:     {"*[]*spec.Bind"},
		TTmpfsList:    {"*[]*spec.Tmpfs"},
		TFileList:     {"*[]*spec.InlineFile"},
		TStringOrList: {"*spec.List[string]"},
	}
	// The keys whose model field has another name.
	renamed := map[string]string{
		"healthcheck.cmd": "Test", "bind.source": "Path", "bind.rw": "ReadWrite",
		"copy.to": "Dest", "add.to": "Dest",
	}
	check := func(what string, node any, keys []Key, fs []Field) {
		t.Helper()
		if len(fs) != len(keys) {
			t.Fatalf("%s: %d fields for %d keys", what, len(fs), len(keys))
		}
		names := fieldNames(reflect.ValueOf(node).Elem())
		for i, f := range fs {
			k := keys[i]
			if f.Key.Name != k.Name {
				t.Errorf("%s: field %d is %q, the key table has %q", what, i, f.Key.Name, k.Name)
			}
			if got := fmt.Sprintf("%T", f.Ptr); !slices.Contains(want[k.Type], got) {
				t.Errorf("%s.%s (%v): field of type %s", what, k.Name, k.Type, got)
			}
			field := names[reflect.ValueOf(f.Ptr).Pointer()]
			wantName := renamed[what+"."+k.Name]
			if wantName == "" {
				wantName = strings.NewReplacer("_", "", "-", "").Replace(k.Name)
			}
			if !strings.EqualFold(field, wantName) {
				t.Errorf("%s.%s is bound to the field %q", what, k.Name, field)
			}
			if f.IsSet() {
				t.Errorf("%s.%s is set in an empty node", what, k.Name)
			}
			if FieldPtr(fs, k.Name) != f.Ptr {
				t.Errorf("%s: FieldPtr(%q) is not the bound field", what, k.Name)
			}
		}
	}
	file, secret, ssh, cache, stage := &File{}, &Secret{}, &SSH{}, &Cache{}, &Stage{}
	hc, run, bnd, tmpfs, cp, add := &Healthcheck{}, &Run{}, &Bind{}, &Tmpfs{}, &Copy{}, &Add{}
	check("file", file, FileKeys, FileFields(file))
	check("secret", secret, SecretKeys, SecretFields(secret))
	check("ssh", ssh, SSHKeys, SSHFields(ssh))
	check("cache", cache, CacheKeys, CacheFields(cache))
	check("stage", stage, StageKeys, StageFields(stage))
	check("healthcheck", hc, HealthcheckKeys, HealthcheckFields(hc))
	check("run", run, RunKeys, RunFields(run))
	check("bind", bnd, BindKeys, BindFields(bnd))
	check("tmpfs", tmpfs, TmpfsKeys, TmpfsFields(tmpfs))
	inlineFile := &InlineFile{}
	check("inline file", inlineFile, InlineFileKeys, InlineFileFields(inlineFile))
	check("copy", cp, CopyKeys, CopyFields(cp))
	check("add", add, AddKeys, AddFields(add))
	check("run", run, RunKeys, StepFields(run))
	check("copy", cp, CopyKeys, StepFields(cp))
	check("add", add, AddKeys, StepFields(add))
	inline := &Inline{}
	check("inline", inline, InlineKeys, InlineFields(inline))
	check("inline", inline, InlineKeys, StepFields(inline))
	buf := []Field{{Key: Key{Name: "kept"}}}
	buf = AppendStepFields(buf, cp)
	check("copy", cp, CopyKeys, buf[1:])
	if buf[0].Key.Name != "kept" {
		t.Error("AppendStepFields changed what dst held")
	}
	for _, st := range []Step{&Workdir{}, &Env{}, &User{}} {
		if fs := StepFields(st); fs != nil {
			t.Errorf("StepFields(%s) = %v", st.Verb(), fs)
		}
	}
	if FieldPtr(SecretFields(secret), "nope") != nil {
		t.Error("FieldPtr of an unknown key is not nil")
	}
}

// TestFieldIsSet: a field is set once something is written into it.
func TestFieldIsSet(t *testing.T) {
	r := &Run{
		Command: Command{Shell: Of("true")},
		Secrets: []Value[string]{Of("s")}, SSH: []Value[string]{Of("a")}, Caches: []Value[string]{Of("c")},
		Binds: []*Bind{{}}, Tmpfs: []*Tmpfs{{}}, Env: []*KeyValue{{}},
		Network: Of("none"), Security: Of("insecure"), Devices: ListOf("vendor.com/gpu=all"),
	}
	st := &Stage{Platform: Of("p"), IgnoreOnbuild: Of(true), Config: ImageConfig{
		Entrypoint: Command{Exec: ListOf("a")}, Cmd: Command{Shell: Of("b")}, Labels: []*KeyValue{{}},
		Expose: ListOf("80"), Volumes: ListOf("/v"), Healthcheck: &Healthcheck{}, StopSignal: Of("SIGTERM"),
		Shell: ListOf("/bin/bash", "-c"),
	}}
	c := &Cache{Target: Of("/t"), ID: Of("i"), Sharing: Of("shared"), Mode: Of("0755"), UID: Of(1), GID: Of(0),
		ReadOnly: Of(false), From: Source{Set: true, Kind: SourceScratch}}
	for what, fs := range map[string][]Field{"run": RunFields(r), "stage": StageFields(st), "cache": CacheFields(c)} {
		for _, f := range fs {
			if !f.IsSet() {
				t.Errorf("%s.%s is not set", what, f.Key.Name)
			}
		}
	}
}

// fieldNames maps the address of each field of v, and of the fields of its
// struct fields (a stage's Config), to the field's name.
func fieldNames(v reflect.Value) map[uintptr]string {
	out := map[uintptr]string{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Struct && v.Type().Field(i).Name == "Config" {
			for a, n := range fieldNames(f) {
				out[a] = n
			}
			continue
		}
		out[f.Addr().Pointer()] = v.Type().Field(i).Name
	}
	return out
}

// TestBindPanics: a binding that does not follow its key table is caught.
func TestBindPanics(t *testing.T) {
	var s Tmpfs
	for _, bs := range [][]binding{
		{{"target", &s.Target}},
		{{"size", &s.Size}, {"target", &s.Target}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("bind(%v) did not panic", bs)
				}
			}()
			bind(nil, TmpfsKeys, bs)
		}()
	}
}
