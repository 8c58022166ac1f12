package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildctl/build"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

// connectTimeout bounds the check that the daemon answers at all.
const connectTimeout = 5 * time.Second

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// buildFlags are the flags of securefile build, as docker buildx and
// buildctl users know them.
type buildFlags struct {
	daemonFlags
	file, target, platform, progress, call string
	noCache, noVerify                      bool
	buildArgs, secrets, ssh, contexts      multiFlag
	outputs, cacheFrom, cacheTo, allow     multiFlag
	frozen                                 bool
	// toolImage is --tool-image: the securefile image the tools run from.
	toolImage string
	// toolNeed says which secret the target mounts, "" for none (toolNeed).
	toolNeed string
	// files are the outputs to a file, written next to dest and moved
	// there when the build succeeds.
	files *fileOutputs
	// local are the directories of the "dockerfile" and "context"
	// locals, which the in-process frontend reads itself.
	local frontend.Local
}

// registerCommon adds the flags securefile build and lock share: the
// daemon's, and the build file's.
func (f *buildFlags) registerCommon(fs *flag.FlagSet) {
	f.daemonFlags.register(fs)
	for _, n := range []string{"f", "file"} {
		fs.StringVar(&f.file, n, "", "build `file` (default CONTEXT/Securefile, else CONTEXT/Securefile.toml)")
	}
}

// contextArg is the one optional CONTEXT argument, "." by default; with
// more it prints the usage and reports false.
func contextArg(fs *flag.FlagSet, cmd string, stderr io.Writer) (string, bool) {
	switch fs.NArg() {
	case 0:
		return ".", true
	case 1:
		return fs.Arg(0), true
	}
	fmt.Fprintf(stderr, "securefile %s: at most one CONTEXT\n", cmd)
	fs.Usage()
	return "", false
}

// callRequests are the subrequests securefile build --call runs; lock
// prints the lock instead of writing it as securefile lock does.
var callRequests = map[string]string{
	"outline": "frontend.outline",
	"targets": "frontend.targets",
	"check":   "frontend.lint",
	"lock":    frontend.LockRequest,
}

func runBuild(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("build", "[flags] [CONTEXT]", stderr)
	var f buildFlags
	f.registerCommon(fs)
	fs.StringVar(&f.target, "target", "", "`stage` to build")
	fs.StringVar(&f.platform, "platform", "", "target `platforms`, comma-separated")
	fs.StringVar(&f.progress, "progress", "auto", "progress output: auto, tty, plain or quiet")
	fs.StringVar(&f.call, "call", "", "run a subrequest instead of building: outline, targets, check or lock")
	fs.BoolVar(&f.noCache, "no-cache", false, "do not use the build cache")
	fs.BoolVar(&f.noVerify, "no-verify", false, "do not verify that no secret leaks into the image (warns)")
	fs.BoolVar(&f.frozen, "frozen", false, "fail when Securefile.lock misses a source or a source drifted from it")
	fs.StringVar(&f.toolImage, "tool-image", "", "securefile `image` to run the leak scanner and the secret digest from (default: the securefile-tool this binary embeds for the daemon's platform, else this binary when it is static linux for it, else the image of this version)")
	fs.Var(&f.buildArgs, "build-arg", "build argument `KEY=VALUE` (repeatable)")
	fs.Var(&f.secrets, "secret", "secret `id=ID,src=PATH|env=VAR` (repeatable)")
	fs.Var(&f.ssh, "ssh", "ssh agent or keys `default|ID[=SOCKET|KEYS]` (repeatable)")
	fs.Var(&f.contexts, "build-context", "named context `NAME=PATH|docker-image://REF|…` (repeatable)")
	for _, n := range []string{"o", "output"} {
		fs.Var(&f.outputs, n, "output `type=image|local|tar|oci,…` (repeatable; default: none)")
	}
	fs.Var(&f.cacheFrom, "cache-from", "import cache `type=registry,ref=…` (repeatable)")
	fs.Var(&f.cacheTo, "cache-to", "export cache `type=registry,ref=…,mode=max` (repeatable)")
	fs.Var(&f.allow, "allow", "allow an `entitlement`: network.host or security.insecure (repeatable)")
	_, opt, mode, code, ok := f.prepare(fs, args, "build", stderr)
	if !ok {
		return code
	}
	return doBuild(f, opt, mode, stdout, stderr)
}

