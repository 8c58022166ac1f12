package frontend

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestMaxFileSize pins MaxFileSize to the limit of dockerui, which reads
// the build file: a file of exactly MaxFileSize bytes is read whole.
func TestMaxFileSize(t *testing.T) {
	src := helloDSL + strings.Repeat("#", MaxFileSize-len(helloDSL))
	in, err := read(context.Background(), newFakeClient(map[string]string{"Securefile": src}, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.src.Data) != MaxFileSize {
		t.Errorf("read %d bytes, want %d", len(in.src.Data), MaxFileSize)
	}
}

// TestReadTooLarge: a file one byte over the limit is reported as too
// large, naming it, not as "no build file: tried Securefile and
// Securefile.toml" (issue 11 item 6).
func TestReadTooLarge(t *testing.T) {
	big := strings.Repeat("#", MaxFileSize+1)
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  map[string]string
		file  string
	}{
		{"default name", map[string]string{"Securefile": big, "Securefile.toml": helloTOML}, nil, "Securefile"},
		{"second default name", map[string]string{"Securefile.toml": big}, nil, "Securefile.toml"},
		{"named", map[string]string{"build.toml": big}, map[string]string{keyFilename: "build.toml"}, "build.toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := read(context.Background(), newFakeClient(tc.files, tc.opts), nil)
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Name != tc.file {
				t.Fatalf("err = %v, want a TooLargeError for %s", err, tc.file)
			}
			msg := err.Error()
			for _, want := range []string{tc.file + " is too large", "16777216 bytes"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "no build file") {
				t.Errorf("message %q says there is no build file", msg)
			}
		})
	}
}
