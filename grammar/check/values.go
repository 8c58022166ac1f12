package check

import (
	"errors"
	"github.com/distribution/reference"

	"github.com/containerd/platforms"

	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ourorg/securefile/spec"
)

// mode checks an octal permission string (secret/ssh/cache mode, chmod).
func (c *checker) mode(v spec.Value[string], fb spec.Range, key string) {
	if !v.Set {
		return
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return
	}
	if n, err := strconv.ParseUint(lit, 8, 32); err == nil && n <= 0o7777 {
		return
	}
	detail := fmt.Sprintf("%q takes permission bits as an octal string between \"0\" and \"07777\", such as \"0644\"; %q is not one.", key, lit)
	hint := `write the mode in octal, for example "0400" (owner read-only) or "0755"`
	if strings.HasPrefix(lit, "0o") || strings.HasPrefix(lit, "0O") {
		hint = fmt.Sprintf("drop the prefix: %q", "0"+lit[2:])
	}
	c.errorf(or(v.Range, fb), "invalid-mode", detail, hint, "invalid %s %q", key, lit)
}

// owner checks a uid or gid.
func (c *checker) owner(v spec.Value[int], fb spec.Range, key string) {
	// int64: a constant above 2^31 would not compile for 32-bit targets
	// (linux/arm/v7, one of the frontend image's platforms).
	if !v.Set || v.V >= 0 && int64(v.V) <= 4294967294 {
		return
	}
	c.errorf(or(v.Range, fb), "invalid-"+key,
		fmt.Sprintf("%q is a numeric id between 0 and 4294967294; %d is not one.", key, v.V),
		"", "invalid %s %d", key, v.V)
}

// enum checks a setting with a fixed set of values. These are keywords,
// not templates.
func (c *checker) enum(v spec.Value[string], fb spec.Range, key string, allowed []string, why string) {
	if !v.Set {
		return
	}
	for _, a := range allowed {
		if v.V == a {
			return
		}
	}
	hint := spec.DidYouMean(strings.ToLower(v.V), allowed)
	for _, a := range allowed {
		if strings.EqualFold(a, v.V) {
			hint = fmt.Sprintf("write %q: values are lowercase", a)
		}
	}
	detail := fmt.Sprintf("%q is one of %s", key, quoteListOr(allowed))
	if why != "" {
		detail += ": " + why
	}
	c.errorf(or(v.Range, fb), "invalid-"+key, detail+".", hint, "invalid %s %q", key, v.V)
}

// envName checks the name of an environment variable. strict (secret env)
// requires a portable name; otherwise only names the environment cannot
// hold are errors, and non-portable names are warnings.
func (c *checker) envName(v spec.Value[string], fb spec.Range, what string, strict bool) {
	r := or(v.Range, fb)
	name := v.V
	if isPortableEnvName(name) {
		return
	}
	detail := fmt.Sprintf("The %s is named %q; environment variable names match [A-Za-z_][A-Za-z0-9_]*, so that every shell and program can read them.", what, name)
	hint := ""
	if s := fixName(name, false); s != "" && s != name {
		hint = fmt.Sprintf("rename it, for example to %q", s)
	}
	if strict || name == "" || strings.ContainsAny(name, "=\x00") {
		if name == "" {
			c.errorf(r, "invalid-env-name", fmt.Sprintf("The %s has an empty name.", what), "name the variable", "empty environment variable name")
			return
		}
		c.errorf(r, "invalid-env-name", detail, hint, "invalid environment variable name %q", name)
		return
	}
	c.warnf(r, "invalid-env-name", detail+" A shell cannot read this one as $NAME.", hint, "environment variable name %q is not portable", name)
}

func isPortableEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// --- platforms

