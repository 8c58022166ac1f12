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
// template unless raw), its mode and owner.
func (c *checker) checkInline(st *spec.Inline, fb spec.Range) {
	dr := or(st.Dest.Range, fb)
	switch {
	case strings.TrimSpace(st.Dest.V) == "":
		c.errorf(dr, "empty-value", "A file step needs the path of the file it writes.", `write the path, such as "/etc/app.conf"`, "empty file destination")
	default:
		if dest, ok := c.template(st.Dest, fb, nil); ok && namesDir(dest) {
			c.errorf(dr, "file-dest-dir",
				fmt.Sprintf("A file step writes one file, and %q names a directory (it ends with \"/\" or is \".\" or \"..\"): the file would need a name.", dest),
				fmt.Sprintf("name the file, such as %q", path.Join(dest, "file")), "file destination %q is a directory", dest)
		}
	}
	// A raw content is written as it is: "${NAME}" in it is text, not a
	// reference, so it names no secret and no arg.
	if st.Content.Set && !st.Raw.Or(false) {
		c.inlineContent = true
		c.template(st.Content, fb, nil)
		c.inlineContent = false
	}
	c.chown(st.Chown, fb, false)
	c.chmod(st.Chmod, fb)
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
