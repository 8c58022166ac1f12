package lower

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/util/system"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ourorg/securefile/spec"
)

// applyConfig applies the stage's image settings. They describe the result
// rather than happen in order, so they apply after the steps, on top of
// the config inherited from the base.
func (b *stageBuilder) applyConfig() error {
	cfg := b.s.Config
	c := &b.img.Config
	if cfg.Entrypoint.IsSet() {
		c.Entrypoint = nilIfEmpty(runtimeArgs(cfg.Entrypoint, b.shell()))
		// A new entrypoint makes an inherited cmd meaningless (its
		// arguments were for another program), so Docker drops it.
		if !cfg.Cmd.IsSet() {
			c.Cmd = nil
		}
	}
	if cfg.Cmd.IsSet() {
		c.Cmd = nilIfEmpty(runtimeArgs(cfg.Cmd, b.shell()))
	}
	for _, kv := range cfg.Labels {
		if kv == nil {
			continue
		}
		k, err := b.expand(kv.Key, or(kv.Range, b.s.Range))
		if err != nil {
			return err
		}
		v, err := b.expand(kv.Value, or(kv.Range, b.s.Range))
		if err != nil {
			return err
		}
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = v
	}
	for _, it := range cfg.Expose.Items {
		v, err := b.expand(it, or(cfg.Expose.Range, b.s.Range))
		if err != nil {
			return err
		}
		ports, err := parsePorts(v)
		if err != nil {
			return &Error{Range: or(it.Range, cfg.Expose.Range, b.s.Range), Err: err}
		}
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			c.ExposedPorts[p] = struct{}{}
		}
	}
	for _, it := range cfg.Volumes.Items {
		v, err := b.expand(it, or(cfg.Volumes.Range, b.s.Range))
		if err != nil {
			return err
		}
		if c.Volumes == nil {
			c.Volumes = map[string]struct{}{}
		}
		c.Volumes[v] = struct{}{}
	}
	if hc := cfg.Healthcheck; hc != nil {
		h, err := b.healthcheck(hc)
		if err != nil {
			return err
		}
		c.Healthcheck = h
	}
	if cfg.StopSignal.Set {
		v, err := b.expand(cfg.StopSignal, b.s.Range)
		if err != nil {
			return err
		}
		c.StopSignal = v
	}
	return nil
}

func (b *stageBuilder) healthcheck(hc *spec.Healthcheck) (*dockerspec.HealthcheckConfig, error) {
	if hc.None.Or(false) {
		return &dockerspec.HealthcheckConfig{Test: []string{"NONE"}}, nil
	}
	h := &dockerspec.HealthcheckConfig{Retries: hc.Retries.V}
	switch {
	case hc.Test.Shell.Set:
		h.Test = []string{"CMD-SHELL", shellText(hc.Test.Shell.V)}
	case hc.Test.Exec.Set:
		h.Test = append([]string{"CMD"}, runtimeArgs(hc.Test, nil)...)
	case b.img.Config.Healthcheck != nil:
		// Only the timing changes: the test is the base's.
		h.Test = slices.Clone(b.img.Config.Healthcheck.Test)
	}
	fb := or(hc.Range, b.s.Range)
	for _, d := range []struct {
		v   spec.Value[string]
		dst *time.Duration
	}{{hc.Interval, &h.Interval}, {hc.Timeout, &h.Timeout}, {hc.StartPeriod, &h.StartPeriod}, {hc.StartInterval, &h.StartInterval}} {
		if !d.v.Set {
			continue
		}
		s, err := b.expand(d.v, fb)
		if err != nil {
			return nil, err
		}
		if *d.dst, err = time.ParseDuration(s); err != nil {
			return nil, &Error{Range: or(d.v.Range, fb), Err: fmt.Errorf("invalid duration %q", s)}
		}
	}
	return h, nil
}

// nilIfEmpty makes an empty list (entrypoint = [], which clears the
// inherited value) nil.
func nilIfEmpty(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return args
}

// parsePorts reads "80", "53/udp" or "8000-8100/tcp" into the config's
// "port/proto" keys, one per port, as Docker records a range.
func parsePorts(s string) ([]string, error) {
	bad := fmt.Errorf("invalid port %q: a port or range with an optional protocol, such as \"80\", \"53/udp\" or \"8000-8100/tcp\"", s)
	ports, proto, ok := strings.Cut(s, "/")
	if !ok || proto == "" {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	lo, hi, isRange := strings.Cut(ports, "-")
	start, err := strconv.Atoi(lo)
	if err != nil || start < 1 || start > 65535 {
		return nil, bad
	}
	end := start
	if isRange {
		if end, err = strconv.Atoi(hi); err != nil || end < start || end > 65535 {
			return nil, bad
		}
	}
	out := make([]string, 0, end-start+1)
	for p := start; p <= end; p++ {
		out = append(out, strconv.Itoa(p)+"/"+proto)
	}
	return out, nil
}

// emptyImage is the config of a stage without a base config: scratch, or
// an image whose config was not resolved.
func emptyImage(p ocispecs.Platform) *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	img.Architecture = p.Architecture
	img.OS = p.OS
	img.OSVersion = p.OSVersion
	img.OSFeatures = slices.Clone(p.OSFeatures)
	img.Variant = p.Variant
	img.RootFS.Type = "layers"
	// As the Dockerfile frontend's scratch config; an image config without
	// a WorkingDir keeps it empty (see stageBuilder.workingDir).
	img.Config.WorkingDir = "/"
	if p.OS != "windows" {
		img.Config.Env = []string{"PATH=" + system.DefaultPathEnv(p.OS)}
	}
	return img
}

// cloneImage deep-copies a config, so that a stage never changes the
// config of the stage or image it is based on.
func cloneImage(src *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	img := cloneConfig(src)
	img.History = slices.Clone(src.History)
	return img
}

// cloneConfig is cloneImage but for the history, which img shares with
// src until the caller gives it its own.
func cloneConfig(src *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	img := *src
	img.OSFeatures = slices.Clone(src.OSFeatures)
	img.RootFS.DiffIDs = slices.Clone(src.RootFS.DiffIDs)
	img.Config.Env = slices.Clone(src.Config.Env)
	img.Config.Cmd = slices.Clone(src.Config.Cmd)
	img.Config.Entrypoint = slices.Clone(src.Config.Entrypoint)
	img.Config.OnBuild = slices.Clone(src.Config.OnBuild)
	img.Config.Shell = slices.Clone(src.Config.Shell)
	img.Config.ExposedPorts = maps.Clone(src.Config.ExposedPorts)
	img.Config.Volumes = maps.Clone(src.Config.Volumes)
	img.Config.Labels = maps.Clone(src.Config.Labels)
	if src.Config.Healthcheck != nil {
		hc := *src.Config.Healthcheck
		hc.Test = slices.Clone(hc.Test)
		img.Config.Healthcheck = &hc
	}
	return &img
}

func cloneImagePtr(src *dockerspec.DockerOCIImage) *dockerspec.DockerOCIImage {
	if src == nil {
		return nil
	}
	return cloneImage(src)
}