var (
	platformPartRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	knownOS        = []string{"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "windows", "zos"}
	knownArch      = []string{"386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm"}
)

// parsePlatform validates with github.com/containerd/platforms, the parser
// BuildKit itself uses, and only explains its refusals in words. It returns
// the normalised "os/arch[/variant]" ("" for a one-part platform, whose
// missing half comes from the worker).
func parsePlatform(s string) (norm, os, arch string, err error) {
	p, err := platforms.Parse(s)
	if err != nil {
		return "", "", "", explainPlatform(s)
	}
	if !strings.Contains(s, "/") {
		if contains(knownOS, p.OS) && strings.EqualFold(s, p.OS) {
			return "", p.OS, "", nil
		}
		return "", "", p.Architecture, nil
	}
	return platforms.Format(p), p.OS, p.Architecture, nil
}

// explainPlatform says why containerd rejected s; its own errors only say
// "cannot parse platform specifier".
func explainPlatform(s string) error {
	parts := strings.Split(s, "/")
	switch {
	case strings.Contains(s, "*"):
		return fmt.Errorf("wildcards are not supported")
	case len(parts) > 3:
		return fmt.Errorf("it has more than three components")
	case parts[0] == "":
		return fmt.Errorf("the operating system is missing")
	case len(parts) == 1:
		return fmt.Errorf("%q is neither a known operating system nor a known architecture", s)
	}
	for _, part := range parts {
		if part == "" {
			return fmt.Errorf("it has an empty component")
		}
		if !platformPartRe.MatchString(part) {
			return fmt.Errorf("%q is not a valid component (letters, digits, \"_\", \".\" and \"-\")", part)
		}
	}
	return fmt.Errorf("it is not of the form os/arch[/variant]")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var commonPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64", "windows/amd64", "windows/arm64"}

// platform checks a platform template; it returns the normalised platform
// when the value is literal and valid.
func (c *checker) platform(v spec.Value[string], fb spec.Range, key string) (string, bool) {
	r := or(v.Range, fb)
	if strings.TrimSpace(v.V) == "" {
		c.errorf(r, "empty-value", "A platform is empty.", `write a platform, such as "linux/amd64"`, "empty platform")
		return "", false
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return "", false
	}
	norm, os, arch, err := parsePlatform(lit)
	if err != nil {
		c.errorf(r, "invalid-platform",
			fmt.Sprintf("%q is not a platform: %v. A platform is os/arch[/variant], such as \"linux/amd64\" or \"linux/arm/v7\".", lit, err),
			spec.DidYouMean(strings.ToLower(lit), commonPlatforms), "invalid platform %q", lit)
		return "", false
	}
	switch {
	case os != "" && !contains(knownOS, os):
		c.warnf(r, "unknown-platform",
			fmt.Sprintf("%q is not an operating system Go or BuildKit knows, so no image will have it.", os),
			spec.DidYouMean(os, knownOS), "unknown operating system %q in platform %q", os, lit)
	case arch != "" && !contains(knownArch, arch):
		hint := spec.DidYouMean(arch, knownArch)
		if hint == "" {
			hint = `common architectures are "amd64", "arm64", "arm" (with variant "v6" or "v7"), "386", "ppc64le", "s390x" and "riscv64"`
		}
		c.warnf(r, "unknown-platform",
			fmt.Sprintf("%q is not an architecture Go or BuildKit knows, so no image will have it.", arch),
			hint, "unknown architecture %q in platform %q", arch, lit)
	}
	return norm, true
}

// --- image references

const imageRefFormat = `An image reference is [registry/]repository[:tag][@digest], such as "alpine:3.20" or "ghcr.io/org/app@sha256:…".`

// imageRef checks an image reference the way the distribution reference
// grammar (which BuildKit uses) does: [registry/]path[:tag][@digest].
func (c *checker) imageRef(ref string, r spec.Range) {
	if why, hint := imageRefProblem(ref); why != "" {
		c.errorf(r, "invalid-image",
			fmt.Sprintf("%q is not a valid image reference: %s. %s", ref, why, imageRefFormat),
			hint, "invalid image reference %q", ref)
	}
}

// imageRefProblem returns what is wrong with an image reference and how
// to fix it, or "". github.com/distribution/reference, which BuildKit uses
// to resolve references, decides; this only puts its verdict in words.
func imageRefProblem(ref string) (why, hint string) {
	_, err := reference.ParseNormalizedNamed(ref)
	switch {
	case err == nil:
		return "", ""
	case ref == "" || errors.Is(err, reference.ErrNameEmpty):
		return "the repository name is missing", ""
	case strings.ContainsAny(ref, " \t\n"):
		return "it contains white space", ""
	case errors.Is(err, reference.ErrNameContainsUppercase):
		name, rest := ref, ""
		if i := strings.IndexAny(ref, ":@"); i > strings.LastIndexByte(ref[:max(i, 0)], '/') && i >= 0 {
			name, rest = ref[:i], ref[i:]
		}
		return "repository names must be lowercase", fmt.Sprintf("write %q", lowerPath(name)+rest)
	case errors.Is(err, reference.ErrNameTooLong):
		return "the repository name is longer than 255 characters", ""
	case errors.Is(err, reference.ErrTagInvalidFormat):
		return "the tag is not valid (letters, digits, \"_\", \".\" and \"-\", at most 128)", ""
	case errors.Is(err, reference.ErrDigestInvalidFormat):
		return "the digest is invalid", ""
	}
	return "it is not of the form [registry/]repository[:tag][@digest] (lowercase letters, digits and separators)", ""
}

// lowerPath lower-cases the repository path of a name, leaving a registry
// host (which may have upper case) alone.
func lowerPath(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		if host := name[:i]; strings.ContainsAny(host, ".:") || host == "localhost" {
			return host + strings.ToLower(name[i:])
		}
	}
	return strings.ToLower(name)
}

// --- digests, checksums, commits

var digestLengths = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// digestProblem returns what is wrong with an "algorithm:hex" digest, or "".
func digestProblem(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok {
		return `it does not start with "sha256:"`
	}
	want, known := digestLengths[alg]
	if !known {
		if _, ok := digestLengths[strings.ToLower(alg)]; ok {
			return fmt.Sprintf("the algorithm is written %q; it must be lowercase", alg)
		}
		return fmt.Sprintf("%q is not a supported algorithm (sha256, sha384 or sha512)", alg)
	}
	for i := 0; i < len(hex); i++ {
		ch := hex[i]
		if '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' {
			continue
		}
		if 'A' <= ch && ch <= 'F' {
			return "the hex digits must be lowercase"
		}
		return fmt.Sprintf("%q is not a hex digit", string(rune(ch)))
	}
	if len(hex) != want {
		return fmt.Sprintf("a %s digest has %d hex digits, this one has %d", alg, want, len(hex))
	}
	return ""
}

func (c *checker) digest(d string, r spec.Range, key string) {
	why := digestProblem(d)
	if why == "" {
		return
	}
	hint := `compute it with sha256sum and write "sha256:" followed by the 64 hex digits`
	if strings.Contains(why, "lowercase") {
		hint = fmt.Sprintf("write %q", strings.ToLower(d))
	}
	c.errorf(r, "invalid-checksum",
		fmt.Sprintf("The %s %q is invalid: %s. A checksum is \"sha256:\" followed by 64 lowercase hex digits (\"sha384:\" with 96 and \"sha512:\" with 128 are accepted too).", key, d, why),
		hint, "invalid checksum %q", d)
}

func (c *checker) commit(id string, r spec.Range) {
	if l := len(id); l == 40 || l == 64 {
		if strings.Trim(id, "0123456789abcdef") == "" {
			return
		}
	}
	hex := strings.Trim(strings.ToLower(id), "0123456789abcdef") == "" && id != ""
	hint := "to follow a branch or a tag, use ref; commit pins the exact commit"
	switch {
	case hex && len(id) != 40 && len(id) != 64:
		hint = "write the full id, as printed by git rev-parse"
	case hex:
		hint = fmt.Sprintf("write it in lowercase: %q", strings.ToLower(id))
	}
	c.errorf(r, "invalid-commit",
		fmt.Sprintf("\"commit\" is a full commit id: 40 lowercase hex digits (SHA-1) or 64 (SHA-256); %q is not one, and an abbreviated id or a branch name cannot pin the clone.", id),
		hint, "invalid commit %q", id)
}

// --- URLs

func looksLikeURL(s string) bool {
	lower := strings.ToLower(s)
	for _, p := range []string{"http://", "https://", "git://", "ssh://", "git@"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// redactURL hides the credentials of a URL, for messages: the password,
// and the user name of an http(s) URL, which is often a token.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, hasPass := u.User.Password(); !hasPass && !strings.HasPrefix(strings.ToLower(u.Scheme), "http") {
		return s
	}
	u.User = url.User("xxxxx")
	return u.String()
}

func (c *checker) credentials(u *url.URL, r spec.Range, userOnlyOK bool) bool {
	if u.User == nil {
		return false
	}
	if _, hasPass := u.User.Password(); !hasPass && userOnlyOK {
		return false
	}
	c.errorf(r, "url-credentials",
		"The URL contains credentials. It is stored in the build definition and in the build cache, where anyone who can read either can read them.",
		"remove the credentials from the URL; provide them to the build as a secret", "credentials in URL")
	return true
}

func (c *checker) httpURL(s string, r spec.Range) {
	u, err := url.Parse(s)
	shown := redactURL(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		hint := ""
		if looksLikeURL(s) && !strings.HasPrefix(strings.ToLower(s), "http") || strings.HasSuffix(s, ".git") {
			hint = "to clone a repository, make it a git source"
		}
		detail := fmt.Sprintf("An http add step downloads from an http:// or https:// URL with a host; %q is not one.", shown)
		if err == nil && u.Scheme == "" {
			detail = fmt.Sprintf("%q has no scheme; an http add step downloads from an http:// or https:// URL. Files of the build context are copied with copy.", shown)
		}
		c.errorf(r, "invalid-url", detail, hint, "invalid download URL %q", shown)
		return
	}
	c.credentials(u, r, false)
}

var scpLikeRe = regexp.MustCompile(`^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$`)

// gitURL accepts what BuildKit's git source accepts: http(s)://, ssh://
// and git:// URLs, and scp-like user@host:path addresses.
func (c *checker) gitURL(s string, r spec.Range) {
	bad := func(detail string) {
		c.errorf(r, "invalid-git-url",
			detail+` A git source is an https://, http://, ssh:// or git:// URL, or an scp-like address such as "git@github.com:org/repo.git".`,
			"", "invalid git URL %q", redactURL(s))
	}
	if m := scpLikeRe.FindStringSubmatch(s); m != nil && !strings.Contains(s, "://") {
		if m[3] == "" {
			bad(fmt.Sprintf("%q has no repository path after the colon.", s))
		}
		return
	}
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		bad(fmt.Sprintf("%q is neither a URL nor an scp-like address.", s))
		return
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "ssh", "git":
	default:
		bad(fmt.Sprintf("%q uses the %s scheme, which BuildKit cannot clone from.", redactURL(s), scheme))
		return
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		bad(fmt.Sprintf("%q has no host.", redactURL(s)))
		return
	}
	if c.credentials(u, r, strings.EqualFold(scheme, "ssh")) {
		return
	}
	if u.Path == "" || u.Path == "/" {
		bad(fmt.Sprintf("%q has no repository path.", redactURL(s)))
	}
}

