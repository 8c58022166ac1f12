package frontend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"

	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// sourceInfo is the build file as BuildKit clients print it: buildctl and
// buildx show the lines of Data that an error's or warning's ranges cover.
func sourceInfo(sm *llb.SourceMap) *pb.SourceInfo {
	if sm == nil {
		return nil
	}
	info := &pb.SourceInfo{
		Filename: sm.Filename,
		Language: sm.Language,
		Data:     sm.Data,
	}
	if sm.Definition != nil {
		info.Definition = sm.Definition.ToPB()
	}
	return info
}

// pbRange converts a model range. Lines are 1-based in both; BuildKit's
// characters are 0-based (as in LSP), our columns 1-based. A range without
// an end covers its start line.
func pbRange(r spec.Range) *pb.Range {
	start := pbPos(r.Start)
	end := start
	if r.End.Line > 0 {
		end = pbPos(r.End)
	}
	return &pb.Range{Start: start, End: end}
}

func pbPos(p spec.Pos) *pb.Position {
	return &pb.Position{Line: int32(p.Line), Character: int32(max(p.Column-1, 0))}
}

// pbRanges is the range list of one location; a zero range (a node built
// in code) has none.
func pbRanges(r spec.Range) []*pb.Range {
	if r.IsZero() {
		return nil
	}
	return []*pb.Range{pbRange(r)}
}

// location is a range of the source with index 0 of a subrequest result.
func location(r spec.Range) *pb.Location {
	if r.IsZero() {
		return nil
	}
	return &pb.Location{SourceIndex: 0, Ranges: pbRanges(r)}
}

// withSource attaches the build file and a range of it to err, so that
// buildctl and buildx print the offending lines under the message.
func withSource(err error, info *pb.SourceInfo, r spec.Range) error {
	if err == nil || info == nil {
		return err
	}
	return errdefs.WithSource(err, &errdefs.Source{Info: info, Ranges: pbRanges(r)})
}

// diagnosticsError is the error for a build file with error diagnostics, or
// nil when it has none. Its message holds every error (so none is hidden
// behind the first); its source range is the first error's, which is the
// one clients print the lines of.
func diagnosticsError(diags spec.Diagnostics, info *pb.SourceInfo) error {
	errs := diags.Errors()
	if len(errs) == 0 {
		return nil
	}
	msg := errs.String()
	if len(errs) > 1 {
		msg = fmt.Sprintf("%d errors in the build file:\n%s", len(errs), msg)
	}
	return withSource(errors.New(msg), info, errs[0].Range)
}

// lowerError attaches the source to a lowering failure that belongs to a
// place in the build file.
func lowerError(err error, info *pb.SourceInfo) error {
	var ce *lower.Error
	if errors.As(err, &ce) {
		return withSource(err, info, ce.Range)
	}
	return err
}

// warnFunc sends one build warning; dockerui.Source.Warn fills in the
// source info.
type warnFunc func(ctx context.Context, msg string, opts client.WarnOpts)

// warn reports the warning diagnostics as build warnings, which buildx
// lists after the build ("N warnings found") with the file's lines. The
// short message follows the Dockerfile linter's "Rule: message (line N)".
func warn(ctx context.Context, fn warnFunc, diags spec.Diagnostics) {
	if fn == nil {
		return
	}
	for _, d := range diags {
		if d.Severity != spec.Warning {
			continue
		}
		fn(ctx, warningMessage(d), warningOpts(d))
	}
}

func warningMessage(d *spec.Diagnostic) string {
	if d.Range.IsZero() {
		return fmt.Sprintf("%s: %s", d.Code, d.Summary)
	}
	return fmt.Sprintf("%s: %s (line %d)", d.Code, d.Summary, d.Range.Start.Line)
}

func warningOpts(d *spec.Diagnostic) client.WarnOpts {
	opts := client.WarnOpts{Level: 1, Range: pbRanges(d.Range)}
	if d.Detail != "" {
		opts.Detail = append(opts.Detail, []byte(d.Detail))
	}
	if d.Hint != "" {
		opts.Detail = append(opts.Detail, []byte("hint: "+d.Hint))
	}
	return opts
}

// maxErrorLines and keepErrorLines bound the text of an error the frontend
// returns. A failed mount of a wide image printed every lower directory,
// 20,014 lines (494 KB) that bury the cause; the first and last lines say
// what failed and why.
const (
	maxErrorLines  = 60
	keepErrorLines = 20
)

// cappedError is an error whose text is cut to its first and last lines.
// It unwraps to the original, so that the details BuildKit clients read
// from the chain (the source range, a step's exit code, the stack) stay.
type cappedError struct {
	err error
	msg string
}

func (e *cappedError) Error() string { return e.msg }
func (e *cappedError) Unwrap() error { return e.err }

// capError is err with its text capped at maxErrorLines lines: the first
// and last keepErrorLines, and how many were left out between them.
func capError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Count(msg, "\n") < maxErrorLines {
		return err
	}
	lines := strings.Split(msg, "\n")
	omitted := len(lines) - 2*keepErrorLines
	capped := strings.Join(lines[:keepErrorLines], "\n") +
		fmt.Sprintf("\n[… %d lines left out of this message …]\n", omitted) +
		strings.Join(lines[len(lines)-keepErrorLines:], "\n")
	return &cappedError{err: err, msg: capped}
}
