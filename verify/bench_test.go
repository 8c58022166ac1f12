package verify

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"
)

// benchSecrets are the secrets a benchmark looks for: a plain token and
// the structured files whose fields are looked for too.
func benchSecrets(b *testing.B) [][]byte {
	return [][]byte{
		[]byte("sf-9c1d2e3f4a5b6c7d8e9f\n"),
		[]byte("machine a.example.com login deploy password pw-Zr8Kq2LxV9mT4nB7\nmachine b.example.com login ci password pw-Hj3Nw6QpR1sY8uC5 account acct-Tk7Lm2Vb9\n"),
		[]byte(`{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnB3LVpyOEtxMkx4VjltVDRuQjc="},"ghcr.io":{"identitytoken":"it-Qw3Er5Ty7Ui9Op1As2"}}}`),
		[]byte("API_TOKEN=tok-Ab1Cd2Ef3Gh4Ij5Kl6\nexport DB_PASSWORD='pw Mn7Op8Qr9St0'\nDATABASE_URL=postgres://app:pw-Uv1Wx2Yz3Ab4@db:5432/app\nNODE_ENV=production\n"),
		testKeyPEM(b, "rsa"),
	}
}

// benchPatterns are the patterns the scanner derives for the benchmark's
// secrets.
func benchPatterns(b *testing.B) []Pattern {
	var ps []Pattern
	for i, v := range benchSecrets(b) {
		ps = append(ps, Patterns(i, v)...)
	}
	return ps
}

// benchInputs are 32 MiB of random bytes and 32 MiB of text (this
// package's sources, repeated): the matcher's worst and usual cases.
func benchInputs(b *testing.B) map[string][]byte {
	const size = 32 << 20
	random := make([]byte, size)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(random)
	var src []byte
	// The files as they were before field patterns, so that the input
	// stays the same as the package grows.
	for _, f := range []string{"doc.go", "elf.go", "matcher.go", "patterns.go", "report.go", "scan.go", "tool.go"} {
		c, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		src = append(src, c...)
	}
	text := bytes.Repeat(src, size/len(src)+1)[:size]
	return map[string][]byte{"random": random, "text": text}
}

func BenchmarkMatchReader(b *testing.B) {
	ps := benchPatterns(b)
	m := NewMatcher(ps)
	b.Logf("%d patterns", len(ps))
	for _, name := range []string{"random", "text"} {
		in := benchInputs(b)[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := m.MatchReader(bytes.NewReader(in), func(int) {}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
