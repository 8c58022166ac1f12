package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity int

const (
	// Error stops the build.
	Error Severity = iota
	// Warning is reported but does not stop the build.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one finding about a build file, in the style of HCL: a terse
// Summary, a full-sentence Detail and, where it helps, a Hint that says how
// to fix it.
type Diagnostic struct {
	Severity Severity
	// Code is a stable rule id ("syntax", "unknown-key", "undefined-secret",
	// …) used by lint results and suppressions.
	Code    string
	Summary string
	Detail  string
	Hint    string
	Range   Range
}

// Errorf builds an error diagnostic.
func Errorf(r Range, code, detail, hint, summary string, args ...any) *Diagnostic {
	return &Diagnostic{Severity: Error, Code: code, Summary: fmt.Sprintf(summary, args...), Detail: detail, Hint: hint, Range: r}
}

// Warnf builds a warning diagnostic.
func Warnf(r Range, code, detail, hint, summary string, args ...any) *Diagnostic {
	d := Errorf(r, code, detail, hint, summary, args...)
	d.Severity = Warning
	return d
}

// Line is the first line of the diagnostic: "file:line:col: summary", with
// "warning: " before the summary of a warning.
func (d *Diagnostic) Line() string {
	if d.Severity == Warning {
		return d.Range.String() + ": warning: " + d.Summary
	}
	return d.Range.String() + ": " + d.Summary
}

// String is the full diagnostic: the line, then the detail and the hint
// indented beneath it.
func (d *Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Line())
	if d.Detail != "" {
		b.WriteString("\n    ")
		b.WriteString(d.Detail)
	}
	if d.Hint != "" {
		b.WriteString("\n    hint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

func (d *Diagnostic) Error() string { return d.String() }

// Diagnostics is a list of findings.
type Diagnostics []*Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by file and position, then by summary, so output
// is stable.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		if a.Start.Column != b.Start.Column {
			return a.Start.Column < b.Start.Column
		}
		return ds[i].Summary < ds[j].Summary
	})
}

// String renders every diagnostic, one block each.
func (ds Diagnostics) String() string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, "\n")
}

// Err returns the diagnostics as an error when there is at least one error
// among them, otherwise nil.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return DiagnosticsError(ds)
}

// DiagnosticsError is Diagnostics as an error value.
type DiagnosticsError Diagnostics

func (e DiagnosticsError) Error() string { return Diagnostics(e).String() }
