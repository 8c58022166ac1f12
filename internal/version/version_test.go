package version

import (
	"slices"
	"testing"
)

func TestTags(t *testing.T) {
	for v, want := range map[string][]string{
		"v1.2.3":         {"1.2.3", "1.2", "1", "latest"},
		"0.10.0":         {"0.10.0", "0.10", "0", "latest"},
		"v1.2.3-4-gabc":  nil,
		"v1.2.3-rc.1":    nil,
		"dev":            nil,
		"f14b032":        nil,
		"v1.2":           nil,
		"v1.2.3-dirty":   nil,
		"v1.2.3\nlatest": nil,
	} {
		if got := Tags(v); !slices.Equal(got, want) {
			t.Errorf("Tags(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestToolImage(t *testing.T) {
	defer func(v, img string) { version, toolImage = v, img }(version, toolImage)

	version, toolImage = "v1.4.2", ""
	if ref, ok := ToolImage(); !ok || ref != Repository+":1.4.2" {
		t.Errorf("release without a linked image: %q, %v", ref, ok)
	}
	version, toolImage = "v1.4.2", "docker.io/ourorg/securefile:1.4.2@sha256:0123"
	if ref, ok := ToolImage(); !ok || ref != toolImage {
		t.Errorf("linked image: %q, %v", ref, ok)
	}
	version, toolImage = "v1.4.2-3-gdeadbee", ""
	if ref, ok := ToolImage(); ok {
		t.Errorf("development build has a tool image %q", ref)
	}
}

func TestString(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v9.9.9"
	if got := String(); got != "v9.9.9" {
		t.Errorf("String() = %q", got)
	}
	version = ""
	if got := String(); got == "" {
		t.Error("String() is empty without a linked version")
	}
}
