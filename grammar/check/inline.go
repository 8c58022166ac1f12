package check

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	mode "github.com/tonistiigi/dchapes-mode"

	"github.com/ourorg/securefile/spec"
)

// The checks of the file step, of file modes and owners as BuildKit reads
// them, of a stage's shell, of run devices and of the git options of add.

// checkInline checks a file step: where the file goes, its content (a
// template unless raw), its mode and owner; with files, that its
// destination is a directory and each file as a one-file step.
func (c *checker) checkInline(st *spec.Inline, fb spec.Range) {
	dr := or(st.Dest.Range, fb)
	switch {
	case strings.TrimSpace(st.Dest.V) == "":
		c.errorf(dr, "empty-value", "A file step needs the path of the file it writes.", `write the path, such as "/etc/app.conf"`, "empty file destination")
	case len(st.Files) > 0:
		// Its files are written into the destination, as COPY <<a <<b
		// /dir/ writes them: it must say it is a directory.
		if dest, ok := c.template(st.Dest, fb, nil); ok && !namesDir(dest) {
			c.errorf(dr, "file-dest-not-dir",
				fmt.Sprintf("A file step with files writes them into its destination, which must then be a directory, ending with \"/\"; %q is the path of a file.", dest),
				fmt.Sprintf("write %q", dest+"/"), "file destination %q is not a directory", dest)
		}
	default:
		if dest, ok := c.template(st.Dest, fb, nil); ok && namesDir(dest) {
			c.errorf(dr, "file-dest-dir",
				fmt.Sprintf("A file step writes one file, and %q names a directory (it ends with \"/\" or is \".\" or \"..\"): the file would need a name.", dest),
				fmt.Sprintf("name the file, such as %q", path.Join(dest, "file")), "file destination %q is a directory", dest)
		}
	}
	if len(st.Files) > 0 && st.Content.Set {
		c.errorf(or(st.Content.Range, fb), "option-not-applicable",
			"A file step with files writes only its files, into its destination directory; its own content would have no name.",
			"make it the content of one more of its files, with a name", "content with files")
	}
	c.inlineFile(st.Content, st.Raw, fb)
	c.chown(st.Chown, fb, false)
	c.chmod(st.Chmod, fb)
	seen := map[string]spec.Range{}
	for _, f := range st.Files {
		if f == nil {
			continue
		}
		ffb := or(f.Range, fb)
		pr := or(f.Path.Range, ffb)
		if lit, ok := c.template(f.Path, ffb, nil); ok {
			clean := path.Clean(lit)
			switch {
			case strings.TrimSpace(lit) == "":
				c.errorf(pr, "empty-value", "A file of a file step needs its path in the destination directory.", `write the name, such as "app.conf"`, "empty file path")
			case path.IsAbs(lit) || clean == ".." || strings.HasPrefix(clean, "../"):
				c.errorf(pr, "file-path-outside",
					fmt.Sprintf("The path of a file of files is relative to the step's destination directory, and %q is not inside it.", lit),
					fmt.Sprintf("write it relative to %q, or give it a file step of its own", st.Dest.V), "file path %q outside the destination", lit)
			case namesDir(lit) || clean == ".":
				c.errorf(pr, "file-dest-dir",
					fmt.Sprintf("A file of files is one file, and %q names a directory: the file would need a name.", lit),
					fmt.Sprintf("name the file, such as %q", path.Join(lit, "file")), "file path %q is a directory", lit)
			default:
				if first, dup := seen[clean]; dup {
					c.errorf(pr, "duplicate-file",
						fmt.Sprintf("%q is written twice by this step (first at line %d): the second would replace the first.", lit, first.Start.Line),
						"remove one, or name them apart", "file %q written twice", lit)
				}
				seen[clean] = pr
			}
		}
		c.inlineFile(f.Content, spec.Value[bool]{V: f.Raw.Or(st.Raw.Or(false)), Set: true}, ffb)
		c.chown(f.Chown, ffb, false)
		c.chmod(f.Chmod, ffb)
	}
}

// inlineFile checks the content of a written file: a template unless raw.
// A raw content is written as it is: "${NAME}" in it is text, not a
// reference, so it names no secret and no arg.
func (c *checker) inlineFile(content spec.Value[string], raw spec.Value[bool], fb spec.Range) {
	if content.Set && !raw.Or(false) {
		c.inlineContent = true
		c.template(content, fb, nil)
		c.inlineContent = false
	}
}

// namesDir reports whether a destination is a directory rather than a
// file's path.
func namesDir(dest string) bool {
	return strings.HasSuffix(dest, "/") || dest == "." || dest == ".." || strings.HasSuffix(dest, "/.") || strings.HasSuffix(dest, "/..")
}

