package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
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
