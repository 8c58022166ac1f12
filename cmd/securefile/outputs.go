package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/tonistiigi/go-csvvalue"
)

// fileOutputs are the --output flags that write one file (tar, and oci or
// docker as a tarball). buildctl creates dest when it parses the flag, so a
// build that fails leaves an empty file, or truncates the previous one;
// here the exporter writes a temporary file next to dest, which replaces
// dest only when the build succeeded.
type fileOutputs struct {
	mu    sync.Mutex
	items []*fileOutput
}

type fileOutput struct {
	dest string
	tmp  *os.File // nil until the exporter asks for the file
}

// parseOutputs is build.ParseOutput, except for the outputs to a file,
// whose writer is made lazily, in a temporary file, by outs.
func parseOutputs(flags []string, outs *fileOutputs) ([]client.ExportEntry, error) {
	var entries []client.ExportEntry
	for _, v := range flags {
		e, ok, err := outs.parse(v)
		if err != nil {
			return nil, err
		}
		if !ok {
			parsed, err := build.ParseOutput([]string{v})
			if err != nil {
				return nil, err
			}
			e = parsed[0]
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// parse makes the export entry of v when v writes a named file; ok is
// false for every other output, which build.ParseOutput handles.
func (o *fileOutputs) parse(v string) (e client.ExportEntry, ok bool, err error) {
	fields, err := csvvalue.Fields(v, nil)
	if err != nil {
		return e, false, nil //nolint:nilerr // build.ParseOutput reports it
	}
	e.Attrs = map[string]string{}
	for _, field := range fields {
		key, value, found := strings.Cut(field, "=")
		if !found {
			return e, false, nil
		}
		key = strings.ToLower(key)
		if key == "type" {
			e.Type = value
		} else {
			e.Attrs[key] = value
		}
	}
	dest := e.Attrs["dest"]
	if dest == "" || dest == "-" || e.Attrs["output"] != "" {
		return e, false, nil
	}
	switch e.Type {
	case client.ExporterTar:
	case client.ExporterOCI, client.ExporterDocker:
		// As buildctl reads it: anything but a false "tar" is a tarball.
		if tar, err := strconv.ParseBool(e.Attrs["tar"]); err == nil && !tar {
			return e, false, nil
		}
	default:
		return e, false, nil
	}
	if st, err := os.Stat(dest); err == nil && st.IsDir() {
		return e, false, fmt.Errorf("dest=%s is a directory; name a file for the %s output", dest, e.Type)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return e, false, fmt.Errorf("dest=%s: %v", dest, err)
	}
	delete(e.Attrs, "dest")
	out := &fileOutput{dest: dest}
	o.mu.Lock()
	o.items = append(o.items, out)
	o.mu.Unlock()
	e.Output = func(map[string]string) (io.WriteCloser, error) {
		f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
		if err != nil {
			return nil, fmt.Errorf("--output dest=%s: %w", dest, err)
		}
		o.mu.Lock()
		if out.tmp != nil { // asked twice: keep only the last file
			out.tmp.Close()
			os.Remove(out.tmp.Name())
		}
		out.tmp = f
		o.mu.Unlock()
		return f, nil
	}
	return e, true, nil
}

// commit moves every written file to its dest, with the mode the previous
// file had, else the one os.Create would give under the usual umask.
func (o *fileOutputs) commit() error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	for _, out := range o.items {
		if out.tmp == nil {
			continue
		}
		tmp := out.tmp.Name()
		out.tmp.Close()
		out.tmp = nil
		mode := os.FileMode(0o644)
		if st, err := os.Stat(out.dest); err == nil {
			mode = st.Mode().Perm()
		}
		err := os.Chmod(tmp, mode)
		if err == nil {
			err = os.Rename(tmp, out.dest)
		}
		if err != nil {
			os.Remove(tmp)
			errs = append(errs, fmt.Errorf("--output dest=%s: %w", out.dest, err))
		}
	}
	return errors.Join(errs...)
}

// discard removes every temporary file, leaving each dest as it was.
func (o *fileOutputs) discard() {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, out := range o.items {
		if out.tmp != nil {
			out.tmp.Close()
			os.Remove(out.tmp.Name())
			out.tmp = nil
		}
	}
}