// prepare parses the flags and the CONTEXT argument of securefile cmd and
// makes the solve options; when it reports false, the command exits with
// code, having said why.
func (f *buildFlags) prepare(fs *flag.FlagSet, args []string, cmd string, stderr io.Writer) (contextDir string, opt client.SolveOpt, mode progressui.DisplayMode, code int, ok bool) {
	if code, done := parseFlags(fs, args); done {
		return "", opt, mode, code, false
	}
	contextDir, ok = contextArg(fs, cmd, stderr)
	if !ok {
		return "", opt, mode, exitUsage, false
	}
	opt, mode, err := f.solveOpt(contextDir)
	if err != nil {
		fmt.Fprintf(stderr, "securefile %s: %v\n", cmd, err)
		if errors.As(err, new(usageError)) {
			return "", opt, mode, exitUsage, false
		}
		return "", opt, mode, exitFindings, false
	}
	return contextDir, opt, mode, exitOK, true
}

// usageError is a bad flag value: exit code 2.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// solveOpt turns the flags into a SolveOpt and checks every value before
// the daemon is contacted: the plain values first, then the files and
// directories they name, and the build file last, which needs them all.
func (f *buildFlags) solveOpt(contextDir string) (client.SolveOpt, progressui.DisplayMode, error) {
	var opt client.SolveOpt
	mode, err := displayMode(f.progress)
	if err != nil {
		return opt, mode, err
	}
	attrs, err := f.frontendAttrs()
	if err != nil {
		return opt, mode, err
	}
	if err := f.exports(&opt); err != nil {
		return opt, mode, err
	}
	if err := f.sessions(&opt); err != nil {
		return opt, mode, err
	}
	file, err := f.localMounts(contextDir, attrs, &opt)
	if err != nil {
		return opt, mode, err
	}
	opt.FrontendAttrs = attrs
	opt.AllowedEntitlements = f.allow
	if f.noVerify {
		attrs[frontend.VerifyOption] = "false"
	}
	// A build that exports nothing asks for no result: it runs, is cached
	// and verified the same, and the daemon has no result to walk for its
	// history (frontend/noresult.go).
	if f.call == "" && len(opt.Exports) == 0 && len(opt.CacheExports) == 0 {
		attrs[frontend.ResultOption] = frontend.ResultNone
	}
	if err := checkToolImage(f.toolImage); err != nil {
		return opt, mode, err
	}
	if err := f.checkBeforeSending(file, attrs); err != nil {
		return opt, mode, err
	}
	return opt, mode, nil
}

// frontendAttrs are the frontend options of the flags that are plain
// values: the subrequest, target, platform, cache and lock modes, and the
// build args.
func (f *buildFlags) frontendAttrs() (map[string]string, error) {
	attrs := map[string]string{}
	if f.call != "" {
		req, ok := callRequests[f.call]
		if !ok {
			return nil, usageErrorf("--call must be outline, targets, check or lock, not %q", f.call)
		}
		attrs["requestid"] = req
		attrs["frontend.caps"] = "moby.buildkit.frontend.subrequests"
	}
	if f.target != "" {
		attrs["target"] = f.target
	}
	if f.platform != "" {
		attrs["platform"] = f.platform
	}
	if f.noCache {
		attrs["no-cache"] = ""
	}
	if f.frozen {
		attrs[frontend.LockOption] = frontend.LockFrozen
	}
	for _, a := range f.buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--build-arg %q: want KEY=VALUE", a)
		}
		attrs["build-arg:"+k] = v
	}
	return attrs, nil
}

