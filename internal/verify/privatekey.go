package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// minKeyLineLen is the shortest body line of a PEM key looked for on its
// own: 40 base64 characters are 30 bytes of key material.
const minKeyLineLen = 40

// privateKeys adds the fields of every PEM private key block in text and
// returns how many blocks it understood. A key is looked for decoded (the
// DER or OpenSSH bytes, which also covers its body joined into one line:
// that is their base64) and line by line, so that a key re-indented (YAML),
// with CRLF or with "\n" escapes (JSON) is found. Other blocks (a
// certificate, a public key) are public.
func (c *fieldSet) privateKeys(text []byte) int {
	n := 0
	begin := []byte("-----BEGIN ")
	for rest := text; ; {
		i := bytes.Index(rest, begin)
		if i < 0 {
			return n
		}
		rest = rest[i+len(begin):]
		j := bytes.Index(rest, []byte("-----"))
		if j < 0 {
			return n
		}
		typ := string(rest[:j])
		if len(typ) > 64 || strings.ContainsAny(typ, "\r\n") {
			continue
		}
		rest = rest[j+5:]
		end := []byte("-----END " + typ + "-----")
		k := bytes.Index(rest, end)
		if k < 0 {
			return n
		}
		body := rest[:k]
		rest = rest[k+len(end):]
		if strings.HasSuffix(typ, "PRIVATE KEY") && c.privateKey(typ, body) {
			n++
		}
	}
}

// privateKey adds one key's fields from the text between its BEGIN and END
// lines.
func (c *fieldSet) privateKey(typ string, body []byte) bool {
	// A key inside a JSON string or a quoted .env value may still have
	// its newlines escaped; base64 has no backslash.
	body = bytes.ReplaceAll(body, []byte(`\n`), []byte("\n"))
	body = bytes.ReplaceAll(body, []byte(`\r`), []byte("\r"))
	var lines [][]byte
	encrypted := typ == "ENCRYPTED PRIVATE KEY"
	for _, l := range bytes.Split(body, []byte("\n")) {
		l = bytes.Trim(l, " \t\r\"',")
		switch {
		case len(l) == 0:
		case bytes.IndexByte(l, ':') >= 0: // a header: Proc-Type, DEK-Info
			encrypted = encrypted || bytes.Contains(l, []byte("ENCRYPTED"))
		case !isBase64Text(l):
			return false
		default:
			lines = append(lines, l)
		}
	}
	joined := bytes.Join(lines, nil)
	der, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(joined), "="))
	if err != nil || len(der) < 32 {
		return false
	}
	c.addBytes("private key", der)
	// A line is looked for unless its bytes are all public: the first
	// lines of a key hold its public key (an RSA modulus, the header and
	// public key of an OpenSSH key, the same in every key of its kind),
	// which the image may hold legitimately. So lines are only looked
	// for in keys whose public part is known: parsed, or encrypted
	// (ciphertext throughout).
	public, ok := publicParts(typ, der)
	if !ok && !encrypted {
		return true
	}
	off := 0
	for _, l := range lines {
		start, end := (off*6+7)/8, min((off+len(l))*6/8, len(der))
		off += len(l)
		if len(l) < minKeyLineLen || start >= end {
			continue
		}
		if !within(der[start:end], public) {
			c.add("private key line", l)
		}
	}
	return true
}

// publicParts are the parts of a key that are not secret, for the key
// formats the standard library parses (PKCS #1, PKCS #8, SEC 1) and for
// OpenSSH keys (whose header and public keys are in clear even when the
// key is encrypted).
func publicParts(typ string, der []byte) ([][]byte, bool) {
	var pub any
	switch typ {
	case "OPENSSH PRIVATE KEY":
		return opensshPublic(der)
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, false
		}
		pub = k.Public()
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, false
		}
		pub = k.Public()
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, false
		}
		s, ok := k.(interface{ Public() crypto.PublicKey })
		if !ok {
			return nil, false
		}
		pub = s.Public()
	default:
		return nil, false
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, false
	}
	return [][]byte{spki}, true
}

// opensshPublic reads the clear part of an "openssh-key-v1" key: magic,
// cipher, kdf and its options, and the public keys.
func opensshPublic(b []byte) ([][]byte, bool) {
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, false
	}
	off := len(magic)
	str := func() ([]byte, bool) {
		if len(b)-off < 4 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint32(b[off:]))
		if n < 0 || n > len(b)-off-4 {
			return nil, false
		}
		s := b[off+4 : off+4+n]
		off += 4 + n
		return s, true
	}
	for range 3 { // cipher, kdf, kdf options
		if _, ok := str(); !ok {
			return nil, false
		}
	}
	if len(b)-off < 4 {
		return nil, false
	}
	keys := binary.BigEndian.Uint32(b[off:])
	off += 4
	if keys > 16 {
		return nil, false
	}
	var pubs [][]byte
	for range keys {
		p, ok := str()
		if !ok {
			return nil, false
		}
		pubs = append(pubs, p)
	}
	return append([][]byte{b[:off]}, pubs...), true
}

// within reports whether seg occurs in one of parts.
func within(seg []byte, parts [][]byte) bool {
	for _, p := range parts {
		if bytes.Contains(p, seg) {
			return true
		}
	}
	return false
}

func isBase64Text(l []byte) bool {
	for _, b := range l {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=') {
			return false
		}
	}
	return true
}
