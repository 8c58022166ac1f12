package verify

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrDynamic is StaticELF's error for an executable that names a program
// interpreter (a Go binary built with cgo).
var ErrDynamic = errors.New("dynamically linked (it names a program interpreter); build it with CGO_ENABLED=0")

// StaticELF checks, from the first bytes of a file (the ELF header and
// program headers; 64 KiB is plenty for a Go binary), that it is an ELF
// executable without a dynamic loader (PT_INTERP): one that runs in an
// empty root filesystem.
func StaticELF(head []byte) error {
	if len(head) < 52 {
		return errors.New("not an ELF executable")
	}
	bo, _, err := elfIdent(head)
	if err != nil {
		return err
	}
	var phoff uint64
	var phentsize, phnum uint16
	switch head[4] {
	case 1: // 32-bit
		phoff = uint64(bo.Uint32(head[28:]))
		phentsize, phnum = bo.Uint16(head[42:]), bo.Uint16(head[44:])
	case 2: // 64-bit
		if len(head) < 64 {
			return errors.New("truncated ELF header")
		}
		phoff = bo.Uint64(head[32:])
		phentsize, phnum = bo.Uint16(head[54:]), bo.Uint16(head[56:])
	default:
		return errors.New("ELF header with an unknown class")
	}
	if phentsize < 4 {
		return errors.New("ELF program headers are malformed")
	}
	end := phoff + uint64(phentsize)*uint64(phnum)
	if end > uint64(len(head)) {
		return fmt.Errorf("ELF program headers end at byte %d, beyond the %d bytes read", end, len(head))
	}
	const ptInterp = 3
	for i := uint64(0); i < uint64(phnum); i++ {
		if bo.Uint32(head[phoff+i*uint64(phentsize):]) == ptInterp {
			return ErrDynamic
		}
	}
	return nil
}

// ELFArch is the GOARCH an ELF executable is built for, from its header
// (the first 20 bytes are enough): "amd64", "arm64", "arm", "386",
// "riscv64", "ppc64le", "s390x", …; an error for anything that is not an
// ELF file or is for a machine no BuildKit worker runs. It says nothing of
// an ARM variant (v6, v7), which the header does not record.
func ELFArch(head []byte) (string, error) {
	if len(head) < 20 {
		return "", errors.New("not an ELF executable")
	}
	bo, class64, err := elfIdent(head)
	if err != nil {
		return "", err
	}
	little := head[5] == 1
	m := elf.Machine(bo.Uint16(head[18:]))
	// Each machine with the class and byte order Go builds it for; any
	// other combination is refused rather than guessed.
	switch {
	case m == elf.EM_X86_64 && class64 && little:
		return "amd64", nil
	case m == elf.EM_AARCH64 && class64 && little:
		return "arm64", nil
	case m == elf.EM_386 && !class64 && little:
		return "386", nil
	case m == elf.EM_ARM && !class64 && little:
		return "arm", nil
	case m == elf.EM_RISCV && class64 && little:
		return "riscv64", nil
	case m == elf.EM_PPC64 && class64 && little:
		return "ppc64le", nil
	case m == elf.EM_PPC64 && class64 && !little:
		return "ppc64", nil
	case m == elf.EM_S390 && class64 && !little:
		return "s390x", nil
	case m == elf.EM_LOONGARCH && class64 && little:
		return "loong64", nil
	case m == elf.EM_MIPS && class64 && little:
		return "mips64le", nil
	case m == elf.EM_MIPS && class64 && !little:
		return "mips64", nil
	}
	bits := 32
	if class64 {
		bits = 64
	}
	return "", fmt.Errorf("an ELF executable for %v (%d-bit, %s), which is no architecture securefile is built for", m, bits, bo)
}

// elfIdent reads the identification bytes of an ELF header (at least 6
// bytes): the byte order and whether the class is 64-bit.
func elfIdent(head []byte) (binary.ByteOrder, bool, error) {
	if len(head) < 6 || !bytes.Equal(head[:4], []byte("\x7fELF")) {
		return nil, false, errors.New("not an ELF executable")
	}
	var bo binary.ByteOrder
	switch head[5] {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return nil, false, errors.New("ELF header with an unknown byte order")
	}
	switch head[4] {
	case 1, 2:
		return bo, head[4] == 2, nil
	default:
		return nil, false, errors.New("ELF header with an unknown class")
	}
}
