package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// The offline commands (llb, outline, targets, graph) read a build file
// and answer what the frontend would, without a BuildKit daemon.

// offlineLocalID is the unique id of the main context's llb.Local, fixed
// so that the definition is the same on every run.
const offlineLocalID = "securefile-offline"

// offlineArgs collects repeated KEY=VALUE flags.
type offlineArgs map[string]string

func (a offlineArgs) String() string { return "" }

func (a offlineArgs) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want KEY=VALUE", v)
	}
	a[k] = val
	return nil
}

// loadOffline reads and checks a build file; on errors it prints every
// diagnostic to stderr as lint does and returns ok false.
func loadOffline(cmd, name string, stderr io.Writer) (in input, f *spec.File, ok bool) {
	in, err := readInput(name, "", os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "securefile %s: %v\n", cmd, err)
		return in, nil, false
	}
	f, diags := grammar.Load(in.name, in.src, in.syntax)
	if diags.HasErrors() {
		for _, d := range diags {
			fmt.Fprintln(stderr, d.String())
		}
		return in, nil, false
	}
	return in, f, true
}

// oneFile is the single FILE argument, or the -f flag.
func oneFile(cmd string, fs *flag.FlagSet, flagFile string, stderr io.Writer) (string, bool) {
	switch {
	case fs.NArg() > 1 || (fs.NArg() == 1 && flagFile != ""):
		fmt.Fprintf(stderr, "securefile %s: want one FILE\n", cmd)
	case fs.NArg() == 1:
		return fs.Arg(0), true
	case flagFile != "":
		return flagFile, true
	default:
		fs.Usage()
	}
	return "", false
}

