package frontend

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/testing/protocmp"
)

// startLine is the first line of an outline location, which is all the
// tests below pin down: the end of a node's range is the parser's.
func startLine(l *pb.Location) int {
	if l == nil || len(l.Ranges) == 0 {
		return 0
	}
	return int(l.Ranges[0].Start.Line)
}

var ignoreLocations = protocmp.IgnoreFields(&pb.Location{}, "ranges")

func TestOutlineOfDefaultTarget(t *testing.T) {
	f := loadClean(t, appFile)
	got, err := outlineOf(f, "", []byte(appFile), map[string]string{"MAJOR": "2"}, platformArgs(linuxAMD64, linuxAMD64))
	if err != nil {
		t.Fatal(err)
	}
	want := &Outline{
		Name:        "app",
		Description: "The application. Ships only the binary.",
		Args: []outline.Arg{
			{Name: "GO_IMAGE", Description: "Go toolchain image.", Value: "golang:1.23", Location: &pb.Location{}},
			{Name: "VERSION", Description: "Version stamped into the binary.", Value: "v2.0", Location: &pb.Location{}},
			{Name: "MAJOR", Value: "2", Location: &pb.Location{}},
		},
		Secrets: []Secret{
			{Secret: outline.Secret{Name: "netrc", Required: true, Location: &pb.Location{}}, Description: "Credentials for the private module proxy."},
			{Secret: outline.Secret{Name: "gh_token", Location: &pb.Location{}}},
		},
		SSH: []SSH{
			{SSH: outline.SSH{Name: "default", Location: &pb.Location{}}, Description: "Read-only deploy key."},
		},
		Cache: []Cache{
			{CacheMount: outline.CacheMount{ID: "gomod", Location: &pb.Location{}}, Name: "gomod", Target: "/go/pkg/mod", Sharing: "locked", Description: "Go module cache."},
		},
		Sources: [][]byte{[]byte(appFile)},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(), ignoreLocations); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}

	// Locations point at the declarations.
	lines := map[string]int{}
	for _, a := range got.Args {
		lines["arg "+a.Name] = startLine(a.Location)
	}
	for _, s := range got.Secrets {
		lines["secret "+s.Name] = startLine(s.Location)
	}
	for _, s := range got.SSH {
		lines["ssh "+s.Name] = startLine(s.Location)
	}
	for _, c := range got.Cache {
		lines["cache "+c.ID] = startLine(c.Location)
	}
	wantLines := map[string]int{
		"arg GO_IMAGE": 4, "arg VERSION": 6, "arg MAJOR": 7,
		"secret netrc": 11, "secret gh_token": 15,
		"ssh default": 22,
		"cache gomod": 27,
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
}

func TestOutlineOfOtherTarget(t *testing.T) {
	f := loadClean(t, appFile)
	got, err := outlineOf(f, "tools", []byte(appFile), nil, platformArgs(linuxAMD64, linuxAMD64))
	if err != nil {
		t.Fatal(err)
	}
	want := &Outline{
		Name: "tools",
		Args: []outline.Arg{{Name: "ALPINE", Value: "alpine:3.20", Location: &pb.Location{}}},
		Cache: []Cache{
			{CacheMount: outline.CacheMount{ID: "apt", Location: &pb.Location{}}, Name: "apt", Target: "/var/cache/apt", Sharing: "shared", ReadOnly: true},
		},
		Sources: [][]byte{[]byte(appFile)},
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(), ignoreLocations); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
}

func TestOutlineOfUnknownTarget(t *testing.T) {
	f := loadClean(t, appFile)
	_, err := outlineOf(f, "tool", []byte(appFile), nil, nil)
	if err == nil || !strings.Contains(err.Error(), `"tool"`) || !strings.Contains(err.Error(), `did you mean "tools"?`) {
		t.Fatalf("err = %v, want a not-found error with a suggestion", err)
	}
}

