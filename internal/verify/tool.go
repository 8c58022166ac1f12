package verify

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/internal/toolmode"
)

// ToolName is the name the scanner is registered under.
const ToolName = "scan"

func init() { toolmode.Register(ToolName, runTool) }

// Args is the scanner's command line after the tool name.
func Args(opt Options, out string) []string {
	args := []string{
		"--secrets-dir", opt.SecretsDir, "--secrets", fmt.Sprint(opt.Secrets),
		"--layers-dir", opt.LayersDir, "--layers", fmt.Sprint(opt.Layers),
		"--out", out,
	}
	if opt.Config != "" {
		args = append(args, "--config", opt.Config)
	}
	return args
}

// runTool scans and writes the report. It exits 0 whatever it found: the
// frontend decides from the report. Nothing it prints depends on a
// secret's value.
func runTool(args []string, _, stderr io.Writer) int {
	fl := flag.NewFlagSet(ToolName, flag.ContinueOnError)
	fl.SetOutput(stderr)
	var opt Options
	var out string
	fl.StringVar(&opt.SecretsDir, "secrets-dir", "", "directory holding secret i as file i")
	fl.IntVar(&opt.Secrets, "secrets", 0, "number of secrets")
	fl.StringVar(&opt.LayersDir, "layers-dir", "", "directory holding layer i as directory i")
	fl.IntVar(&opt.Layers, "layers", 0, "number of layers")
	fl.StringVar(&opt.Config, "config", "", "image config JSON")
	fl.StringVar(&out, "out", "", "where to write the JSON report")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if out == "" || fl.NArg() != 0 {
		fmt.Fprintln(stderr, "scan: need --out and no positional arguments")
		return 2
	}
	r, err := Scan(opt)
	if err != nil {
		fmt.Fprintln(stderr, "scan:", err)
		return 1
	}
	b, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintln(stderr, "scan:", err)
		return 1
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		fmt.Fprintln(stderr, "scan:", err)
		return 1
	}
	fmt.Fprintf(stderr, "scanned %d files, %d bytes, %d layers and the config for %d secrets: %d hits\n", r.Files, r.Bytes, opt.Layers, opt.Secrets, len(r.Hits))
	return 0
}
