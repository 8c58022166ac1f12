package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// value holds five 0xff bytes, so that at every alignment a base64 group
// of it encodes to "////" ("____" in the URL alphabet).
const value = "tok_9f8e7d\xff\xff\xff\xff\xff6c5b4a/+?&= x"

// found returns the encodings of the patterns of value that occur in b.
func found(value string, b []byte) map[string]bool {
	m := NewMatcher(Patterns(0, []byte(value)))
	out := map[string]bool{}
	m.Match(b, func(pi int) { out[m.patterns[pi].Encoding] = true })
	return out
}

func TestEachEncodingIsFound(t *testing.T) {
	v := []byte(value)
	cases := map[string][]byte{
		"raw":         append([]byte("prefix "), append(v, " suffix"...)...),
		"hex":         []byte("x=" + hex.EncodeToString(v) + ";"),
		"url-encoded": []byte("https://h/?q=" + url.QueryEscape(value) + "&z=1"),
	}
	cases["hex/upper"] = []byte(strings.ToUpper(hex.EncodeToString(v)))
	cases["url-encoded/path"] = []byte("/p/" + url.PathEscape(value) + "/q")
	for name, b := range cases {
		want := strings.SplitN(name, "/", 2)[0]
		if got := found(value, b); !got[want] {
			t.Errorf("%s: found %v, want %s", name, got, want)
		}
	}
	// base64: the value alone, and inside a longer stream at each of the
	// three alignments, in both alphabets, padded or not.
	for pre := 0; pre < 3; pre++ {
		for post := 0; post < 3; post++ {
			stream := append(append(bytes.Repeat([]byte{0xfb}, pre), v...), bytes.Repeat([]byte{0xff}, post)...)
			for _, enc := range []struct {
				name string
				e    *base64.Encoding
			}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}, {"base64", base64.RawStdEncoding}} {
				b := []byte(enc.e.EncodeToString(stream))
				if got := found(value, b); !got[enc.name] {
					t.Errorf("%s with %d bytes before, %d after: found %v", enc.name, pre, post, got)
				}
			}
		}
	}
	// None of them in unrelated text.
	if got := found(value, []byte(strings.Repeat("the quick brown fox ", 1000))); len(got) != 0 {
		t.Errorf("false positive: %v", got)
	}
}

func TestTrimmedValue(t *testing.T) {
	// A secret file usually ends with a newline that `echo $(cat f)` drops.
	got := found("hunter2hunter2\n", []byte("PASSWORD=hunter2hunter2 and more"))
	if !got["raw"] {
		t.Errorf("trimmed value not found: %v", got)
	}
	got = found("hunter2hunter2\n", []byte(hex.EncodeToString([]byte("hunter2hunter2\n"))))
	if !got["hex (with surrounding whitespace)"] {
		t.Errorf("untrimmed hex not found: %v", got)
	}
}

func TestShortValues(t *testing.T) {
	if ps := Patterns(0, []byte("abc\n")); len(ps) != 0 {
		t.Errorf("3-byte value gave %d patterns", len(ps))
	}
	// A 4-byte value is looked for raw and wherever an encoding is long
	// enough not to match by chance; no encoded pattern is shorter.
	for _, p := range Patterns(0, []byte("abcd")) {
		if p.Encoding != "raw" && p.Len() < minEncodedLen {
			t.Errorf("pattern %s of %d bytes", p.Encoding, p.Len())
		}
	}
}

func TestChunkBoundaries(t *testing.T) {
	ps := Patterns(0, []byte(value))
	m := NewMatcher(ps)
	raw := []byte(value)
	const size = 64
	// The value at every offset around the first two chunk boundaries:
	// found exactly once each time.
	for off := size - len(raw) - 2; off < 2*size+2; off++ {
		data := bytes.Repeat([]byte{'.'}, 3*size)
		copy(data[off:], raw)
		n := 0
		read, err := m.matchReader(bytes.NewReader(data), size, func(pi int) {
			if m.patterns[pi].Encoding == "raw" {
				n++
			}
		})
		if err != nil || read != int64(len(data)) {
			t.Fatalf("offset %d: read %d, %v", off, read, err)
		}
		if n != 1 {
			t.Errorf("offset %d: found %d times, want 1", off, n)
		}
	}
}