// --- users and owners

var userPartRe = regexp.MustCompile(`^(?:[0-9]+|[A-Za-z_][A-Za-z0-9_.-]*\$?)$`)

// ownerSpec checks user[:group]; key is "chown" or "user". It returns
// whether either part is a name rather than a numeric id.
func (c *checker) ownerSpec(s string, r spec.Range, key string) (byName, ok bool) {
	user, group, hasGroup := strings.Cut(s, ":")
	valid := userPartRe.MatchString(user) && (!hasGroup || userPartRe.MatchString(group))
	if !valid {
		c.errorf(r, "invalid-"+key,
			fmt.Sprintf("%q is user[:group], each a name or a numeric id, such as \"1000:1000\" or \"app\"; %q is not.", key, s),
			"", "invalid %s %q", key, s)
		return false, false
	}
	isNum := func(p string) bool { return strings.Trim(p, "0123456789") == "" }
	return !isNum(user) || hasGroup && !isNum(group), true
}

func (c *checker) chown(v spec.Value[string], fb spec.Range, link bool) {
	if !v.Set {
		return
	}
	r := or(v.Range, fb)
	if strings.TrimSpace(v.V) == "" {
		c.errorf(r, "empty-value", "\"chown\" is empty.", "remove it to keep the owner root, or write user[:group]", "empty chown")
		return
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return
	}
	byName, valid := c.chownSpec(lit, r)
	if valid && byName && link {
		c.errorf(r, "chown-name-with-link",
			"A linked copy (link set to true) is made as an independent layer, where user and group names cannot be resolved against the stage's /etc/passwd and /etc/group.",
			"use numeric ids, such as \"1000:1000\", or turn link off", "chown by name cannot be used with link")
	}
}