// exports checks --allow and sets the outputs and the cache exports and
// imports of opt.
func (f *buildFlags) exports(opt *client.SolveOpt) error {
	if err := build.ValidateAllow(f.allow); err != nil {
		return usageErrorf("--allow: %v", err)
	}
	f.files = &fileOutputs{}
	var err error
	if opt.Exports, err = parseOutputs(f.outputs, f.files); err != nil {
		return usageErrorf("--output: %v", err)
	}
	for _, e := range opt.Exports {
		switch e.Type {
		case client.ExporterImage, "registry", client.ExporterLocal, client.ExporterTar, client.ExporterOCI, client.ExporterDocker:
		default:
			return usageErrorf("--output: unknown type %q (want image, registry, local, tar, oci or docker)", e.Type)
		}
	}
	if opt.CacheExports, err = build.ParseExportCache(f.cacheTo); err != nil {
		return usageErrorf("--cache-to: %v", err)
	}
	if opt.CacheImports, err = build.ParseImportCache(f.cacheFrom); err != nil {
		return usageErrorf("--cache-from: %v", err)
	}
	return nil
}

// sessions adds what the daemon asks the client for during the build:
// registry credentials, the secrets and the ssh agents.
func (f *buildFlags) sessions(opt *client.SolveOpt) error {
	auth, err := f.registryAuth()
	if err != nil {
		return err
	}
	opt.Session = append(opt.Session, auth)
	if len(f.secrets) > 0 {
		sp, err := build.ParseSecret(f.secrets)
		if err != nil {
			return usageErrorf("--secret: %v", err)
		}
		opt.Session = append(opt.Session, sp)
	}
	if len(f.ssh) > 0 {
		sp, err := sshAgents(f.ssh)
		if err != nil {
			return err
		}
		opt.Session = append(opt.Session, sp)
	}
	return nil
}

// localMounts sets the directories the daemon reads, the context, the
// build file's and the local named contexts, and their frontend options;
// it returns the build file's path.
func (f *buildFlags) localMounts(contextDir string, attrs map[string]string, opt *client.SolveOpt) (string, error) {
	if st, err := os.Stat(contextDir); err != nil {
		return "", fmt.Errorf("context: %w", err)
	} else if !st.IsDir() {
		return "", fmt.Errorf("context %s is not a directory", contextDir)
	}
	file, err := buildFile(contextDir, f.file)
	if err != nil {
		return "", err
	}
	attrs["filename"] = filepath.Base(file)
	ctxFS, err := fsutil.NewFS(contextDir)
	if err != nil {
		return "", err
	}
	fileFS, err := fsutil.NewFS(filepath.Dir(file))
	if err != nil {
		return "", err
	}
	opt.LocalMounts = map[string]fsutil.FS{"context": ctxFS, "dockerfile": fileFS}
	f.local = frontend.Local{BuildFileDir: filepath.Dir(file), ContextDir: contextDir}

	for _, c := range f.contexts {
		name, v, ok := strings.Cut(c, "=")
		if !ok || name == "" || v == "" {
			return "", usageErrorf("--build-context %q: want NAME=PATH or NAME=docker-image://REF", c)
		}
		if strings.Contains(v, "://") || strings.HasPrefix(v, "input:") {
			attrs["context:"+name] = v
			continue
		}
		if name == "context" || name == "dockerfile" {
			return "", usageErrorf("--build-context %q: a local context cannot be named %q", c, name)
		}
		if st, err := os.Stat(v); err != nil || !st.IsDir() {
			return "", fmt.Errorf("--build-context %s: %s is not a directory", name, v)
		}
		fs, err := fsutil.NewFS(v)
		if err != nil {
			return "", err
		}
		opt.LocalMounts[name] = fs
		attrs["context:"+name] = "local:" + name
	}
	return file, nil
}

