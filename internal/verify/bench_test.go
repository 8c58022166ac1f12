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
// secrets: their whole values only, or with their fields.
func benchPatterns(b *testing.B, fields bool) []Pattern {
	var ps []Pattern
	for i, v := range benchSecrets(b) {
		if fields {
			ps = append(ps, SecretPatterns(i, v).Patterns...)
		} else {
			ps = append(ps, Patterns(i, v)...)
		}
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

// BenchmarkMatchReader compares, in one run, the matcher with the
// secrets' whole values and with their fields too (on a shared machine
// only numbers of the same run compare).
func BenchmarkMatchReader(b *testing.B) {
	inputs := benchInputs(b)
	for _, patterns := range []string{"whole", "fields"} {
		ps := benchPatterns(b, patterns == "fields")
		m := NewMatcher(ps)
		for _, name := range []string{"random", "text"} {
			in := inputs[name]
			cand, cmp := m.work(in)
			b.Run(patterns+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					if _, err := m.MatchReader(bytes.NewReader(in), func(int) {}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(ps)), "patterns")
				b.ReportMetric(float64(cand)/float64(len(in)>>20), "candidates/MiB")
				b.ReportMetric(float64(cmp)/float64(len(in)>>20), "compares/MiB")
			})
		}
	}
}

// work counts, for b, the positions whose first two bytes start some
// pattern (candidates) and the pattern comparisons made after the
// third-byte check: the matcher's work beyond reading, which wall time on
// a shared machine measures badly.
func (m *Matcher) work(b []byte) (candidates, compares int) {
	for i := 0; i+2 < len(b); i++ {
		k := uint16(b[i])<<8 | uint16(b[i+1])
		if !m.table[k] {
			continue
		}
		candidates++
		g := &m.groups[m.group[k]]
		if c := b[i+2]; g.third[c>>6]&(1<<(c&63)) != 0 {
			compares += len(g.pats)
		}
	}
	return candidates, compares
}