// --- ports, durations, signals, sizes, patterns, paths

var portRe = regexp.MustCompile(`^([0-9]+)(?:-([0-9]+))?(?:/([A-Za-z]+))?$`)

func (c *checker) port(s string, r spec.Range) {
	const format = `"expose" takes a port or a port range with an optional protocol, such as "80", "80/tcp", "53/udp" or "8000-8100/tcp"; ports are 1 to 65535 and the protocol is tcp, udp or sctp.`
	bad := func(why, hint string) {
		c.errorf(r, "invalid-port", why+" "+format, hint, "invalid port %q", s)
	}
	if strings.Contains(s, ":") {
		bad(fmt.Sprintf("%q maps a host port, which an image cannot do: publishing is decided when the container runs.", s),
			"expose only the container port")
		return
	}
	m := portRe.FindStringSubmatch(s)
	if m == nil {
		bad(fmt.Sprintf("%q is not a port.", s), "")
		return
	}
	start, err1 := strconv.Atoi(m[1])
	end := start
	var err2 error
	if m[2] != "" {
		end, err2 = strconv.Atoi(m[2])
	}
	switch {
	case err1 != nil || err2 != nil || start < 1 || start > 65535 || end < 1 || end > 65535:
		bad(fmt.Sprintf("%q is out of range.", s), "")
	case end < start:
		bad(fmt.Sprintf("The range %q ends before it starts.", s), "")
	case m[3] != "" && !contains([]string{"tcp", "udp", "sctp"}, strings.ToLower(m[3])):
		bad(fmt.Sprintf("%q is not a protocol.", m[3]), spec.DidYouMean(strings.ToLower(m[3]), []string{"tcp", "udp", "sctp"}))
	}
}

