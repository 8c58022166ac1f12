package frontend

import (
	"strings"

	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/solver/pb"

	"github.com/ourorg/securefile/grammar/check"
	"github.com/ourorg/securefile/spec"
)

// ruleDocs maps a rule code to its one-line description.
var ruleDocs = func() map[string]string {
	m := make(map[string]string, len(check.Rules))
	for _, r := range check.Rules {
		m[r.Code] = r.Doc
	}
	return m
}()

// lintOf is the answer to frontend.lint (docker buildx build --call=check):
// one entry per diagnostic, errors included, named by its rule code, with
// the file as source 0; and, when there are errors, the build error a
// build would fail with, so that check fails too.
func lintOf(diags spec.Diagnostics, info *pb.SourceInfo) *lint.LintResults {
	if info == nil {
		info = &pb.SourceInfo{} // clients index Sources without checking
	}
	res := &lint.LintResults{Warnings: []lint.Warning{}, Sources: []*pb.SourceInfo{info}}
	for _, d := range diags {
		desc := ruleDocs[d.Code]
		if desc == "" {
			desc = d.Summary // parser findings (syntax, unknown-key, …) have no rule entry
		}
		res.Warnings = append(res.Warnings, lint.Warning{
			RuleName:    d.Code,
			Description: desc,
			Detail:      lintDetail(d),
			Location:    &pb.Location{SourceIndex: 0, Ranges: pbRanges(d.Range)},
		})
	}
	if errs := diags.Errors(); len(errs) > 0 {
		res.Error = &lint.BuildError{
			Message:  diagnosticsError(errs, nil).Error(),
			Location: pb.Location{SourceIndex: 0, Ranges: pbRanges(errs[0].Range)},
		}
	}
	return res
}

// lintDetail is the message buildx prints under "WARNING: <rule>": the
// diagnostic's line without the position (the source lines follow it),
// then its detail and hint. Errors say so, since every entry is printed
// as a warning.
func lintDetail(d *spec.Diagnostic) string {
	var b strings.Builder
	if d.Severity == spec.Error {
		b.WriteString("error: ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString("\n")
		b.WriteString(d.Detail)
	}
	if d.Hint != "" {
		b.WriteString("\nhint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}