// chmod checks the mode of copied, added or written files: octal from 0
// to 07777, or symbolic as BuildKit reads it (the same parser:
// "u+x", "go-w", "u=rw,g=r,o=r", "a+X").
func (c *checker) chmod(v spec.Value[string], fb spec.Range) {
	if !v.Set {
		return
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return
	}
	if n, err := strconv.ParseUint(lit, 8, 32); err == nil {
		if n <= 0o7777 {
			return
		}
	} else if _, err := mode.Parse(lit); err == nil && strings.TrimSpace(lit) != "" && !isDigits(lit) {
		return
	}
	hint := `write the mode in octal, such as "0755", or symbolically, such as "u+x" or "u=rw,go=r"`
	if strings.HasPrefix(lit, "0o") || strings.HasPrefix(lit, "0O") {
		hint = fmt.Sprintf("drop the prefix: %q", "0"+lit[2:])
	}
	c.errorf(or(v.Range, fb), "invalid-mode",
		fmt.Sprintf("\"chmod\" takes permission bits, in octal between \"0\" and \"07777\" (such as \"0644\") or in symbolic form as chmod(1) writes them (such as \"u+x\", \"go-w\", \"u=rw,g=r,o=r\" or \"a+X\"); %q is neither.", lit),
		hint, "invalid chmod %q", lit)
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// chownSpec checks an owner of copied, added or written files as the
// Dockerfile frontend reads --chown: "user", "user:group", "user:" (the
// group as for "user") or ":group" (the owner root), each part a name or
// a numeric id. It returns whether a part is a name.
func (c *checker) chownSpec(s string, r spec.Range) (byName, ok bool) {
	user, group, hasGroup := strings.Cut(s, ":")
	valid := (user == "" || userPartRe.MatchString(user)) &&
		(!hasGroup || group == "" || userPartRe.MatchString(group)) &&
		(user != "" || group != "")
	if !valid {
		c.errorf(r, "invalid-chown",
			fmt.Sprintf("\"chown\" is user[:group], each a name or a numeric id, such as \"1000:1000\", \"app\", \"app:\" or \":staff\"; %q is not.", s),
			"", "invalid chown %q", s)
		return false, false
	}
	named := func(p string) bool { return p != "" && !isDigits(p) && p != "root" }
	return named(user) || named(group), true
}

// stageShell checks the shell of a stage: a program and its arguments,
// exec form, as SHELL takes them. Its words are not templates: SHELL is
// not expanded in a Dockerfile either.
func (c *checker) stageShell(s *spec.Stage, fb spec.Range) {
	sh := s.Config.Shell
	if !sh.Set {
		return
	}
	lfb := or(sh.Range, fb)
	if len(sh.Items) == 0 {
		c.errorf(lfb, "empty-value", "The shell is an empty list, so shell-form commands would have no program to run them.",
			`list the program and its arguments, such as ["/bin/bash", "-c"], or remove shell for ["/bin/sh", "-c"]`, "empty shell")
		return
	}
	if first := sh.Items[0]; strings.TrimSpace(first.V) == "" {
		c.errorf(or(first.Range, lfb), "empty-value", "The first item of the shell is the program that runs shell-form commands, and it is empty.",
			"put the program first", "empty shell program")
	}
}

// runDevices checks the CDI devices of a run step: names as the daemon's
// CDI registry knows them ("vendor.com/class=name", "vendor.com/class",
// "vendor.com/class=*", or a class annotation), one device each.
func (c *checker) runDevices(r *spec.Run, fb spec.Range) {
	lfb := or(r.Devices.Range, fb)
	for _, d := range r.Devices.Items {
		dr := or(d.Range, lfb)
		if strings.TrimSpace(d.V) == "" {
			c.errorf(dr, "empty-value", "A device name is empty.", `write a CDI device name, such as "vendor.com/gpu=all"`, "empty device")
			continue
		}
		lit, ok := c.template(d, lfb, nil)
		if !ok {
			continue
		}
		if strings.ContainsAny(lit, ", \t\r\n") {
			c.errorf(dr, "invalid-device",
				fmt.Sprintf("A device is one CDI device name, such as \"vendor.com/gpu=all\", without spaces or commas; %q is not one (each device is an item of the list, and a device is always required).", lit),
				"list each device as an item of its own", "invalid device %q", lit)
		}
	}
}

// addGitOptions checks the options of add that only a git source takes
// (subdir, exclude) and reports them on an http one.
func (c *checker) addGitOptions(a *spec.Add, fb spec.Range) {
	if a.Kind != spec.AddGit {
		const detail = "This add step downloads a file over http(s); subdir and exclude select files of a git clone."
		if a.Subdir.Set {
			c.errorf(or(a.Subdir.Range, fb), "option-not-applicable", detail, "remove it, or make the source a git source", "subdir applies only to git sources")
		}
		if a.Exclude.Set && len(a.Exclude.Items) == 0 {
			c.errorf(or(a.Exclude.Range, fb), "option-not-applicable", detail, "remove it, or make the source a git source", "exclude applies only to git sources")
		}
		for _, p := range a.Exclude.Items {
			c.errorf(or(p.Range, a.Exclude.Range, fb), "option-not-applicable", detail, "remove it, or make the source a git source", "exclude applies only to git sources")
		}
		return
	}
	if a.Subdir.Set {
		sr := or(a.Subdir.Range, fb)
		if strings.TrimSpace(a.Subdir.V) == "" {
			c.errorf(sr, "empty-value", "\"subdir\" is empty; it names a directory of the repository.", "remove it to add the whole repository, or name the directory", "empty subdir")
		} else if lit, ok := c.template(a.Subdir, fb, nil); ok {
			if p := path.Clean(lit); p == ".." || strings.HasPrefix(p, "../") {
				c.warnf(sr, "path-escapes-source",
					fmt.Sprintf("%q climbs above the root of the repository, but a subdir cannot leave it: it is resolved inside it, as if the \"..\" were not there.", lit),
					"name a directory of the repository", "subdir %q leaves the repository", lit)
			}
		}
	}
	c.patterns(a.Exclude, fb, "exclude")
}
