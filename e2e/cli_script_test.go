//go:build e2e

package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected files of e2e/testdata/cliscript from what the commands printed (testscript's UpdateScripts)")

// TestCLIScripts runs e2e/testdata/cliscript/*.txtar: the securefile binary
// of this checkout (on PATH as securefile) against the harness daemon, as
// cmd/securefile's scripts run it offline. Each script gets:
//
//	BUILDKIT_HOST  the harness daemon
//	REGISTRY       the plain-HTTP registry (host:port, as images name it)
//	BASE           the busybox base image (linux/amd64 + linux/386)
//	EXAMPLES       the repository's examples/
//	NONCE          fresh random hex: a build arg that makes a step run again
//
// and the commands of scriptCmds for what a shell cannot check: files in
// an OCI or plain tar, registry contents, file modes, exact exit codes, a
// second daemon (with TLS, or killed during a build), a registry that
// requires a login.
func TestCLIScripts(t *testing.T) {
	bin := buildCLI(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "cliscript"),
		UpdateScripts:       *updateScripts,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			b := make([]byte, 8)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("BUILDKIT_HOST", h.addr)
			env.Setenv("REGISTRY", h.registry)
			env.Setenv("BASE", h.base)
			env.Setenv("EXAMPLES", filepath.Join(h.repo, "examples"))
			env.Setenv("NONCE", hex.EncodeToString(b))
			return nil
		},
		Cmds: scriptCmds,
	})
}

var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"exits":             cmdExits,
	"oci-file":          cmdOCIFile,
	"oci-platform":      cmdOCIPlatform,
	"tar-file":          cmdTarFile,
	"registry-file":     cmdRegistryFile,
	"registry-has":      cmdRegistryHas,
	"perm":              cmdPerm,
	"pki":               cmdPKI,
	"docker-login":      cmdDockerLogin,
	"auth-registry":     cmdAuthRegistry,
	"buildkitd":         cmdBuildkitd,
	"kill-when-running": cmdKillWhenRunning,
	"killed":            cmdKilled,
}

// exits N CMD [ARGS...]: run CMD (like exec) and require exit status N;
// its stdout and stderr are then what stdout and stderr match.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N CMD [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// oci-file TAR PATH: print the content of PATH in the only image of the OCI
// archive TAR (layers applied); with !, PATH must not be in it.
func cmdOCIFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: oci-file TAR PATH")
	}
	a, err := loadOCI(ts.MkAbs(args[0]))
	ts.Check(err)
	img, err := a.onlyImage()
	ts.Check(err)
	printImageFile(ts, neg, img, args[1])
}

// printImageFile writes the regular file p of img to the script's stdout.
func printImageFile(ts *testscript.TestScript, neg bool, img *ociImage, p string) {
	files, err := img.fileMap()
	ts.Check(err)
	f := files[strings.TrimPrefix(p, "/")]
	switch {
	case f == nil && !neg:
		ts.Fatalf("%s is not in the image", p)
	case f != nil && neg:
		ts.Fatalf("%s is in the image", p)
	case f != nil:
		_, err = ts.Stdout().Write(f.data)
		ts.Check(err)
	}
}

// oci-platform TAR: print the platform of the only image of TAR.
func cmdOCIPlatform(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: oci-platform TAR")
	}
	a, err := loadOCI(ts.MkAbs(args[0]))
	ts.Check(err)
	img, err := a.onlyImage()
	ts.Check(err)
	fmt.Fprintln(ts.Stdout(), img.platformString())
}

// tar-file TAR NAME: print the content of NAME in the plain tar archive
// TAR; with !, NAME must not be in it.
func cmdTarFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tar-file TAR NAME")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	files, err := tarMembers(b)
	ts.Check(err)
	data, ok := files[filepath.Clean(args[1])]
	switch {
	case !ok && !neg:
		ts.Fatalf("%s is not in %s", args[1], args[0])
	case ok && neg:
		ts.Fatalf("%s is in %s", args[1], args[0])
	case ok:
		_, err = ts.Stdout().Write(data)
		ts.Check(err)
	}
}

// tarMembers are the regular files of a tar archive by cleaned name.
func tarMembers(b []byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[filepath.Clean(hdr.Name)] = data
	}
}

// registry-file REF PATH: print the content of PATH in the only image the
// registry holds for REF; with !, PATH must not be in it.
func cmdRegistryFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: registry-file REF PATH")
	}
	imgs, err := fetchImages(args[0])
	ts.Check(err)
	if len(imgs) != 1 {
		ts.Fatalf("the registry has %d images for %s, want 1", len(imgs), args[0])
	}
	printImageFile(ts, neg, imgs[0], args[1])
}

