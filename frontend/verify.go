package frontend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/internal/verify"
	"github.com/ourorg/securefile/spec"
)

const (
	// keyVerify turns leak verification off for one build ("false");
	// argVerify is the same as a build arg, for clients that only pass
	// build args (docker buildx --build-arg).
	keyVerify = "securefile-verify"
	argVerify = "BUILDKIT_SECUREFILE_VERIFY"

	// Where the scanner finds its inputs: under a directory that is not
	// the name of the tool binary, which is at the root too.
	scanRoot    = "/.securefile-verify"
	scanSecrets = scanRoot + "/secrets"
	scanLayers  = scanRoot + "/layers"
	scanConfig  = scanRoot + "/config"
	scanOut     = scanRoot + "/out"
	scanKeys    = scanRoot + "/verdict-keys"
	scanTool    = scanRoot + "/tool"
	reportFile  = "report.json"
	configFile  = "config.json"
)

// leakCheck verifies, for every platform's result, that no secret the
// build mounts is in what the build adds to the image.
// The frontend never sees a secret's value: the scan runs inside BuildKit,
// from the tool image, with the secrets mounted, and the frontend reads
// only its report.
type leakCheck struct {
	b     *builder
	tools *toolLocator
}

// active reports whether res is scanned: a build that mounts no secret
// has nothing to look for.
func (lc *leakCheck) active(res *lower.Result) bool {
	return lc != nil && len(res.Secrets) > 0
}

// scanStep is one platform's scan: the exec that reads every layer the
// export merges and the image config, with the secrets mounted, and
// writes its report to out.
type scanStep struct {
	out llb.State
	// def is out marshalled as the export is; set by marshal.
	def *llb.Definition
}

// plan is the scan of one platform's result: the layers its export
// merges (nil when the chain has no steps) and the image config. It is
// built and marshalled before the export is solved, so that the export's
// definition is checked against it first (marshal).
func (lc *leakCheck) plan(ctx context.Context, res *lower.Result, img *dockerspec.DockerOCIImage, lay *layers) (*scanStep, error) {
	if !lc.active(res) {
		return nil, nil
	}
	b := lc.b
	// Only the tool's state and path: nothing is solved here, and the
	// build waits for the tool's check before it solves anything.
	t, err := lc.tools.tool(ctx, b.c, b.buildPlatform)
	if err != nil {
		return nil, err
	}
	cfg, err := json.Marshal(img)
	if err != nil {
		return nil, err
	}
	opt := verify.Options{
		SecretsDir: scanSecrets, Secrets: len(res.Secrets),
		LayersDir: scanLayers, Layers: len(res.Steps),
		Config: scanConfig + "/" + configFile,
	}
	// The scan is cached, so that a build of an unchanged chain with
	// unchanged values reuses the verdict (docs/security.md, "Cached
	// verdicts"). BuildKit keys it on its definition (the scanner's
	// arguments, the config), on the layers' cache keys, and on the content
	// of the tool binary and of one verdict key per secret, which follows
	// the secret's value and the daemon's verdict epoch
	// (internal/rotate/verdict.go). A secret's value is in no cache key. A
	// secret without a digest step has no verdict key: then the scan is
	// never cached.
	ro := []llb.RunOption{
		llb.Args(toolmode.Command(scanTool+t.path, verify.ToolName, verify.Args(opt, scanOut+"/"+reportFile)...)),
		llb.Network(llb.NetModeNone),
		// The tool is a read-only mount, not the root, so that BuildKit keys
		// the scan on the tool's content: a shared local binary has a new
		// definition key in every session.
		llb.AddMount(scanTool, t.state, llb.Readonly),
		llb.WithCustomName(fmt.Sprintf("[securefile] verify that no secret is in the image (%d secrets, %d steps)", len(res.Secrets), len(res.Steps))),
	}
	for i, s := range res.Secrets {
		if s.Digest == nil {
			ro = append(ro, llb.IgnoreCache)
			break
		}
		ro = append(ro, llb.AddMount(scanKeys+"/"+strconv.Itoa(i), *s.Digest, llb.SourcePath(lower.VerdictFile), llb.Readonly))
	}
	for i, s := range res.Secrets {
		so := []llb.SecretOption{llb.SecretID(s.ID), llb.SecretFileOpt(0, 0, 0o400)}
		if s.Optional {
			so = append(so, llb.SecretOptional)
		}
		ro = append(ro, llb.AddSecret(scanSecrets+"/"+strconv.Itoa(i), so...))
	}
	// The scan runs on the build platform; the layers are marshalled as the
	// export marshals them, so that they are the same vertices (layers.go).
	ro = append(ro, llb.Platform(b.buildPlatform))
	var nlayers int
	if lay != nil {
		nlayers = len(lay.diffs)
		for i, d := range lay.diffs {
			// By key only: BuildKit would otherwise hash every byte of the
			// layer (a content match only adds hits), and load every layer
			// of a cached build to look the verdict up.
			ro = append(ro, llb.AddMount(scanLayers+"/"+strconv.Itoa(i), d, llb.Readonly, llb.ContentCache(llb.MountContentCacheOff)))
		}
	}
	if nlayers != len(res.Steps) {
		return nil, fmt.Errorf("internal error: %d layers to scan for a chain of %d steps", nlayers, len(res.Steps))
	}
	config := llb.Scratch().File(llb.Mkfile(configFile, 0o444, cfg), llb.WithCustomName("[securefile] image config to verify"))
	ro = append(ro, llb.AddMount(scanConfig, config, llb.Readonly, llb.ContentCache(llb.MountContentCacheOff)))
	return &scanStep{out: llb.Scratch().Run(ro...).AddMount(scanOut, llb.Scratch())}, nil
}

