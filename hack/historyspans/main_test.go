package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The trace BuildKit saves is JSON spans back to back (util/tracing/detect);
// a name is kept once, its longest, longest first, as one word.
func TestParseSpans(t *testing.T) {
	dt := []byte(`{"Name":"moby.buildkit.v1.Control/Solve","StartTime":"2026-12-07T08:00:00Z","EndTime":"2026-12-07T08:00:00.130Z","Attributes":[{"Key":"k","Value":{"Type":"STRING","Value":"v"}}]}
{"Name":"create history record","StartTime":"2026-12-07T08:00:00.100Z","EndTime":"2026-12-07T08:00:00.125Z"}
{"Name":"create history record","StartTime":"2026-12-07T08:00:00.100Z","EndTime":"2026-12-07T08:00:00.101Z"}
{"Name":"","StartTime":"2026-12-07T08:00:00Z","EndTime":"2026-12-07T08:00:01Z"}
`)
	got, err := parseSpans(dt)
	if err != nil {
		t.Fatal(err)
	}
	at := func(ms int) time.Time { return time.Date(2026, 12, 7, 8, 0, 0, ms*int(time.Millisecond), time.UTC) }
	want := []span{
		{Name: "moby.buildkit.v1.Control/Solve", StartTime: at(0), EndTime: at(130)},
		{Name: "create_history_record", StartTime: at(100), EndTime: at(125)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if _, err := parseSpans([]byte(`{"Name":`)); err == nil {
		t.Error("a truncated trace parsed")
	}
}