func (c *checker) duration(s string, r spec.Range, key string) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		hint := `write a number with a unit, such as "30s", "1m30s" or "500ms"`
		if _, nerr := strconv.Atoi(s); nerr == nil {
			hint = fmt.Sprintf("add a unit: %q", s+"s")
		}
		c.errorf(r, "invalid-duration",
			fmt.Sprintf("%q takes a duration with a unit, such as \"30s\", \"1m30s\" or \"500ms\"; %q is not one.", key, s),
			hint, "invalid %s %q", key, s)
	case d < 0:
		c.errorf(r, "invalid-duration", fmt.Sprintf("%q is %q; a duration cannot be negative.", key, s), "", "negative %s %q", key, s)
	case d > 0 && d < time.Millisecond:
		c.errorf(r, "invalid-duration", fmt.Sprintf("%q is %q; it must be 0 (the default) or at least 1ms.", key, s), "", "%s %q is shorter than 1ms", key, s)
	}
}

var signalNames = []string{
	"ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
	"QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
	"RTMIN", "RTMAX",
}

func (c *checker) signal(s string, r spec.Range) {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= 64 {
			return
		}
	} else {
		name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
		if contains(signalNames, name) {
			return
		}
		for _, base := range []string{"RTMIN+", "RTMAX-"} {
			if rest, ok := strings.CutPrefix(name, base); ok {
				if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 15 {
					return
				}
			}
		}
	}
	hint := ""
	if _, err := strconv.Atoi(s); err != nil {
		cands := make([]string, len(signalNames))
		for i, n := range signalNames {
			cands[i] = "SIG" + n
		}
		guess := strings.ToUpper(s)
		if !strings.HasPrefix(guess, "SIG") {
			guess = "SIG" + guess
		}
		hint = spec.DidYouMean(guess, cands)
	}
	c.errorf(r, "invalid-signal",
		fmt.Sprintf("\"stop_signal\" is a signal name, such as \"SIGTERM\" or \"TERM\", or a signal number from 1 to 64; %q is not one.", s),
		hint, "invalid stop signal %q", s)
}

