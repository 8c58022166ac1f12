package frontend

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var (
	linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	linuxARMv7 = ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
)

func TestParseEpoch(t *testing.T) {
	tm := time.Unix(1700000000, 0).UTC()
	for _, tc := range []struct {
		in          string
		want        *time.Time
		fromContext bool
		err         string
	}{
		{in: ""},
		{in: " 1700000000 ", want: &tm},
		{in: "context", fromContext: true},
		{in: "yesterday", err: `invalid SOURCE_DATE_EPOCH "yesterday"`},
		{in: "1.5", err: "invalid SOURCE_DATE_EPOCH"},
	} {
		got, fromContext, err := parseEpoch(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseEpoch(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseEpoch(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" || fromContext != tc.fromContext {
			t.Errorf("parseEpoch(%q) = %v, %v; want %v, %v", tc.in, got, fromContext, tc.want, tc.fromContext)
		}
	}
}

func TestArgValues(t *testing.T) {
	f := loadClean(t, `arg A = "${B}-${TARGETARCH}"
arg B = "b"
arg C = "${A:-none}/${BUILDOS}"
arg D

image app from "alpine:${A}${C}${D}" {
  run "true"
}
`)
	got := argValues(f, map[string]string{"B": "over", "UNDECLARED": "x"}, platformArgs(linuxAMD64, linuxARMv7))
	want := map[string]string{"A": "over-arm", "B": "over", "C": "over-arm/linux", "D": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("argValues (-want +got):\n%s", diff)
	}
}

func TestPlatformArgs(t *testing.T) {
	got := platformArgs(linuxAMD64, linuxARMv7)
	want := map[string]string{
		"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
		"TARGETPLATFORM": "linux/arm/v7", "TARGETOS": "linux", "TARGETARCH": "arm", "TARGETVARIANT": "v7",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("platformArgs (-want +got):\n%s", diff)
	}
}

func TestFilePlatforms(t *testing.T) {
	f := loadClean(t, `platforms = ["linux/amd64", "linux/arm64", "${EXTRA}"]
arg EXTRA = "linux/arm/v7"

image app from "alpine" {
  run "true"
}
`)
	got, err := filePlatforms(f, nil, linuxAMD64)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ocispecs.Platform{linuxAMD64, linuxARM64, linuxARMv7}, got); diff != "" {
		t.Errorf("filePlatforms (-want +got):\n%s", diff)
	}

	// A build arg changes them; duplicates collapse.
	got, err = filePlatforms(f, map[string]string{"EXTRA": "linux/amd64"}, linuxAMD64)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ocispecs.Platform{linuxAMD64, linuxARM64}, got); diff != "" {
		t.Errorf("filePlatforms with build arg (-want +got):\n%s", diff)
	}

	if _, err := filePlatforms(f, map[string]string{"EXTRA": "not a platform"}, linuxAMD64); err == nil {
		t.Error("an invalid platform from a build arg is not an error")
	}

	none := loadClean(t, "image app from \"alpine\" {\n  run \"true\"\n}\n")
	if got, err := filePlatforms(none, nil, linuxAMD64); err != nil || got != nil {
		t.Errorf("no platforms: got %v, %v; want nil, nil", got, err)
	}
}
