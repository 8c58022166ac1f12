package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"sync"
	"testing"
)

var (
	keysOnce sync.Once
	keys     map[string]any
)

// testKey is a private key generated once per test binary: keys are
// never committed (they would look like leaked credentials).
func testKey(t testing.TB, kind string) any {
	t.Helper()
	keysOnce.Do(func() {
		keys = map[string]any{}
		if k, err := rsa.GenerateKey(rand.Reader, 2048); err == nil {
			keys["rsa"] = k
		}
		if k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err == nil {
			keys["ec"] = k
		}
		if _, k, err := ed25519.GenerateKey(rand.Reader); err == nil {
			keys["ed25519"] = k
		}
	})
	k, ok := keys[kind]
	if !ok {
		t.Fatalf("no %s test key", kind)
	}
	return k
}

// testKeyPEM is the key in the PEM form its tools write by default:
// PKCS#1 for RSA, SEC 1 for EC, PKCS#8 for Ed25519.
func testKeyPEM(t testing.TB, kind string) []byte {
	t.Helper()
	k := testKey(t, kind)
	var blk pem.Block
	switch k := k.(type) {
	case *rsa.PrivateKey:
		blk = pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		blk = pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		blk = pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	return pem.EncodeToMemory(&blk)
}

// testOpenSSHKey is an unencrypted Ed25519 key in the OpenSSH format
// ssh-keygen writes (the standard library has no writer for it): base64
// lines of 70 characters; and its public key as an authorized_keys line.
func testOpenSSHKey(t testing.TB) (key []byte, authorized string) {
	t.Helper()
	k := testKey(t, "ed25519").(ed25519.PrivateKey)
	pub := k.Public().(ed25519.PublicKey)
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	pubBlob := cat(str([]byte("ssh-ed25519")), str(pub))
	check := []byte{0x12, 0x34, 0x56, 0x78}
	priv := cat(check, check, str([]byte("ssh-ed25519")), str(pub), str(k), str([]byte("user@host")))
	for i := byte(1); len(priv)%8 != 0; i++ {
		priv = append(priv, i)
	}
	der := cat([]byte("openssh-key-v1\x00"), str([]byte("none")), str([]byte("none")), str(nil),
		binary.BigEndian.AppendUint32(nil, 1), str(pubBlob), str(priv))
	b64 := base64.StdEncoding.EncodeToString(der)
	var out bytes.Buffer
	out.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for len(b64) > 70 {
		out.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	out.WriteString(b64 + "\n-----END OPENSSH PRIVATE KEY-----\n")
	return out.Bytes(), "ssh-ed25519 " + base64.StdEncoding.EncodeToString(pubBlob) + " user@host"
}