// registry-has REF: the registry has a manifest (or index) for REF; with !,
// it has none.
func cmdRegistryHas(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: registry-has HOST/REPO:TAG")
	}
	host, rest, _ := strings.Cut(args[0], "/")
	repo, tag, _ := strings.Cut(rest, ":")
	req, err := http.NewRequest(http.MethodHead, "http://"+host+"/v2/"+repo+"/manifests/"+tag, nil)
	ts.Check(err)
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	resp.Body.Close()
	switch {
	case neg && resp.StatusCode == http.StatusOK:
		ts.Fatalf("HEAD %s: %s, want none", req.URL, resp.Status)
	case neg && resp.StatusCode == http.StatusNotFound:
	case resp.StatusCode != http.StatusOK || neg:
		ts.Fatalf("HEAD %s: %s", req.URL, resp.Status)
	}
}

// perm MODE FILE: FILE's permission bits are MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: perm MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	st, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := st.Mode().Perm(); got != os.FileMode(want) {
		ts.Fatalf("%s has mode %#o, want %#o", args[1], got, want)
	}
}

// pki DIR: a CA with a server certificate for 127.0.0.1 and a client
// certificate, in buildctl's --tlsdir layout: DIR/ca.pem, DIR/cert.pem and
// DIR/key.pem are the client's; DIR/server-cert.pem and DIR/server-key.pem
// are for buildkitd -tls.
func cmdPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pki DIR")
	}
	ts.Check(writePKI(ts.MkAbs(args[0])))
}

func writePKI(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caKey, caDER, err := makeCert(&x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER); err != nil {
		return err
	}
	for _, c := range []struct {
		tmpl      *x509.Certificate
		cert, key string
	}{
		{&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "buildkitd"},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
			"server-cert.pem", "server-key.pem"},
		{&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "client"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, "cert.pem", "key.pem"},
	} {
		key, der, err := makeCert(c.tmpl, caCert, caKey)
		if err != nil {
			return err
		}
		kb, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, c.cert), "CERTIFICATE", der); err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, c.key), "EC PRIVATE KEY", kb); err != nil {
			return err
		}
	}
	return nil
}

// makeCert signs tmpl with the parent (self-signed when parent is nil).
func makeCert(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	return key, der, err
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// docker-login DIR HOST USER PASS: DIR/config.json with a login for HOST,
// as `docker login` writes it (point DOCKER_CONFIG at DIR).
func cmdDockerLogin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: docker-login DIR HOST USER PASS")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o700))
	cfg, err := json.Marshal(map[string]any{"auths": map[string]any{
		args[1]: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(args[2] + ":" + args[3]))},
	}})
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600))
}

// auth-registry VAR USER PASS LOG: a registry that requires a basic-auth
// login, in front of the harness registry, until the script ends; $VAR is
// its host:port. Each request appends a line to LOG: "authorized METHOD
// PATH" or "refused METHOD PATH" (LOG is opened per request, so a script
// may rm it between builds).
func cmdAuthRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: auth-registry VAR USER PASS LOG")
	}
	user, pass, logPath := args[1], args[2], ts.MkAbs(args[3])
	upstream, err := url.Parse("http://127.0.0.1" + h.registry[strings.LastIndex(h.registry, ":"):])
	ts.Check(err)
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	logLine := func(what string, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return
		}
		fmt.Fprintf(f, "%s %s %s\n", what, r.Method, r.URL.Path)
		f.Close()
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			logLine("refused", r)
			w.Header().Set("WWW-Authenticate", `Basic realm="e2e"`)
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		logLine("authorized", r)
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	ts.Defer(func() { srv.Close() })
	ts.Setenv(args[0], ln.Addr().String())
}

// scriptDaemons are the daemons the buildkitd command started, by script
// and variable, for kill-when-running.
var scriptDaemons sync.Map // *testscript.TestScript + "\x00" + VAR -> *daemon

func daemonKey(ts *testscript.TestScript, name string) string {
	return fmt.Sprintf("%p\x00%s", ts, name)
}