var sizeRe = regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)?\s?(?:[kKmMgGtTpP][iI]?)?[bB]?$`)

func (c *checker) size(s string, r spec.Range) {
	if sizeRe.MatchString(s) {
		return
	}
	c.errorf(r, "invalid-size",
		fmt.Sprintf("\"size\" is a number of bytes, optionally with a k, m, g or t suffix (powers of 1024), such as \"64m\" or \"1g\"; %q is not one.", s),
		"", "invalid tmpfs size %q", s)
}

func (c *checker) patterns(l spec.List[string], fb spec.Range, key string) {
	lfb := or(l.Range, fb)
	for _, p := range l.Items {
		r := or(p.Range, lfb)
		if p.V == "" {
			c.errorf(r, "empty-value", fmt.Sprintf("An %s pattern is empty.", key), "remove it", "empty %s pattern", key)
			continue
		}
		lit, ok := c.template(p, lfb, nil)
		if !ok {
			continue
		}
		if _, err := path.Match(strings.TrimPrefix(lit, "!"), ""); err != nil {
			c.errorf(r, "invalid-pattern",
				fmt.Sprintf("%q takes path patterns with *, ?, [...] and **; %q is malformed (an unclosed \"[\" or a trailing \"\\\"?).", key, lit),
				"", "invalid %s pattern %q", key, lit)
		}
	}
}

// escapes warns about a path that climbs above the root of its source
// with "..": BuildKit resolves it inside the source, which is rarely what
// was meant.
func (c *checker) escapes(p string, r spec.Range, from spec.Source) {
	depth := 0
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if depth == 0 {
				root := "the build context"
				if from.Set && from.Kind != spec.SourceContext {
					root = describeSource(from)
				}
				c.warnf(r, "path-escapes-source",
					fmt.Sprintf("%q climbs above the root of %s, but a path cannot leave its source: it is resolved inside it, as if the \"..\" were not there.", p, root),
					"to use files outside the build context, pass them as a named context", "path %q leaves its source", p)
				return
			}
			depth--
		default:
			depth++
		}
	}
}

// --- known_hosts

var hostKeyTypes = []string{
	"ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
	"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
}

// knownHost checks one known_hosts entry: [marker] hosts keytype base64key
// [comment]; the key blob must carry the key type it is declared with.
func (c *checker) knownHost(v spec.Value[string], fb spec.Range) {
	r := or(v.Range, fb)
	line := strings.TrimSpace(v.V)
	if line == "" {
		c.errorf(r, "empty-value", "A known_hosts entry is empty.", "remove it", "empty known_hosts entry")
		return
	}
	lit, ok := c.template(v, fb, nil)
	if !ok {
		return
	}
	line = strings.TrimSpace(lit)
	if strings.HasPrefix(line, "#") {
		return
	}
	bad := func(why string) {
		c.errorf(r, "invalid-known-hosts",
			why+` An entry is a known_hosts line: the host names (comma-separated), the key type and the base64 key, such as "github.com ssh-ed25519 AAAAC3Nza…".`,
			"copy the line from a known_hosts file you trust, or from the host's published keys; do not trust a key fetched with ssh-keyscan over the network you are protecting against",
			"invalid known_hosts entry")
	}
	fields := strings.Fields(line)
	if strings.HasPrefix(fields[0], "@") {
		if fields[0] != "@cert-authority" && fields[0] != "@revoked" {
			bad(fmt.Sprintf("%q is not a marker (@cert-authority or @revoked).", fields[0]))
			return
		}
		fields = fields[1:]
	}
	if len(fields) > 0 && isKeyType(fields[0]) {
		bad("The entry starts with the key type: the host names are missing.")
		return
	}
	if len(fields) < 3 {
		bad(fmt.Sprintf("The entry has %d fields; it needs the host names, the key type and the key.", len(fields)))
		return
	}
	for _, h := range strings.Split(fields[0], ",") {
		if h == "" {
			bad(fmt.Sprintf("The host list %q has an empty name.", fields[0]))
			return
		}
	}
	typ, key := fields[1], fields[2]
	if !isKeyType(typ) {
		bad(fmt.Sprintf("%q is not an ssh key type.", typ))
		return
	}
	blob, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		bad("The key is not valid base64.")
		return
	}
	if len(blob) < 4 {
		bad("The key is too short.")
		return
	}
	n := binary.BigEndian.Uint32(blob)
	if uint64(n) > uint64(len(blob)-4) || string(blob[4:4+n]) != typ {
		bad(fmt.Sprintf("The key is not an %s key: its data does not match the key type.", typ))
	}
}

func isKeyType(s string) bool {
	if contains(hostKeyTypes, s) {
		return true
	}
	if base, ok := strings.CutSuffix(s, "-cert-v01@openssh.com"); ok {
		return contains(hostKeyTypes, base) || contains(hostKeyTypes, base+"@openssh.com")
	}
	return false
}
