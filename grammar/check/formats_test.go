package check

import (
	"testing"

	"github.com/ourorg/securefile/spec"
)

// TestFormatsNeedNoCheckerCode: a key the checker has never heard of is
// validated from its Format or Enum alone, so a key added to a key table
// with a format is checked without code in this package.
func TestFormatsNeedNoCheckerCode(t *testing.T) {
	at := span(3, 5, `"x"`)
	str := func(v string) *spec.Value[string] { return &spec.Value[string]{V: v, Set: true, Range: at} }
	for _, tc := range []struct {
		key  spec.Key
		ptr  any
		code string
	}{
		{spec.Key{Name: "newmode", Type: spec.TString, Format: spec.FormatMode}, str("0999"), "invalid-mode"},
		{spec.Key{Name: "newpath", Type: spec.TString, Format: spec.FormatAbsPath}, str("relative/dir"), "relative-path"},
		{spec.Key{Name: "uid", Type: spec.TInt, Format: spec.FormatID}, &spec.Value[int]{V: -1, Set: true, Range: at}, "invalid-uid"},
		{spec.Key{Name: "newwait", Type: spec.TString, Format: spec.FormatDuration}, str("30"), "invalid-duration"},
		{spec.Key{Name: "newsize", Type: spec.TString, Format: spec.FormatSize}, str("lots"), "invalid-size"},
		{spec.Key{Name: "newvar", Type: spec.TString, Format: spec.FormatEnvName}, str("1BAD"), "invalid-env-name"},
		{spec.Key{Name: "newenum", Type: spec.TString, Enum: []string{"a", "b"}}, str("c"), "invalid-newenum"},
		// A format on a field it cannot apply to is the key tables'
		// mistake, and fails closed.
		{spec.Key{Name: "badbind", Type: spec.TBool, Format: spec.FormatMode}, &spec.Value[bool]{V: true, Set: true, Range: at}, "internal"},
	} {
		t.Run(tc.key.Name, func(t *testing.T) {
			c := &checker{f: &spec.File{}, fileRange: span(1, 1, "x")}
			c.validate([]spec.Field{{Key: tc.key, Ptr: tc.ptr}}, at, "the new thing")
			for _, d := range c.diags {
				if d.Code == tc.code {
					return
				}
			}
			t.Errorf("no %s finding; got %v", tc.code, c.diags)
		})
	}
}