// A file much larger than a chunk is streamed: the value near its end is
// found and every byte is counted. The file is sparse, so the test is
// quick and small on disk.
func TestLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MiB")
	}
	dir := t.TempDir()
	layer := filepath.Join(dir, "l", "0")
	os.MkdirAll(layer, 0o755)
	f, err := os.Create(filepath.Join(layer, "big"))
	if err != nil {
		t.Fatal(err)
	}
	const size = 256 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	// Across the boundary of the last chunk.
	if _, err := f.WriteAt([]byte(value), size-chunkSize-5); err != nil {
		t.Fatal(err)
	}
	f.Close()
	writeSecret(t, dir, 0, value)
	r, err := Scan(Options{SecretsDir: filepath.Join(dir, "s"), Secrets: 1, LayersDir: filepath.Join(dir, "l"), Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Bytes != size || len(r.Hits) != 1 || r.Hits[0].Path != "/big" || r.Hits[0].Encoding != "raw" {
		t.Errorf("report: %+v", r)
	}
}

func writeSecret(t *testing.T, dir string, i int, v string) {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "s"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "s", string(rune('0'+i))), []byte(v), 0o400); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanReport(t *testing.T) {
	dir := t.TempDir()
	other := "another-secret-value"
	writeSecret(t, dir, 0, value+"\n")
	writeSecret(t, dir, 1, other)
	writeSecret(t, dir, 2, "ab")
	// Secret 3 is missing (optional, not provided).
	slashed := "sl/ash-Secret-9zQ"
	writeSecret(t, dir, 4, slashed)
	l := filepath.Join(dir, "l")
	writeFile(t, filepath.Join(l, "0", "app", "clean.txt"), "nothing here")
	writeFile(t, filepath.Join(l, "1", "app", "token.b64"), base64.StdEncoding.EncodeToString([]byte("Authorization: "+value)))
	writeFile(t, filepath.Join(l, "1", "etc", value[:8]+other, "f"), "x")
	os.Symlink("/run/"+hex.EncodeToString([]byte(other)), filepath.Join(l, "0", "link"))
	// A secret with a "/" used as a path: the path is cut before it.
	writeFile(t, filepath.Join(l, "1", "srv", slashed, "f"), slashed)
	cfg := map[string]any{
		"config": map[string]any{
			"Env":     []string{"PATH=/bin", "T=" + url.QueryEscape(value)},
			"Labels":  map[string]string{"k": "v", other: "x"},
			"Volumes": map[string]any{"/data/" + other: map[string]any{}},
		},
		"history": []map[string]string{{"created_by": "RUN echo " + other}},
	}
	b, _ := json.Marshal(cfg)
	writeFile(t, filepath.Join(dir, "config.json"), string(b))

	r, err := Scan(Options{SecretsDir: filepath.Join(dir, "s"), Secrets: 5, LayersDir: l, Layers: 2, Config: filepath.Join(dir, "config.json")})
	if err != nil {
		t.Fatal(err)
	}
	statuses := []string{}
	for _, s := range r.Secrets {
		statuses = append(statuses, s.Status)
	}
	if got := strings.Join(statuses, ","); got != "checked,checked,too-short,missing,checked" {
		t.Errorf("statuses %s", got)
	}
	var got []string
	for _, h := range r.Hits {
		got = append(got, strings.Join([]string{string(rune('0' + h.Secret)), h.Where, h.Encoding, string(rune('0' + h.Layer)), h.Path, h.Field}, "|"))
	}
	want := []string{
		"0|config|url-encoded|0||config.Env T",
		"0|content|base64|1|/app/token.b64|",
		"1|config|raw|0||config.Labels[<key withheld>] (key)",
		"1|config|raw|0||config.Volumes.<key withheld> (key)",
		"1|config|raw|0||history[0].created_by",
		"1|link-target|hex|0|/link|",
		"1|name|raw|1|/etc|",
		"4|content|raw|1|/srv/<name withheld>|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The report holds neither value nor any pattern derived from one.
	js, _ := json.Marshal(r)
	for i, v := range []string{value + "\n", other, "", "", slashed} {
		for _, p := range Patterns(i, []byte(v)) {
			if bytes.Contains(js, p.b) {
				t.Errorf("report contains the %s pattern of secret %d: %s", p.Encoding, i, js)
			}
		}
	}
}

func TestToolWritesReport(t *testing.T) {
	dir := t.TempDir()
	writeSecret(t, dir, 0, value)
	writeFile(t, filepath.Join(dir, "l", "0", "leak"), value)
	out := filepath.Join(dir, "report.json")
	var stderr bytes.Buffer
	args := Args(Options{SecretsDir: filepath.Join(dir, "s"), Secrets: 1, LayersDir: filepath.Join(dir, "l"), Layers: 1}, out)
	if code := runTool(args, nil, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), value) {
		t.Errorf("stderr has the value: %s", stderr.String())
	}
	var r Report
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &r); err != nil || len(r.Hits) != 1 || r.Hits[0].Path != "/leak" {
		t.Errorf("report %s (%v)", b, err)
	}
	if code := runTool([]string{"--secrets", "1"}, nil, &stderr); code != 2 {
		t.Errorf("no --out: exit %d", code)
	}
}

// elfHeader is a minimal 64-bit little-endian ELF header followed by
// program headers of the given types.
func elfHeader(types ...uint32) []byte {
	b := make([]byte, 64+56*len(types))
	copy(b, "\x7fELF")
	b[4], b[5] = 2, 1
	binary.LittleEndian.PutUint64(b[32:], 64)
	binary.LittleEndian.PutUint16(b[54:], 56)
	binary.LittleEndian.PutUint16(b[56:], uint16(len(types)))
	for i, ty := range types {
		binary.LittleEndian.PutUint32(b[64+56*i:], ty)
	}
	return b
}

func TestStaticELF(t *testing.T) {
	if err := StaticELF(elfHeader(1, 1, 4)); err != nil {
		t.Errorf("static: %v", err)
	}
	if err := StaticELF(elfHeader(6, 3, 1)); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Errorf("dynamic: %v", err)
	}
	if err := StaticELF([]byte("#!/bin/sh\necho hi\n" + strings.Repeat(" ", 64))); err == nil {
		t.Error("script accepted")
	}
	if err := StaticELF(elfHeader(1, 1)[:100]); err == nil {
		t.Error("truncated program headers accepted")
	}
}
