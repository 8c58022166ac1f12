package verify

import (
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// archHeader is an ELF header of the given class (1: 32-bit, 2: 64-bit),
// byte order (1: little, 2: big) and machine.
func archHeader(class, order byte, machine uint16) []byte {
	b := make([]byte, 64)
	copy(b, "\x7fELF")
	b[4], b[5] = class, order
	if order == 2 {
		binary.BigEndian.PutUint16(b[18:], machine)
	} else {
		binary.LittleEndian.PutUint16(b[18:], machine)
	}
	return b
}

func TestELFArch(t *testing.T) {
	cases := []struct {
		head []byte
		want string // "" wants an error
	}{
		{archHeader(2, 1, 62), "amd64"},
		{archHeader(2, 1, 183), "arm64"},
		{archHeader(1, 1, 40), "arm"},
		{archHeader(1, 1, 3), "386"},
		{archHeader(2, 1, 243), "riscv64"},
		{archHeader(2, 1, 21), "ppc64le"},
		{archHeader(2, 2, 21), "ppc64"},
		{archHeader(2, 2, 22), "s390x"},
		{archHeader(2, 1, 258), "loong64"},
		// A machine with a class or byte order Go never builds it with.
		{archHeader(1, 1, 62), ""},
		{archHeader(2, 2, 183), ""},
		{archHeader(2, 1, 40), ""},
		{archHeader(2, 1, 2), ""}, // SPARC
		{archHeader(3, 1, 62), ""},
		{archHeader(2, 3, 62), ""},
		{archHeader(2, 1, 62)[:19], ""},
		{[]byte("MZ\x90\x00" + strings.Repeat("\x00", 60)), ""},       // a Windows executable
		{[]byte("\xcf\xfa\xed\xfe" + strings.Repeat("\x00", 60)), ""}, // a Mach-O one
	}
	for _, c := range cases {
		got, err := ELFArch(c.head)
		if c.want == "" {
			if err == nil {
				t.Errorf("ELFArch(% x): %q, want an error", c.head[:20:20], got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ELFArch(% x) = %q, %v; want %q", c.head[:20:20], got, err, c.want)
		}
	}
}

// The test binary itself: what the frontend reads from a real shared
// binary is the architecture it was built for.
func TestELFArchOfThisBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("an ELF binary only on linux")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 64)
	if _, err := f.Read(head); err != nil {
		t.Fatal(err)
	}
	if got, err := ELFArch(head); err != nil || got != runtime.GOARCH {
		t.Errorf("ELFArch(this test binary) = %q, %v; want %q", got, err, runtime.GOARCH)
	}
}

// A dynamically linked executable is ErrDynamic, which the CLI tells apart
// from a file that is no ELF executable at all.
func TestStaticELFErrDynamic(t *testing.T) {
	if err := StaticELF(elfHeader(1, 3)); !errors.Is(err, ErrDynamic) {
		t.Errorf("dynamic: %v, want ErrDynamic", err)
	}
	if err := StaticELF(elfHeader(1, 1)[:100]); err == nil || errors.Is(err, ErrDynamic) {
		t.Errorf("truncated: %v, want another error", err)
	}
}