// marshal marshals the scan with the options the export is marshalled
// with (b.marshal and marshal), and checks, on the two definitions, that
// the export merges exactly the diffs the scan mounts (layers.go). Nothing
// is solved before this holds. lay is nil when the export merges nothing:
// a chain of no steps, or a build that returns no result (noresult.go).
func (sc *scanStep) marshal(ctx context.Context, b *builder, lay *layers, export *llb.Definition, marshal ...llb.ConstraintsOpt) error {
	def, err := b.marshal(ctx, sc.out, marshal...)
	if err != nil {
		return err
	}
	sc.def = def
	if lay != nil {
		return lay.sameLayers(export, def, scanLayers)
	}
	return nil
}

// check solves the scan, after the export (whose solve has loaded every
// layer it reads, layers.go), reads its report and fails the build for
// what it found.
func (lc *leakCheck) check(ctx context.Context, res *lower.Result, sc *scanStep) error {
	if sc == nil {
		return nil
	}
	b := lc.b
	r, err := b.c.Solve(ctx, client.SolveRequest{Definition: sc.def.ToPB(), CacheImports: b.in.bc.CacheImports})
	if err != nil {
		return fmt.Errorf("leak verification: %w", err)
	}
	ref, err := r.SingleRef()
	if err != nil {
		return err
	}
	dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: reportFile})
	if err != nil {
		return fmt.Errorf("leak verification: reading the scanner's report: %w", err)
	}
	var rep verify.Report
	if err := json.Unmarshal(dt, &rep); err != nil {
		return fmt.Errorf("leak verification: the scanner's report: %w", err)
	}
	lc.warnUnverified(ctx, res, &rep)
	return lc.reportError(res, &rep)
}

// warnUnverified says which secrets could not be looked for.
func (lc *leakCheck) warnUnverified(ctx context.Context, res *lower.Result, rep *verify.Report) {
	warnFn := lc.b.in.src.Warn
	if warnFn == nil {
		return
	}
	for _, s := range rep.Secrets {
		if s.Index < 0 || s.Index >= len(res.Secrets) {
			continue
		}
		sec := res.Secrets[s.Index]
		if s.Status == verify.StatusTooShort {
			warnFn(ctx, fmt.Sprintf("SecretTooShortToVerify: secret %q is shorter than %d bytes, too short to look for without false matches: it is not verified (line %d)", sec.ID, verify.MinValueLen, sec.Range.Start.Line),
				client.WarnOpts{Level: 1, Range: pbRanges(sec.Range)})
			continue
		}
		for _, f := range s.ShortFields {
			warnFn(ctx, fmt.Sprintf("SecretFieldTooShortToVerify: the %s of secret %q is shorter than %d bytes or a common word: it is not looked for on its own, only as part of the whole value (line %d)", f, sec.ID, verify.MinFieldLen, sec.Range.Start.Line),
				client.WarnOpts{Level: 1, Range: pbRanges(sec.Range)})
		}
	}
}

// reportError is the build's error for the report's hits and unreadable
// files, or nil. It names each secret by id, the encoding, the path or
// config field and the step; its source range is the first hit's step.
func (lc *leakCheck) reportError(res *lower.Result, rep *verify.Report) error {
	if len(rep.Hits) == 0 && len(rep.Errors) == 0 {
		return nil
	}
	var lines []string
	var first spec.Range
	// One line per secret and place, with every encoding found there; a
	// value found with its whitespace is also found without, so that
	// encoding is only named alone.
	type place struct {
		secret int
		where  string
		step   string
		r      spec.Range
	}
	var order []place
	encodings := map[place][]string{}
	for _, h := range rep.Hits {
		if h.Secret < 0 || h.Secret >= len(res.Secrets) {
			return fmt.Errorf("leak verification: the report names secret %d of %d", h.Secret, len(res.Secrets))
		}
		where, step, r := lc.place(res, h)
		p := place{h.Secret, where, step, r}
		if _, seen := encodings[p]; !seen {
			order = append(order, p)
		}
		encodings[p] = append(encodings[p], h.Described())
	}
	for _, p := range order {
		var encs []string
		for _, e := range encodings[p] {
			if base, ok := strings.CutSuffix(e, verify.UntrimmedSuffix); ok && slices.Contains(encodings[p], base) {
				continue
			}
			if !slices.Contains(encs, e) {
				encs = append(encs, e)
			}
		}
		if first.IsZero() {
			first = p.r
		}
		lines = append(lines, fmt.Sprintf("%s: secret %q (%s) %s, %s", p.r, res.Secrets[p.secret].ID, strings.Join(encs, ", "), p.where, p.step))
	}
	for _, e := range rep.Errors {
		step, r := "an unknown step", spec.Range{}
		if e.Layer >= 0 && e.Layer < len(res.Steps) {
			s := res.Steps[e.Layer]
			step, r = "added by "+s.Name, s.Range
		}
		if first.IsZero() {
			first = r
		}
		lines = append(lines, fmt.Sprintf("%s: %s (%s) could not be read to verify it: %s", r, e.Path, step, e.Error))
	}
	msg := "secrets leak into the image:\n  " + strings.Join(lines, "\n  ") +
		"\nhint: mount secrets only where they are used, and keep them out of files the image keeps, of env and labels, and of build args; a file a tool must write with the secret goes on a tmpfs mount (tmpfs \"/path\"), never on the filesystem or in a cache mount, which outlives the build on the daemon, is never scanned, and is read by every later build that mounts it"
	if len(rep.Hits) == 0 {
		msg = "leak verification is incomplete:\n  " + strings.Join(lines, "\n  ")
	}
	return withSource(errors.New(msg), lc.b.in.info(), first)
}