func checkFormat(cmd, format string, stderr io.Writer, allowed ...string) bool {
	for _, a := range allowed {
		if format == a {
			return true
		}
	}
	fmt.Fprintf(stderr, "securefile %s: --format must be %s, not %q\n", cmd, strings.Join(allowed, " or "), format)
	return false
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// formattedFile is the common preamble of outline, targets and graph: a
// known --format, exactly one FILE, and that file loaded without errors.
// code is the exit code to return when ok is false.
func formattedFile(cmd string, fs *flag.FlagSet, format string, stderr io.Writer, formats ...string) (in input, f *spec.File, code int, ok bool) {
	if !checkFormat(cmd, format, stderr, formats...) {
		return in, nil, exitUsage, false
	}
	name, ok := oneFile(cmd, fs, "", stderr)
	if !ok {
		return in, nil, exitUsage, false
	}
	in, f, ok = loadOffline(cmd, name, stderr)
	if !ok {
		return in, nil, exitFindings, false
	}
	return in, f, exitOK, true
}

func runOutline(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("outline", "[--target T] [--platform P] [--build-arg K=V]... [--format text|json] FILE", stderr)
	target := fs.String("target", "", "the stage or image to outline (default: the file's default target)")
	platform := fs.String("platform", "", "the target platform (default: the file's first platform, else this machine's)")
	format := fs.String("format", "text", "text or json")
	bargs := offlineArgs{}
	fs.Var(bargs, "build-arg", "set an arg (KEY=VALUE, repeatable)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	flagPlatform, ok := parsePlatformFlag("outline", *platform, stderr)
	if !ok {
		return exitUsage
	}
	in, f, code, ok := formattedFile("outline", fs, *format, stderr, "text", "json")
	if !ok {
		return code
	}
	targetPlatform, buildPlatform, err := offlinePlatforms(f, flagPlatform, bargs)
	if err != nil {
		fmt.Fprintf(stderr, "securefile outline: %v\n", err)
		return exitFindings
	}
	o, err := frontend.OutlineOf(f, *target, in.src, bargs, buildPlatform, targetPlatform)
	if err != nil {
		fmt.Fprintf(stderr, "securefile outline: %v\n", err)
		return exitFindings
	}
	if *format == "json" {
		writeJSON(stdout, o)
		return exitOK
	}
	if err := o.Print(stdout); err != nil {
		fmt.Fprintf(stderr, "securefile outline: %v\n", err)
		return exitFindings
	}
	return exitOK
}

func runTargets(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("targets", "[--format text|json] FILE", stderr)
	format := fs.String("format", "text", "text or json")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	in, f, code, ok := formattedFile("targets", fs, *format, stderr, "text", "json")
	if !ok {
		return code
	}
	l := frontend.TargetsOf(f, in.src)
	if *format == "json" {
		writeJSON(stdout, l)
		return exitOK
	}
	dt, err := json.Marshal(l)
	if err == nil {
		err = targets.PrintTargets(dt, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "securefile targets: %v\n", err)
		return exitFindings
	}
	return exitOK
}

func runLLB(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("llb", "[-f FILE] [--target T] [--platform P] [--build-arg K=V]... [--build-context NAME=PATH|docker-image://REF]... [--json] [FILE]", stderr)
	file := fs.String("f", "", "the build file")
	target := fs.String("target", "", "the stage or image to build (default: the file's default target)")
	platform := fs.String("platform", "", "the target platform (default: the file's first platform, else this machine's)")
	asJSON := fs.Bool("json", false, "print the ops as JSON, like buildctl debug dump-llb --json")
	bargs := offlineArgs{}
	fs.Var(bargs, "build-arg", "set an arg (KEY=VALUE, repeatable)")
	contexts := offlineContexts{}
	fs.Var(contexts, "build-context", "named context `NAME=PATH|docker-image://REF` (repeatable)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	name, ok := oneFile("llb", fs, *file, stderr)
	if !ok {
		return exitUsage
	}
	flagPlatform, ok := parsePlatformFlag("llb", *platform, stderr)
	if !ok {
		return exitUsage
	}
	defer collectLate(lateGCHeap)()
	in, f, ok := loadOffline("llb", name, stderr)
	if !ok {
		return exitFindings
	}
	if err := frontend.SecretBuildArgs(f, bargs); err != nil {
		fmt.Fprintf(stderr, "securefile llb: %v\n", err)
		return exitFindings
	}
	tp, build, err := offlinePlatforms(f, flagPlatform, bargs)
	if err != nil {
		fmt.Fprintf(stderr, "securefile llb: %v\n", err)
		return exitFindings
	}
	ctx := context.Background()
	res, err := lower.Lower(ctx, f, lower.Options{
		Target:         *target,
		TargetPlatform: tp,
		BuildPlatform:  build,
		BuildArgs:      bargs,
		MainContext: func(_ context.Context, opts ...llb.LocalOption) (*llb.State, error) {
			st := llb.Local("context", append(opts, llb.LocalUniqueID(offlineLocalID))...)
			return &st, nil
		},
		NamedContext: contexts.namedContext,
		SourceMap:    llb.NewSourceMap(nil, in.name, "", in.src),
	})
	if err != nil {
		fmt.Fprintf(stderr, "securefile llb: %v\n", err)
		return exitFindings
	}
	def, err := res.State.Marshal(ctx, llb.Platform(tp))
	if err != nil {
		fmt.Fprintf(stderr, "securefile llb: %v\n", err)
		return exitFindings
	}
	if len(res.Secrets) > 0 {
		// Said every time: a definition piped into buildctl builds.
		fmt.Fprintf(stderr, "securefile llb: warning: the target mounts %d secret(s), and this definition has neither leak verification nor the secret digests that rebuild a step when its secret changes (a step is then a cache hit of a run with another value); build with securefile build or the frontend image to have both\n", len(res.Secrets))
	}
	if !*asJSON {
		// llb.WriteTo's bytes, but with the metadata maps in key order.
		dt, err := lower.MarshalDefinition(def)
		if err == nil {
			_, err = stdout.Write(dt)
		}
		if err != nil {
			fmt.Fprintf(stderr, "securefile llb: %v\n", err)
			return exitFindings
		}
		return exitOK
	}
	return dumpLLB(def, stdout, stderr)
}

// parsePlatformFlag parses --platform (nil when it is not given); ok is
// false, having said why, for a bad one.
func parsePlatformFlag(cmd, flagValue string, stderr io.Writer) (*ocispecs.Platform, bool) {
	if flagValue == "" {
		return nil, true
	}
	p, err := platforms.Parse(flagValue)
	if err != nil {
		fmt.Fprintf(stderr, "securefile %s: --platform: %v\n", cmd, err)
		return nil, false
	}
	p = platforms.Normalize(p)
	return &p, true
}

// offlinePlatforms are the target and build platforms of an offline
// command: the --platform flag, else the file's first platform, else this
// machine's, which is always the build platform.
func offlinePlatforms(f *spec.File, flagPlatform *ocispecs.Platform, buildArgs map[string]string) (target, build ocispecs.Platform, err error) {
	build = platforms.Normalize(platforms.DefaultSpec())
	if flagPlatform != nil {
		return *flagPlatform, build, nil
	}
	ps, err := frontend.FilePlatforms(f, buildArgs, build)
	if err != nil || len(ps) == 0 {
		return build, build, err
	}
	return ps[0], build, nil
}

// dumpLLB prints the ops as buildctl debug dump-llb --json does: one JSON
// object per op with its digest and metadata, here as an array.
func dumpLLB(def *llb.Definition, stdout, stderr io.Writer) int {
	pbDef := def.ToPB()
	mo := protojson.MarshalOptions{}
	fmt.Fprintln(stdout, "[")
	for i, dt := range pbDef.Def {
		var op pb.Op
		if err := proto.Unmarshal(dt, &op); err != nil {
			fmt.Fprintf(stderr, "securefile llb: %v\n", err)
			return exitFindings
		}
		dgst := digest.FromBytes(dt)
		opJSON, err := mo.Marshal(&op)
		if err != nil {
			fmt.Fprintf(stderr, "securefile llb: %v\n", err)
			return exitFindings
		}
		entry := map[string]json.RawMessage{"Op": opJSON, "Digest": json.RawMessage(fmt.Sprintf("%q", dgst))}
		if md, ok := pbDef.Metadata[string(dgst)]; ok && md != nil {
			mdJSON, err := mo.Marshal(md)
			if err != nil {
				fmt.Fprintf(stderr, "securefile llb: %v\n", err)
				return exitFindings
			}
			entry["OpMetadata"] = mdJSON
		}
		if pbDef.Source != nil {
			if locs, ok := pbDef.Source.Locations[string(dgst)]; ok && locs != nil {
				locJSON, err := mo.Marshal(locs)
				if err == nil {
					entry["Locations"] = locJSON
				}
			}
		}
		b, err := json.Marshal(entry)
		if err != nil {
			fmt.Fprintf(stderr, "securefile llb: %v\n", err)
			return exitFindings
		}
		sep := ","
		if i == len(pbDef.Def)-1 {
			sep = ""
		}
		fmt.Fprintf(stdout, "  %s%s\n", b, sep)
	}
	fmt.Fprintln(stdout, "]")
	return exitOK
}