// checkBeforeSending refuses, before anything is sent, the options the
// frontend would refuse once BuildKit has recorded them, and a build that
// lacks a secret or ssh agent it requires. A file that does not load is
// left to the frontend, which reports it with its source; one too large
// to be a build file is not sent.
func (f *buildFlags) checkBeforeSending(file string, attrs map[string]string) error {
	bf, src, err := loadBuildFile(file, attrs)
	if err != nil || bf == nil {
		return err
	}
	// A secret among the options is refused, as the frontend does, but
	// before they are sent: BuildKit records a build's options in its
	// history even when the frontend then refuses them.
	if err := frontend.SecretOptions(bf, attrs); err != nil {
		return err
	}
	// Subrequests (and lock) run no step: they need no secret.
	if f.call == "" {
		f.toolNeed = toolNeed(bf, file, src, attrs)
		return checkRequired(bf, file, src, attrs, f.secrets, f.ssh)
	}
	return nil
}

// loadBuildFile loads the build file as the frontend will, under its base
// name and in the syntax the options force; nil when it does not load
// without errors, which the frontend then reports with its source. A file
// over the frontend's limit is an error.
func loadBuildFile(file string, attrs map[string]string) (*spec.File, []byte, error) {
	src, err := readFile(file, os.Stdin)
	var tooLarge *frontend.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, nil
	}
	syntax := grammar.Detect(file)
	// The build arg that forces the syntax, as the frontend reads it.
	if forced, ok := attrs["build-arg:BUILDKIT_SECUREFILE_SYNTAX"]; ok {
		if s, err := grammar.ParseSyntax(forced); err == nil {
			syntax = s
		}
	}
	f, diags := grammar.Load(filepath.Base(file), src, syntax)
	if f == nil || diags.HasErrors() {
		return nil, nil, nil
	}
	return f, src, nil
}

// buildFile finds the build file: the flag, else CONTEXT/Securefile, else
// CONTEXT/Securefile.toml.
func buildFile(contextDir, flagFile string) (string, error) {
	if flagFile != "" {
		st, err := os.Stat(flagFile)
		if err != nil {
			return "", fmt.Errorf("build file: %w", err)
		}
		if st.IsDir() {
			return "", fmt.Errorf("build file %s is a directory", flagFile)
		}
		return flagFile, nil
	}
	for _, n := range []string{"Securefile", "Securefile.toml"} {
		p := filepath.Join(contextDir, n)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Securefile or Securefile.toml in %s (use -f to name the build file)", contextDir)
}

// displayMode maps --progress to a progressui mode. auto is progressui's
// AutoMode, as in buildctl: the console display when stderr is a terminal,
// else plain. Deciding here from the file mode would take /dev/null, a
// character device but no console, for a terminal.
func displayMode(s string) (progressui.DisplayMode, error) {
	switch s {
	case "auto", "":
		return progressui.AutoMode, nil
	case "tty":
		return progressui.TtyMode, nil
	case "plain":
		return progressui.PlainMode, nil
	case "quiet":
		return progressui.QuietMode, nil
	}
	return "", usageErrorf("--progress must be auto, tty, plain or quiet, not %q", s)
}

func doBuild(f buildFlags, opt client.SolveOpt, mode progressui.DisplayMode, stdout, stderr io.Writer) int {
	// The display first: a --progress that cannot work is a usage error,
	// found before any daemon is contacted.
	display, err := progressui.NewDisplay(stderr, mode)
	if err != nil { // only --progress tty fails, when stderr is no terminal
		fmt.Fprintf(stderr, "securefile build: --progress %s: %v; use --progress auto or plain when stderr is not a terminal\n", mode, err)
		return exitUsage
	}
	c, workers, err := f.connect()
	if err != nil {
		fmt.Fprintln(stderr, "securefile build:", err)
		if errors.As(err, new(usageError)) {
			return exitUsage
		}
		return exitFindings
	}
	defer c.Close()
	opt.SharedKey = localSharedKey()
	if err := f.offerTool(workersPlatform(workers), &opt); err != nil {
		fmt.Fprintln(stderr, "securefile build:", err)
		return exitFindings
	}
	var meta map[string][]byte
	ch := make(chan *client.SolveStatus)
	var eg errgroup.Group
	eg.Go(func() error { return showProgress(display, ch, stderr) })
	// The frontend runs here, so it reads the build file and the other
	// files of its own from the directories (frontend.BuildLocal) and
	// shows their vertices beside the daemon's.
	statuses := newStatusMux(ch)
	local := f.local
	local.Progress = statuses.send
	_, buildErr := c.Build(context.Background(), opt, "securefile", func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		res, err := frontend.BuildLocal(ctx, gc, local)
		if err == nil && res != nil && f.call != "" {
			meta = res.Metadata
		}
		return res, err
	}, statuses.in)
	_ = eg.Wait()
	if buildErr != nil {
		f.files.discard()
		if msg, gone := daemonGone(buildErr, f.addr); gone {
			fmt.Fprintln(stderr, "securefile build:", msg)
			return exitFindings
		}
		printBuildError(stderr, buildErr)
		return exitFindings
	}
	if err := f.files.commit(); err != nil {
		fmt.Fprintln(stderr, "securefile build:", err)
		return exitFindings
	}
	if f.call == "" {
		return exitOK
	}
	return printCall(f.call, meta, stdout, stderr)
}

