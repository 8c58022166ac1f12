package check

import "github.com/ourorg/securefile/spec"

// Rule describes one kind of finding.
type Rule struct {
	// Code is the stable rule id of the diagnostics.
	Code string
	// Severity is the severity of the rule's diagnostics (invalid-env-name
	// is a warning for a name that is legal but not portable).
	Severity spec.Severity
	// Doc says in one line what the rule finds.
	Doc string
}

// Rules lists every rule Check applies, for documentation and for lint
// configuration. TestRulesAreDocumented keeps it complete.
var Rules = []Rule{
	// names
	{"invalid-name", spec.Error, "an arg name is not [A-Za-z_][A-Za-z0-9_]*, or a stage, image, secret, ssh or cache name is not [A-Za-z_][A-Za-z0-9_.-]*"},
	{"reserved-name", spec.Error, "an arg is named like a platform arg, or a stage or image is named scratch or context (in any case)"},
	{"duplicate-arg", spec.Error, "an arg name is declared twice"},
	{"duplicate-secret", spec.Error, "a secret name is declared twice"},
	{"duplicate-ssh", spec.Error, "an ssh name is declared twice"},
	{"duplicate-cache", spec.Error, "a cache name is declared twice"},
	{"duplicate-stage", spec.Error, "two stages or images have the same name, ignoring case"},

	// references
	{"undefined-secret", spec.Error, "a run step mounts a secret that is not declared"},
	{"undefined-ssh", spec.Error, "a run step forwards an ssh agent that is not declared"},
	{"undefined-cache", spec.Error, "a run step mounts a cache that is not declared"},
	{"undefined-stage", spec.Error, "a base, copy, bind or cache seed names a stage that does not exist"},
	{"undefined-arg", spec.Error, "a string interpolates a name that is neither a declared or automatic arg nor a variable an env step of the stage sets (in a stage based on scratch, or outside stages)"},
	{"inherited-env", spec.Warning, "a value reads a variable that no env step sets, spelled like a name the file knows: it must come from the base image's config"},
	{"arg-in-runtime-command", spec.Error, "a shell-form entrypoint, cmd or healthcheck names an arg: the container's shell runs it later, where the arg does not exist, and no value is ever spliced into it"},
	{"duplicate-mount", spec.Error, "a run step mounts the same secret, ssh agent or cache twice"},
	{"stage-cycle", spec.Error, "stages depend on each other in a circle (base, copy, bind or a seeded cache), one finding per cycle"},
	{"arg-cycle", spec.Error, "arg defaults refer to each other (or to themselves) in a circle"},
	{"secret-interpolation", spec.Error, "a string, command included, interpolates a secret: no expression reads a secret's value"},
	{"mount-interpolation", spec.Error, "a string outside commands interpolates an ssh or cache name"},
	{"image-named-like-stage", spec.Warning, "an image reference is spelled like a stage of the file, which it does not refer to"},
	{"invalid-source", spec.Error, "a source of the wrong kind: the main context as a base, scratch in copy or bind, a cache seeded from a context"},
	{"missing-key", spec.Error, "a stage or image has no base"},

	// targets
	{"no-stages", spec.Error, "the file has no stage or image"},
	{"ambiguous-default", spec.Error, "two or more images and none is marked default"},
	{"multiple-defaults", spec.Error, "more than one image is marked default"},
	{"default-on-stage", spec.Error, "a stage (not an image) is marked default"},

	// unused declarations
	{"unused-arg", spec.Warning, "no string interpolates an arg"},
	{"unused-secret", spec.Warning, "no run step mounts a secret"},
	{"unused-ssh", spec.Warning, "no run step forwards an ssh agent"},
	{"unused-cache", spec.Warning, "no run step mounts a cache"},

	// interpolation
	{"invalid-interpolation", spec.Error, "a template is malformed: unterminated ${, missing or invalid name, unsupported operator"},
	{"too-many-layers", spec.Warning, "an image has more layers than overlayfs stacks (over 400 steps that write its filesystem, with its base stages'), so the build would fail late with a huge mount error"},
	{"unsubstituted-arg", spec.Warning, "an exec-form word that no shell reads uses an arg as $NAME or with an operator it does not substitute, so the program gets the text"},
	{"unexpanded-variable", spec.Warning, "a value that is not a command holds $NAME, which is kept as text: only ${NAME} is expanded"},
	{"arg-secret-clash", spec.Warning, "an arg has the name of a secret, so ${NAME} reads the arg, not the secret"},
	{"invalid-default-image", spec.Warning, "an image reference is invalid when its args take their defaults"},

	// security
	{"missing-checksum", spec.Error, "an http(s) add step has no checksum"},
	{"invalid-checksum", spec.Error, "a checksum is not sha256:<64 hex> (or sha384:<96>, sha512:<128>), lowercase"},
	{"url-credentials", spec.Error, "a download or git URL has credentials in it (a password, or any user name for http(s))"},
	{"secret-in-arg", spec.Warning, "an arg whose name says it holds a secret has a literal default (no finding for a name alone, a ${…} or a path)"},
	{"secret-in-env", spec.Warning, "an environment variable whose name says it holds a secret is set to a literal (no finding for ${…} or a path)"},
	{"secret-value", spec.Error, "an arg default, env value, label or command holds a known credential format (ghp_, github_pat_, glpat-, AKIA/ASIA, xox?-, sk-, sk_live_, AIza, npm_, pypi-, a PRIVATE KEY block)"},
	{"high-entropy-secret", spec.Error, "a random-looking literal (16+ characters, 3.5+ bits each) is assigned to a credential name (TOKEN, PASSWORD, SECRET, API_KEY, …) in an arg, env, label or command"},
	{"credential-file", spec.Error, "a copy or bind of the main context names a credential file (.netrc, .npmrc, .env, id_rsa, *.key, .docker/config.json, .aws/credentials, kubeconfig, …)"},
	{"credential-file-allowed", spec.Warning, "a copy sets allow-credentials = true (always reported, so the opt-out stays visible)"},
	{"secret-in-cache", spec.Warning, "a run step mounts a secret and a writable cache, so the secret can be written into the cache, which outlives the build, is never leak-verified and is readable by later builds with the same cache id"},
	{"unknown-suppression", spec.Warning, "a securefile:ignore comment names no rule, an unknown rule, or a rule that cannot be suppressed"},
	{"unused-suppression", spec.Warning, "a securefile:ignore comment suppresses a rule that reports nothing where it applies"},
	{"unpinned-ssh-host", spec.Error, "an add git over ssh names a host no known_hosts entry pins, or a run step runs git/ssh/scp/sftp/rsync with only ssh agents that pin no host key"},
	{"invalid-known-hosts", spec.Error, "a known_hosts entry is not hosts keytype base64key, or its key does not match its type"},

	// values
	{"empty-value", spec.Error, "a value that cannot be empty is set to an empty string (id, target, path, platform, name, …)"},
	{"invalid-platform", spec.Error, "a platform does not parse (os[/arch[/variant]], as containerd's platforms.Parse)"},
	{"unknown-platform", spec.Warning, "a platform names an operating system or architecture nobody builds for"},
	{"duplicate-platform", spec.Warning, "platforms lists the same platform twice (after normalisation)"},
	{"redundant-platform", spec.Warning, "a stage's platform is ${TARGETPLATFORM}, which is the default"},
	{"invalid-image", spec.Error, "an image reference is not [registry/]repository[:tag][@digest]"},
	{"invalid-mode", spec.Error, "a mode is not an octal string from 0 to 07777, or a chmod is neither that nor a symbolic mode BuildKit reads (u+x, go-w, u=rw,g=r,o=r, a+X)"},
	{"invalid-uid", spec.Error, "a uid is negative or too large"},
	{"invalid-gid", spec.Error, "a gid is negative or too large"},
	{"invalid-sharing", spec.Error, "a cache sharing is not shared, private or locked"},
	{"invalid-network", spec.Error, "a run network is not default, none or host"},
	{"invalid-security", spec.Error, "a run security is not sandbox or insecure"},
	{"relative-path", spec.Error, "a mount target (secret, ssh, cache, bind, tmpfs) or a volume is not an absolute path"},
	{"invalid-env-name", spec.Error, "an environment variable name is not [A-Za-z_][A-Za-z0-9_]* (a warning when legal but not portable)"},
	{"ignored-option", spec.Warning, "mode, uid or gid on a secret delivered only as an environment variable"},
	{"mount-conflict", spec.Error, "two mounts of one run step at the same path, or a mount at /"},
	{"env-conflict", spec.Error, "a run step's secret sets an environment variable that another secret or the step's env also sets"},
	{"cache-id-conflict", spec.Warning, "caches that share an id set sharing, mode, uid or gid differently"},
	{"invalid-size", spec.Error, "a tmpfs size is not bytes with an optional k/m/g/t suffix"},
	{"invalid-url", spec.Error, "an http add step's URL is not http(s)://host/…"},
	{"invalid-git-url", spec.Error, "a git add step's URL is not https://, http://, ssh://, git:// or user@host:path"},
	{"option-not-applicable", spec.Error, "ref, commit, keep_git_dir, subdir or exclude on an http source, checksum on a git source, or content on a file step with files"},
	{"invalid-commit", spec.Error, "a git commit is not 40 or 64 lowercase hex digits"},
	{"invalid-chown", spec.Error, "a chown is not user, user:group, user: or :group (names or numeric ids)"},
	{"invalid-user", spec.Error, "a user step is not user[:group]"},
	{"chown-name-with-link", spec.Error, "a linked copy changes the owner by name, which cannot be resolved in a linked layer"},
	{"missing-source", spec.Error, "a copy step has no source"},
	{"url-in-copy", spec.Error, "a copy source is a URL (copy does not download)"},
	{"path-escapes-source", spec.Warning, "a copy or bind path, or a git subdir, climbs above the root of its source with .."},
	{"copy-dest-not-dir", spec.Warning, "several sources are copied to a destination without a trailing /"},
	{"file-dest-dir", spec.Error, "a file step's destination, or the path of one of its files, names a directory (ends with /, or is . or ..)"},
	{"file-dest-not-dir", spec.Error, "a file step with files has a destination that is not a directory (no trailing /)"},
	{"file-path-outside", spec.Error, "the path of a file of a file step's files is absolute or climbs out of the destination with .."},
	{"duplicate-file", spec.Error, "a file step's files write the same path twice"},
	{"invalid-device", spec.Error, "a run device is not one CDI device name (it has a space or a comma)"},
	{"invalid-pattern", spec.Error, "an include or exclude pattern is malformed"},
	{"relative-workdir", spec.Warning, "a stage's first workdir is relative while the file sets no absolute one for it"},
	{"empty-command", spec.Error, "a run or healthcheck command is empty, or an exec form has an empty program (an empty entrypoint or cmd list clears the inherited one)"},
	{"exec-form-spaces", spec.Warning, "an exec-form command is one item with spaces, run as a single program name"},
	{"indented-heredoc-end", spec.Warning, "a here-document in a shell command never ends because its end line is indented (or has blanks after the delimiter), so the shell reads the rest of the script into it"},
	{"invalid-port", spec.Error, "an exposed port is not port[-port][/tcp|udp|sctp] within 1-65535, or maps a host port"},
	{"invalid-duration", spec.Error, "a healthcheck duration does not parse, is negative, or is under 1ms"},
	{"invalid-retries", spec.Error, "healthcheck retries is negative"},
	{"healthcheck-conflict", spec.Error, "a healthcheck sets none together with other settings"},
	{"invalid-signal", spec.Error, "stop_signal is not a signal name or number"},

	{"internal", spec.Error, "a step or source of a kind the checker does not know (added to the model without its checks): every pass must see every step, so the file cannot pass"},
	{"internal-error", spec.Error, "a bug in the checker; the findings may be incomplete"},
}