// place says where a hit is and which step put it there.
func (lc *leakCheck) place(res *lower.Result, h verify.Hit) (where, step string, r spec.Range) {
	if h.Where == verify.InConfig {
		r, step = configSource(lc.b.f, res.Stage, res.History, h.Field)
		return "in the image config, " + h.Field, step, r
	}
	s := lower.Step{Name: "an unknown step"}
	if h.Layer >= 0 && h.Layer < len(res.Steps) {
		s = res.Steps[h.Layer]
	}
	switch h.Where {
	case verify.InName:
		where = "in the name of an entry of " + h.Path
	case verify.InLink:
		where = "in the target of the symlink " + h.Path
	default:
		where = "in " + h.Path
	}
	return where, "written by " + s.Name, s.Range
}

// configSource finds the step or setting that put a config field in the
// image: the last env step of the stage chain that sets the variable, the
// label, entrypoint, cmd or healthcheck setting; else the target stage.
func configSource(f *spec.File, target *spec.Stage, history []lower.HistorySource, field string) (spec.Range, string) {
	// A history entry names the step that wrote it.
	if rest, ok := strings.CutPrefix(field, "history["); ok {
		if j := strings.Index(rest, "]"); j > 0 {
			if i, err := strconv.Atoi(rest[:j]); err == nil && i >= 0 && i < len(history) && history[i].Name != "" {
				return history[i].Range, "written by " + history[i].Name
			}
		}
	}
	var chain []*spec.Stage
	for s, seen := target, map[*spec.Stage]bool{}; s != nil && !seen[s]; {
		seen[s] = true
		chain = append(chain, s)
		if s.From.Kind != spec.SourceStage {
			break
		}
		s = f.Stage(s.From.Name.V)
	}
	field = strings.TrimSuffix(field, " (key)")
	if name, ok := strings.CutPrefix(field, "config.Env "); ok {
		for _, s := range chain {
			for i := len(s.Steps) - 1; i >= 0; i-- {
				if e, ok := s.Steps[i].(*spec.Env); ok && e != nil {
					for _, kv := range e.Vars {
						if kv != nil && kv.Key.V == name {
							return firstRange(kv.Range, e.Range), fmt.Sprintf("set by [%s %d/%d] ENV %s", s.Name.V, i+1, len(s.Steps), name)
						}
					}
				}
			}
		}
	}
	if rest, ok := strings.CutPrefix(field, "config.Labels["); ok {
		if j := strings.LastIndex(rest, "]"); j > 0 {
			if key, err := strconv.Unquote(rest[:j]); err == nil {
				for _, s := range chain {
					for _, kv := range s.Config.Labels {
						if kv != nil && kv.Key.V == key {
							return firstRange(kv.Range, s.Range), fmt.Sprintf("set by the label %q of stage %s", key, s.Name.V)
						}
					}
				}
			}
		}
	}
	for _, s := range chain {
		c := s.Config
		switch {
		case strings.HasPrefix(field, "config.Entrypoint") && c.Entrypoint.IsSet():
			return c.Entrypoint.Range, "set by the entrypoint of stage " + s.Name.V
		case strings.HasPrefix(field, "config.Cmd") && c.Cmd.IsSet():
			return c.Cmd.Range, "set by the cmd of stage " + s.Name.V
		case strings.HasPrefix(field, "config.Healthcheck") && c.Healthcheck != nil:
			return c.Healthcheck.Range, "set by the healthcheck of stage " + s.Name.V
		}
	}
	if target == nil {
		return spec.Range{}, "set by the build"
	}
	return target.Range, "set in the image stage " + target.Name.V
}

// firstRange is the first range that is set.
func firstRange(rs ...spec.Range) spec.Range {
	for _, r := range rs {
		if !r.IsZero() {
			return r
		}
	}
	return spec.Range{}
}