// buildkitd [-tls DIR] [-registry HOST] VAR: a second buildkitd with its own
// root (the harness daemon's config), until the script ends; $VAR is its
// address. -tls DIR (from pki DIR): on tcp://127.0.0.1:PORT, client
// certificates required. -registry HOST: HOST is plain HTTP too.
func cmdBuildkitd(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("buildkitd", flag.ContinueOnError)
	tlsDir := fs.String("tls", "", "")
	registry := fs.String("registry", "", "")
	if err := fs.Parse(args); neg || err != nil || fs.NArg() != 1 {
		ts.Fatalf("usage: buildkitd [-tls DIR] [-registry HOST] VAR")
	}
	var o daemonOpts
	if *registry != "" {
		cfg, err := os.ReadFile(filepath.Join(h.repo, ".cache", "e2e", "run", "buildkitd.toml"))
		ts.Check(err)
		cfg = append(cfg, fmt.Sprintf("\n[registry.%q]\n  http = true\n  insecure = true\n", *registry)...)
		o.config = ts.MkAbs("buildkitd-" + fs.Arg(0) + ".toml")
		ts.Check(os.WriteFile(o.config, cfg, 0o644))
	}
	if *tlsDir != "" {
		dir := ts.MkAbs(*tlsDir)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		o.addr = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		o.args = []string{"--tlscert", filepath.Join(dir, "server-cert.pem"), "--tlskey", filepath.Join(dir, "server-key.pem"),
			"--tlscacert", filepath.Join(dir, "ca.pem")}
		o.clientOpt = []client.ClientOpt{client.WithServerConfig("127.0.0.1", filepath.Join(dir, "ca.pem")),
			client.WithCredentials(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))}
	}
	d, err := spawnDaemon(o)
	ts.Check(err)
	key := daemonKey(ts, fs.Arg(0))
	scriptDaemons.Store(key, d)
	ts.Defer(func() {
		scriptDaemons.Delete(key)
		if err := d.stop(ts.Logf); err != nil {
			ts.Logf("%v", err)
		}
		ts.Logf("buildkitd %s's log:\n%s", fs.Arg(0), d.logs.String())
	})
	ts.Logf("buildkitd %s on %s, root %s", fs.Arg(0), d.addr, d.root)
	ts.Setenv(fs.Arg(0), d.addr)
}

// watchers are the kill-when-running watchers, by script and variable.
var watchers sync.Map // daemonKey -> *watcher

type watcher struct {
	stop   chan struct{} // closed when the script ends
	done   chan struct{} // closed when the watcher is done
	killed time.Time     // zero when the step never ran
	err    error
}

// kill-when-running VAR WORD: as soon as a process whose command line holds
// WORD runs (a build step of the daemon $VAR, say), kill that daemon with
// SIGKILL to its process group, as a crash or an OOM kill ends it. It
// watches in the background for up to 3 minutes; killed VAR waits for it.
// When the script ends, the processes holding WORD are killed before the
// daemon's root is unmounted (runc leaves a step running when its daemon
// dies).
func cmdKillWhenRunning(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: kill-when-running VAR WORD")
	}
	v, ok := scriptDaemons.Load(daemonKey(ts, args[0]))
	if !ok {
		ts.Fatalf("no daemon %s (start it with buildkitd %s)", args[0], args[0])
	}
	d, word := v.(*daemon), args[1]
	w := &watcher{stop: make(chan struct{}), done: make(chan struct{})}
	key := daemonKey(ts, args[0])
	watchers.Store(key, w)
	go func() {
		defer close(w.done)
		deadline := time.Now().Add(3 * time.Minute)
		for len(processesWith(word)) == 0 {
			if time.Now().After(deadline) {
				w.err = fmt.Errorf("no process with %q ran in 3 minutes", word)
				return
			}
			select {
			case <-w.stop:
				// The script ended (the daemon is stopped next): a
				// kill now could hit a reused pid.
				w.err = errors.New("the script ended before the step ran")
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		if err := syscall.Kill(-d.pid(), syscall.SIGKILL); err != nil {
			w.err = fmt.Errorf("killing buildkitd %d: %v", d.pid(), err)
			return
		}
		w.killed = time.Now()
	}()
	ts.Defer(func() {
		close(w.stop)
		<-w.done
		watchers.Delete(key)
		killProcessesWith(ts.Logf, word)
	})
}

// killed VAR [WITHIN]: the watcher of kill-when-running VAR killed the
// daemon, and the command before this one ended at most WITHIN (default
// 1m) after that.
func cmdKilled(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: killed VAR [WITHIN]")
	}
	now := time.Now()
	within := time.Minute
	if len(args) == 2 {
		var err error
		within, err = time.ParseDuration(args[1])
		ts.Check(err)
	}
	v, ok := watchers.Load(daemonKey(ts, args[0]))
	if !ok {
		ts.Fatalf("no kill-when-running %s", args[0])
	}
	w := v.(*watcher)
	<-w.done
	ts.Check(w.err)
	if took := now.Sub(w.killed); took > within {
		ts.Fatalf("the command ended %v after the daemon was killed, want at most %v", took.Round(time.Second), within)
	}
}

// killProcessesWith ends the processes whose command line holds word, each
// with its process group (a step's shell leads it), and waits up to 10 s
// for them to be gone.
func killProcessesWith(logf func(string, ...any), word string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := processesWith(word)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			if pgid, err := syscall.Getpgid(pid); err == nil && pgid > 1 {
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if time.Now().After(deadline) {
			logf("the processes %v holding %q are still running", pids, word)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processesWith are the pids whose command line holds word (not this
// test binary's).
func processesWith(word string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range procs {
		dt, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(dt, []byte(word)) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}
