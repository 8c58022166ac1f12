package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// StaticELF checks, from the first bytes of a file (the ELF header and
// program headers; 64 KiB is plenty for a Go binary), that it is an ELF
// executable without a dynamic loader (PT_INTERP): one that runs in an
// empty root filesystem.
func StaticELF(head []byte) error {
	if len(head) < 52 || !bytes.Equal(head[:4], []byte("\x7fELF")) {
		return errors.New("not an ELF executable")
	}
	var bo binary.ByteOrder
	switch head[5] {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return errors.New("ELF header with an unknown byte order")
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
			return errors.New("dynamically linked (it names a program interpreter); build it with CGO_ENABLED=0")
		}
	}
	return nil
}
