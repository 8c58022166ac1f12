package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/grammar"
)

// input is one build file named on the command line; "-" is stdin.
type input struct {
	name   string
	src    []byte
	syntax grammar.Syntax
}

// readInput reads a file and decides its syntax: forced by --syntax when
// given, otherwise from the name (stdin defaults to the DSL).
func readInput(name, forced string, stdin io.Reader) (input, error) {
	in := input{name: name, syntax: grammar.Detect(name)}
	if name == "-" {
		in.name = "<stdin>"
	}
	var err error
	in.src, err = readFile(name, stdin)
	if err != nil {
		return in, err
	}
	if forced != "" {
		in.syntax, err = grammar.ParseSyntax(forced)
	}
	return in, err
}

// readFile reads a build file ("-" is stdin) of at most
// frontend.MaxFileSize bytes, the most the frontend reads: a larger file
// would lint here and fail in every build, and parsing it would take
// seconds and gigabytes first. A regular file is refused on its size
// before anything is read; anything else is read up to one byte past the
// limit.
func readFile(name string, stdin io.Reader) ([]byte, error) {
	r, display, hint := stdin, "<stdin>", int64(512)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > frontend.MaxFileSize {
				return nil, &frontend.TooLargeError{Name: name, Size: st.Size()}
			}
			hint = st.Size()
		}
		r, display = f, name
	}
	// One buffer of the file's size (plus the byte that shows whether it
	// grew past the limit), as os.ReadFile allocates, not io.ReadAll's
	// doublings.
	buf := make([]byte, 0, hint+1)
	lr := io.LimitReader(r, frontend.MaxFileSize+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(buf) > frontend.MaxFileSize {
		return nil, &frontend.TooLargeError{Name: display, Size: -1}
	}
	return buf, nil
}

// newFlags makes a FlagSet whose errors and -h go to stderr with a usage
// line, and that never exits the process.
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: securefile %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses and maps -h to success and bad flags to exitUsage;
// done is true when the command should return code right away.
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return exitOK, true
	case err != nil:
		return exitUsage, true
	}
	return exitOK, false
}
