package tomlfile

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestFieldMaps: every key of every table has a model field whose Go type
// fits the key's type, so no key can be accepted but dropped, or printed
// from the wrong field.
func TestFieldMaps(t *testing.T) {
	want := map[spec.KeyType][]string{
		spec.TString:       {"*spec.Value[string]"},
		spec.TInt:          {"*spec.Value[int]"},
		spec.TBool:         {"*spec.Value[bool]"},
		spec.TStringList:   {"*spec.List[string]"},
		spec.TNameList:     {"*[]spec.Value[string]"},
		spec.TStringMap:    {"*[]*spec.KeyValue"},
		spec.TCommand:      {"*spec.Command"},
		spec.TSource:       {"*spec.Source", "*spec.Add"},
		spec.THealthcheck:  {"**spec.Healthcheck"},
		spec.TBindList:     {"*[]*spec.Bind"},
		spec.TTmpfsList:    {"*[]*spec.Tmpfs"},
		spec.TFileList:     {"*[]*spec.InlineFile"},
		spec.TStringOrList: {"*spec.List[string]"},
	}
	check := func(what string, keys []spec.Key, field func(string) any, skip ...string) {
		for _, k := range keys {
			if slices.Contains(skip, k.Name) {
				continue
			}
			dst := field(k.Name)
			got := fmt.Sprintf("%T", dst)
			if dst == nil || !slices.Contains(want[k.Type], got) {
				t.Errorf("%s.%s (%v): field of type %s", what, k.Name, k.Type, got)
			}
		}
	}
	check("secret", spec.SecretKeys, fieldsOf(spec.SecretFields(&spec.Secret{})))
	check("ssh", spec.SSHKeys, fieldsOf(spec.SSHFields(&spec.SSH{})))
	check("cache", spec.CacheKeys, fieldsOf(spec.CacheFields(&spec.Cache{})))
	check("stage", stageKeys, fieldsOf(stageFields(&spec.Stage{})), "steps")
	check("healthcheck", spec.HealthcheckKeys, fieldsOf(spec.HealthcheckFields(&spec.Healthcheck{})))
	check("bind", spec.BindKeys, fieldsOf(spec.BindFields(&spec.Bind{})))
	check("tmpfs", spec.TmpfsKeys, fieldsOf(spec.TmpfsFields(&spec.Tmpfs{})))
	check("inline file", spec.InlineFileKeys, fieldsOf(spec.InlineFileFields(&spec.InlineFile{})))
	for _, kind := range spec.StepKinds {
		step := kind.New()
		check(kind.Verb+" step", stepKeys(kind.Verb), func(k string) any { return stepField(kind, step, spec.StepFields(step), k) })
	}
}
