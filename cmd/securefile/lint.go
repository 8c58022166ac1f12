package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/grammar"
	"github.com/ourorg/securefile/spec"
)

func runLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lint", "[--format text|short|json] [--syntax toml|dsl] FILE...", stderr)
	format := fs.String("format", "text", "text (with details and hints), short (one line each) or json")
	forced := fs.String("syntax", "", "read the input as this syntax (default: from the file name; stdin is dsl)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	if *format != "text" && *format != "short" && *format != "json" {
		fmt.Fprintf(stderr, "securefile lint: --format must be text, short or json, not %q\n", *format)
		return exitUsage
	}
	var all spec.Diagnostics
	code := exitOK
	for _, name := range fs.Args() {
		in, err := readInput(name, *forced, os.Stdin)
		if err != nil {
			fmt.Fprintf(stderr, "securefile lint: %v\n", err)
			code = exitFindings
			continue
		}
		_, diags := grammar.Load(in.name, in.src, in.syntax)
		all = append(all, diags...)
	}
	if all.HasErrors() {
		code = exitFindings
	}
	switch *format {
	case "json":
		writeJSONDiagnostics(stdout, all)
	case "short":
		for _, d := range all {
			fmt.Fprintln(stdout, d.Line())
		}
	default:
		for _, d := range all {
			fmt.Fprintln(stdout, d.String())
		}
	}
	return code
}

type jsonPos struct {
	Line   int32 `json:"line"`
	Column int32 `json:"column"`
}

type jsonDiagnostic struct {
	File     string  `json:"file"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
	Severity string  `json:"severity"`
	Code     string  `json:"code"`
	Summary  string  `json:"summary"`
	Detail   string  `json:"detail,omitempty"`
	Hint     string  `json:"hint,omitempty"`
}

func writeJSONDiagnostics(w io.Writer, diags spec.Diagnostics) {
	out := make([]jsonDiagnostic, 0, len(diags))
	for _, d := range diags {
		out = append(out, jsonDiagnostic{
			File:     d.Range.Filename,
			Start:    jsonPos{d.Range.Start.Line, d.Range.Start.Column},
			End:      jsonPos{d.Range.End.Line, d.Range.End.Column},
			Severity: d.Severity.String(),
			Code:     d.Code,
			Summary:  d.Summary,
			Detail:   d.Detail,
			Hint:     d.Hint,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
