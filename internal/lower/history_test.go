package lower

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Build arg values reach the steps that use them, but not the image's
// history: it records each step as written.
func TestHistoryHasNoArgValues(t *testing.T) {
	o := opts()
	o.BuildArgs = map[string]string{"VERSION": "v9.9.9-from-the-command-line", "DIR": "dir-from-the-command-line"}
	res := lower(t, `
arg VERSION = "dev"
arg DIR = "out"
default image app from scratch {
  run "echo ${VERSION} > /v"
  run ["/bin/echo", "${VERSION}"]
  copy "${DIR}/a" to "/${DIR}/"
  add "https://example.com/${VERSION}.tgz" to "/x.tgz" { checksum = "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
}
`, o)
	var got []string
	for _, h := range res.Image.History {
		got = append(got, h.CreatedBy)
	}
	want := []string{
		"RUN /bin/sh -c echo ${VERSION} > /v",
		`RUN ["/bin/echo", "${VERSION}"]`,
		"COPY ${DIR}/a /${DIR}/",
		"ADD https://example.com/${VERSION}.tgz /x.tgz",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("history (-want +got):\n%s", d)
	}
	cfg, err := json.Marshal(res.Image)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range o.BuildArgs {
		if strings.Contains(string(cfg), v) {
			t.Errorf("the image config holds the build arg value %q", v)
		}
	}
	// The command holds the reference; the value is the step's env.
	g := marshal(t, res.State)
	if e := g.exec(t, "echo ${VERSION} > /v"); e == nil || !slices.Contains(e.Meta.Env, "VERSION=v9.9.9-from-the-command-line") {
		t.Errorf("the run step does not get the build arg's value as env: %v", e)
	}
}