// The JSON is BuildKit's outline structure: a client that decodes it into
// outline.Outline sees everything the standard fields hold, caches
// included.
func TestOutlineResultIsStandard(t *testing.T) {
	f := loadClean(t, appFile)
	o, err := outlineOf(f, "", []byte(appFile), nil, platformArgs(linuxAMD64, linuxAMD64))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.ToResult()
	if err != nil {
		t.Fatal(err)
	}
	var std outline.Outline
	if err := json.Unmarshal(res.Metadata["result.json"], &std); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o.Standard(), &std, protocmp.Transform()); diff != "" {
		t.Errorf("standard outline (-want +got):\n%s", diff)
	}
	if len(std.Cache) != 1 || std.Cache[0].ID != "gomod" {
		t.Errorf("standard cache list = %+v, want gomod", std.Cache)
	}
	if v := string(res.Metadata["version"]); v != outline.SubrequestsOutlineDefinition.Version {
		t.Errorf("version = %q", v)
	}
	// The extra fields are in the JSON too.
	var raw struct {
		Cache []map[string]any `json:"cache"`
	}
	if err := json.Unmarshal(res.Metadata["result.json"], &raw); err != nil {
		t.Fatal(err)
	}
	if got := raw.Cache[0]; got["target"] != "/go/pkg/mod" || got["sharing"] != "locked" || got["name"] != "gomod" {
		t.Errorf("cache JSON = %v", got)
	}

	txt := string(res.Metadata["result.txt"])
	for _, want := range []string{
		"TARGET:      app",
		"DESCRIPTION: The application. Ships only the binary.",
		"BUILD ARG",
		"GO_IMAGE    golang:1.23   Go toolchain image.",
		"SECRET     REQUIRED   DESCRIPTION",
		"netrc      true       Credentials for the private module proxy.",
		"CACHE   TARGET        SHARING   DESCRIPTION",
		"gomod   /go/pkg/mod   locked    Go module cache.",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("result.txt lacks %q:\n%s", want, txt)
		}
	}
}

func TestDescription(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{" syntax=ourorg/securefile", "", " The app."}, "The app."},
		{[]string{" First line.", " Second line."}, "First line. Second line."},
		{[]string{" a=b is not a directive"}, "a=b is not a directive"},
		{[]string{" The token's scope.", " securefile:ignore high-entropy-secret a test fixture"}, "The token's scope."},
	} {
		if got := description(tc.in); got != tc.want {
			t.Errorf("description(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A value that looks like a credential is masked in the outline's JSON
// and text, with the detector secretOptions uses: a token shape anywhere,
// a high-entropy value only under a credential name.
func TestOutlineMasksCredentialValues(t *testing.T) {
	const ghToken = "ghp_NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnA"
	const entropy = "zcpVMw0qDPAjd6OcZFv1niUK"
	src := `arg SAMPLE = "` + ghToken + `" # securefile:ignore secret-value revoked sample token
arg URL = "https://x:${SAMPLE}@example.com/repo.git"
arg FIXTURE_SECRET = "` + entropy + `" # securefile:ignore high-entropy-secret test vector
arg BUILD_ID = "` + entropy + `"
image app from "busybox:1.36" {
  run "echo ${URL} ${FIXTURE_SECRET} ${BUILD_ID}"
}
`
	f := loadClean(t, src)
	o, err := outlineOf(f, "", []byte(src), nil, platformArgs(linuxAMD64, linuxAMD64))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range o.Args {
		got[a.Name] = a.Value
	}
	want := map[string]string{
		"SAMPLE":         "ghp_… (masked: a GitHub token)",
		"URL":            "ghp_… (masked: a GitHub token)",
		"FIXTURE_SECRET": "zcpV… (masked: a high-entropy value under a credential name)",
		"BUILD_ID":       entropy, // not a credential name: shown
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	res, err := o.ToResult()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"result.json", "result.txt"} {
		out := string(res.Metadata[key])
		for _, secret := range []string{ghToken, "NqVwYS81"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows %q:\n%s", key, secret, out)
			}
		}
		if !strings.Contains(out, "zcpV… (masked") {
			t.Errorf("%s has no masked value:\n%s", key, out)
		}
	}
}