// printCall prints a subrequest's answer; check fails when the file has
// errors.
func printCall(call string, meta map[string][]byte, stdout, stderr io.Writer) int {
	if txt, ok := meta["result.txt"]; ok {
		stdout.Write(txt)
	} else if js, ok := meta["result.json"]; ok {
		stdout.Write(js)
		if len(js) > 0 && js[len(js)-1] != '\n' {
			fmt.Fprintln(stdout)
		}
	}
	if call != "check" {
		return exitOK
	}
	var res lint.LintResults
	if err := json.Unmarshal(meta["result.json"], &res); err != nil {
		fmt.Fprintln(stderr, "securefile build: reading the check result:", err)
		return exitFindings
	}
	if res.Error != nil {
		fmt.Fprint(stderr, "error: ")
		res.PrintErrorTo(stderr, nil)
		return exitFindings
	}
	return exitOK
}

// printBuildError prints err and, like buildctl, the source lines it
// points at.
func printBuildError(w io.Writer, err error) {
	fmt.Fprintln(w, "error:", err)
	for _, s := range errdefs.Sources(err) {
		_ = s.Print(w)
	}
}

// localSharedKey is this user's SolveOpt.SharedKey: a random id kept in
// the user cache directory (securefile/shared-key), as buildx keeps one
// per node. BuildKit keeps the snapshot of each local (the context, the
// build file's directory, the securefile tool) under
// "name:hint:SharedKey" and, on the next build, sends only what changed
// against it (source/local/source.go). With no key, every client of a
// daemon shares one snapshot per local name, and two users, or two
// projects' CLIs of different versions, building in turn each resend
// their whole context and tool. "" (BuildKit's default) when the cache
// directory cannot be read or written: the build works, it only sends
// more.
func localSharedKey() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	path := filepath.Join(dir, "securefile", "shared-key")
	if dt, err := os.ReadFile(path); err == nil {
		if k := strings.TrimSpace(string(dt)); validSharedKey(k) {
			return k
		}
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return ""
	}
	k := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	// Written to a temporary file and renamed, so that concurrent first
	// builds each read a whole key (the last rename wins; a build that
	// used another key only misses the snapshots once).
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shared-key-*")
	if err != nil {
		return ""
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(k + "\n")
	if cerr := tmp.Close(); err != nil || cerr != nil {
		return ""
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return ""
	}
	return k
}

// validSharedKey is what localSharedKey writes: 32 lower-case hex digits.
func validSharedKey(k string) bool {
	if len(k) != 32 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil && strings.ToLower(k) == k
}
