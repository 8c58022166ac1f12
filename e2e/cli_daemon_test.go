//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
)

// TestCLIRemoteDaemon drives `securefile build` the way a team with a
// remote builder does: a buildkitd on tcp:// that requires mutual TLS,
// and a registry that requires a login, whose credentials come from the
// Docker config file. The pushed image is read back from the registry.
func TestCLIRemoteDaemon(t *testing.T) {
	t.Parallel()
	bin := buildCLI(t)
	dir := t.TempDir()
	pki := newPKI(t, dir)

	// The registry: basic auth in front of the harness registry.
	const user, pass = "ci-bot", "s3cret-registry-pass"
	var authorized, refused atomic.Int32
	upstream, _ := url.Parse("http://127.0.0.1" + h.registry[strings.LastIndex(h.registry, ":"):])
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="e2e"`)
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		authorized.Add(1)
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	regHost := ln.Addr().String()

	// The daemon: its own config (the auth registry is plain HTTP) and a
	// tcp address with client certificates required.
	cfg, err := os.ReadFile(filepath.Join(h.repo, ".cache", "e2e", "run", "buildkitd.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, fmt.Sprintf("\n[registry.%q]\n  http = true\n  insecure = true\n", regHost)...)
	cfgFile := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	addr := fmt.Sprintf("tcp://127.0.0.1:%d", port)
	startDaemonWith(t, daemonOpts{
		config:    cfgFile,
		addr:      addr,
		args:      []string{"--tlscert", pki.serverCert, "--tlskey", pki.serverKey, "--tlscacert", pki.ca},
		clientOpt: []client.ClientOpt{client.WithServerConfig("127.0.0.1", pki.ca), client.WithCredentials(pki.clientCert, pki.clientKey)},
	})

	// Docker config with the registry login, as `docker login` writes it.
	dockerCfg := filepath.Join(dir, "docker")
	if err := os.MkdirAll(dockerCfg, 0o700); err != nil {
		t.Fatal(err)
	}
	auths, _ := json.Marshal(map[string]any{"auths": map[string]any{
		regHost: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))},
	}})
	if err := os.WriteFile(filepath.Join(dockerCfg, "config.json"), auths, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"DOCKER_CONFIG=" + dockerCfg, "BUILDKIT_HOST="}

	tag := "e2e/remote-cli:" + nonce(t, 6)
	build := func(t *testing.T, want int, extra ...string) string {
		args := append([]string{"build", "--addr", addr, "--progress", "plain",
			"--build-arg", "BASE=" + h.base,
			"--output", "type=image,name=" + regHost + "/" + tag + ",push=true"}, extra...)
		return runCLI(t, bin, env, want, append(args, "examples/hello")...)
	}

	t.Run("no TLS flags", func(t *testing.T) {
		out := build(t, exitFindingsCode)
		for _, want := range []string{"cannot reach a BuildKit daemon at " + addr, "--tlscacert"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("half a client certificate", func(t *testing.T) {
		out := build(t, exitUsageCode, "--tlscacert", pki.ca, "--tlscert", pki.clientCert)
		if !strings.Contains(out, "--tlscert and --tlskey go together") {
			t.Errorf("output:\n%s", out)
		}
	})
	t.Run("no registry login", func(t *testing.T) {
		before := refused.Load()
		out := runCLI(t, bin, []string{"DOCKER_CONFIG=" + t.TempDir(), "BUILDKIT_HOST="}, exitFindingsCode,
			"build", "--addr", addr, "--tlsdir", pki.dir, "--progress", "plain", "--build-arg", "BASE="+h.base,
			"--output", "type=image,name="+regHost+"/"+tag+"-anon,push=true", "examples/hello")
		if refused.Load() == before {
			t.Errorf("the registry refused nothing; output:\n%s", out)
		}
		if !strings.Contains(strings.ToLower(out), "401") && !strings.Contains(strings.ToLower(out), "unauthorized") {
			t.Errorf("output does not say the push was unauthorized:\n%s", out)
		}
	})
	t.Run("TLS and login", func(t *testing.T) {
		before := authorized.Load()
		build(t, 0, "--tlscacert", pki.ca, "--tlscert", pki.clientCert, "--tlskey", pki.clientKey)
		if authorized.Load() == before {
			t.Fatal("no authorized request reached the registry")
		}
		imgs := registryImages(t, h.registry+"/"+tag)
		if len(imgs) != 1 {
			t.Fatalf("registry has %d images for %s", len(imgs), tag)
		}
		if got := fileString(t, imgs[0].files(t), "/hello.txt"); !strings.HasPrefix(got, "Hello, ") {
			t.Errorf("/hello.txt = %q", got)
		}
	})
	t.Run("tlsdir", func(t *testing.T) {
		build(t, 0, "--tlsdir", pki.dir)
	})
}

// Exit codes of the CLI (cmd/securefile/main.go).
const (
	exitFindingsCode = 1
	exitUsageCode    = 2
)

// pki is a CA with a server certificate for 127.0.0.1 and a client
// certificate, written in buildctl's --tlsdir layout (ca.pem, cert.pem,
// key.pem are the client's).
type pki struct {
	dir, ca, serverCert, serverKey, clientCert, clientKey string
}

func newPKI(t *testing.T, dir string) pki {
	t.Helper()
	p := pki{dir: filepath.Join(dir, "tls")}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p.ca = filepath.Join(p.dir, "ca.pem")
	p.clientCert, p.clientKey = filepath.Join(p.dir, "cert.pem"), filepath.Join(p.dir, "key.pem")
	p.serverCert, p.serverKey = filepath.Join(dir, "server-cert.pem"), filepath.Join(dir, "server-key.pem")

	caKey, caDER := makeCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	for _, c := range []struct {
		tmpl      *x509.Certificate
		cert, key string
	}{
		{&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "buildkitd"},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, p.serverCert, p.serverKey},
		{&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "client"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, p.clientCert, p.clientKey},
	} {
		key, der := makeCert(t, c.tmpl, caCert, caKey)
		writePEM(t, c.cert, "CERTIFICATE", der)
		kb, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, c.key, "EC PRIVATE KEY", kb)
	}
	return p
}

// makeCert signs tmpl with the parent (self-signed when parent is nil).
func makeCert(t *testing.T, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
