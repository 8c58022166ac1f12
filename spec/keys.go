package spec

// The key tables are the single description of what each construct
// accepts: below for the file, the declarations and the stage, and in
// step_*.go for each kind of step, beside its model and bindings. The DSL
// and TOML decoders and printers, the TOML JSON Schema, the checker's
// validation of formats and the docs' key tables (doctable.go: `go test
// ./spec -run TestDocTables -update`) are all derived from them, so they
// cannot drift apart. The bindings (bindings.go, step_*.go) say which
// model field each key sets; the decoders and formatters of both syntaxes
// read and write keys through them.

// KeyType is the type a key's value must have.
type KeyType int

const (
	TString       KeyType = iota
	TInt                  // whole number
	TBool                 // true / false
	TStringList           // list of strings
	TStringMap            // map of string to string, order kept
	TCommand              // string (shell form) or list of strings (exec form)
	TSource               // a source: image string, stage, named context (see docs/language.md)
	TNameList             // list of declaration names (TOML); statements in the DSL
	THealthcheck          // map with HealthcheckKeys
	TBindList             // list of maps with BindKeys (TOML); statements in the DSL
	TTmpfsList            // list of maps with TmpfsKeys (TOML); statements in the DSL
	TStringOrList         // one string or a list of strings
	TFileList             // list of maps with InlineFileKeys (TOML); statements in the DSL
)

func (t KeyType) String() string {
	switch t {
	case TString:
		return "a string"
	case TInt:
		return "an integer"
	case TBool:
		return "a boolean (true or false)"
	case TStringList, TNameList:
		return "a list of strings"
	case TStringMap:
		return "a map of strings"
	case TCommand:
		return "a string (shell form) or a list of strings (exec form)"
	case TSource:
		return "a source (an image reference string, a stage or a named context)"
	case THealthcheck:
		return "a map (healthcheck settings)"
	case TBindList, TTmpfsList, TFileList:
		return "a list of maps"
	case TStringOrList:
		return "a string or a list of strings"
	}
	return "a value"
}

// Key describes one key a construct accepts.
type Key struct {
	Name string
	Type KeyType
	// Enum lists the allowed values of a string key, if limited, and
	// EnumWhy says what they do, for the checker's message.
	Enum    []string
	EnumWhy string
	// Required keys must be written.
	Required bool
	// RequiredUnless names a key whose presence lifts Required (a file
	// step's content is not written when its files are).
	RequiredUnless string
	// DSLStatement marks keys that the DSL writes as statements inside a
	// block (run's secret/ssh/cache/bind/tmpfs/env) rather than key = value.
	DSLStatement bool
	// Template marks keys whose strings are templates, interpolated
	// (${NAME}) before use: of a map, its values; of a command, its
	// strings. Enums, names of declarations and sources are not. It is
	// set on the keys of steps and their mounts.
	Template bool
	// Format says what a string or integer key's value must look like,
	// beyond its type; the checker validates it from this alone
	// (grammar/check/formats.go) and the docs' type column names it.
	Format Format
	// Doc is the key's one-line description (schema, hints).
	Doc string
	// Default is the value used when the key is not written, as the
	// docs' key tables show it (markdown); empty is "—".
	Default string
	// Why is the docs' reason for the default or the key, when it says
	// more than Doc (markdown); the tables fall back to Doc.
	Why string
}

// Format is what a value must look like beyond its type.
type Format int

const (
	FormatNone     Format = iota
	FormatAbsPath         // an absolute path (mount targets, volumes)
	FormatMode            // permission bits, octal string: "0400"
	FormatID              // a numeric user or group id, 0 to 4294967294
	FormatDuration        // a Go duration: "30s", "1m30s"
	FormatSize            // bytes, or with a k/m/g suffix: "64m"
	FormatEnvName         // an environment variable name
	// FormatChmod is the mode of copied or written files: octal ("0755")
	// or symbolic as BuildKit reads it ("u+x", "go-w", "u=rw,g=r,o=r",
	// "a+X").
	FormatChmod
	// FormatChown is the owner of copied or written files: "user",
	// "user:group", "user:", ":group", names or numeric ids.
	FormatChown
)

// Describe is the docs' words for the format, or "" for none.
func (f Format) Describe() string {
	switch f {
	case FormatAbsPath:
		return "absolute path"
	case FormatMode:
		return "octal mode"
	case FormatID:
		return "numeric id"
	case FormatDuration:
		return `duration, e.g. "30s"`
	case FormatSize:
		return `size, e.g. "64m"`
	case FormatEnvName:
		return "env var name"
	case FormatChmod:
		return "octal or symbolic mode"
	case FormatChown:
		return "user[:group]"
	}
	return ""
}

// Names lists the key names, for hints.
func Names(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// Lookup finds a key by name.
func Lookup(keys []Key, name string) (Key, bool) {
	for _, k := range keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

var (
	modeDoc = `permission bits as an octal string, e.g. "0400"`

	// FileKeys are the settings of the file itself (besides its
	// declarations and stages).
	FileKeys = []Key{
		{Name: "platforms", Type: TStringList, Doc: `default target platforms, e.g. "linux/amd64"; --platform overrides them`},
	}

	SecretKeys = []Key{
		{Name: "id", Type: TString, Doc: "the id the client provides (--secret id=…); default: the name", Default: "the name", Why: "the id the client passes (`--secret id=…`); defaulting to the name means most builds never write it"},
		{Name: "target", Type: TString, Doc: "absolute path of the secret file; default /run/secrets/<id> unless env is set", Format: FormatAbsPath, Default: "`/run/secrets/<id>` unless `env` is set", Why: "BuildKit's own default location"},
		{Name: "env", Type: TString, Doc: "deliver the secret as this environment variable of the step", Format: FormatEnvName, Why: "deliver as an environment variable of the step; with `target` too, both"},
		{Name: "mode", Type: TString, Doc: modeDoc + `; default "0400"`, Format: FormatMode, Default: "`\"0400\"`", Why: "readable by the owner only"},
		{Name: "uid", Type: TInt, Doc: "owner user id of the file; default 0", Format: FormatID, Default: "`0`", Why: "owner user id of the file"},
		{Name: "gid", Type: TInt, Doc: "owner group id of the file; default 0", Format: FormatID, Default: "`0`", Why: "owner group id of the file"},
		{Name: "required", Type: TBool, Doc: "fail the build when the client does not provide the secret; default true", Default: "`true`", Why: "a missing secret fails the build instead of mounting an empty file that makes the step fail confusingly later, or succeed without credentials"},
		{Name: "rotate", Type: TBool, Doc: "key the digest that rebuilds the steps using the secret when its value changes with the project salt from Securefile.lock, and fail without one; default false (the lock salt if any, else the daemon salt)", Default: "`false`", Why: "key the digest that rebuilds the steps using the secret when its value changes with the project's salt from `Securefile.lock`, and fail without one (see [Secret rotation](#secret-rotation)); without it the digest uses the lock's salt when there is one, else the daemon's own"},
	}

	SSHKeys = []Key{
		{Name: "id", Type: TString, Doc: `the agent id the client provides (--ssh ID=…); default "default"`, Default: "`\"default\"`", Why: "matches `--ssh default`"},
		{Name: "target", Type: TString, Doc: "absolute path of the agent socket; default /run/buildkit/ssh_agent.N", Format: FormatAbsPath, Default: "`/run/buildkit/ssh_agent.N` (N = declaration index)", Why: "BuildKit's default; `SSH_AUTH_SOCK` points to it"},
		{Name: "required", Type: TBool, Doc: "fail the build when the client does not forward the agent; default true", Default: "`true`", Why: "as for secrets"},
		{Name: "mode", Type: TString, Doc: modeDoc + `; default "0600"`, Format: FormatMode, Default: "`\"0600\"`", Why: "the socket is the agent: owner only"},
		{Name: "uid", Type: TInt, Doc: "owner user id of the socket; default 0", Format: FormatID, Default: "`0`"},
		{Name: "gid", Type: TInt, Doc: "owner group id of the socket; default 0", Format: FormatID, Default: "`0`"},
		{Name: "known_hosts", Type: TStringList, Doc: "pinned host keys in known_hosts format, mounted for the step", Why: "pinned host keys; mounted for the step so no step runs `ssh-keyscan` (trust on first use)"},
	}

	CacheKeys = []Key{
		{Name: "target", Type: TString, Required: true, Doc: "absolute path where the cache is mounted", Format: FormatAbsPath},
		{Name: "id", Type: TString, Doc: "cache id; caches with the same id share storage; default: the name", Default: "the name", Why: "caches with the same id share storage across files"},
		{Name: "sharing", Type: TString, Enum: []string{"shared", "private", "locked"}, EnumWhy: `"locked" lets one writer at a time use the cache (package managers), "private" gives each concurrent writer its own copy, "shared" lets all use it at once`, Doc: `how concurrent builds share the cache; default "shared"`, Default: "`\"shared\"`", Why: "BuildKit's default; `locked` serialises writers (package managers)"},
		{Name: "mode", Type: TString, Doc: modeDoc + `; default "0755"`, Format: FormatMode, Default: "`\"0755\"`", Why: "a directory any step user can read; ignored with `from` (the seed's directory is used, as in a Dockerfile)"},
		{Name: "uid", Type: TInt, Doc: "owner user id of the cache directory; default 0", Format: FormatID, Default: "`0`", Why: "ignored with `from`, as `mode`"},
		{Name: "gid", Type: TInt, Doc: "owner group id of the cache directory; default 0", Format: FormatID, Default: "`0`", Why: "ignored with `from`, as `mode`"},
		{Name: "readonly", Type: TBool, Doc: "mount the cache read-only; default false", Default: "`false`"},
		{Name: "from", Type: TSource, Doc: "seed an empty cache from a stage or an image", Why: "seed an empty cache from a stage or an image"},
	}

	// StageKeys are the settings of a stage or image (besides its steps).
	StageKeys = []Key{
		{Name: "platform", Type: TString, Doc: `build the stage for a fixed platform, e.g. "${BUILDPLATFORM}"`},
		{Name: "entrypoint", Type: TCommand, Doc: "image entrypoint"},
		{Name: "cmd", Type: TCommand, Doc: "image command"},
		{Name: "labels", Type: TStringMap, Doc: "image labels"},
		{Name: "expose", Type: TStringList, Doc: `exposed ports, e.g. "8080" or "53/udp"`},
		{Name: "volumes", Type: TStringList, Doc: "image volumes"},
		{Name: "healthcheck", Type: THealthcheck, Doc: "image health check"},
		{Name: "stop_signal", Type: TString, Doc: `stop signal, e.g. "SIGTERM"`},
		{Name: "ignore_onbuild", Type: TBool, Doc: "build on a base image whose ONBUILD triggers are not run (without it such a base is refused)", Default: "`false`", Why: "a base image's ONBUILD triggers are commands from the image, not from the build file, and securefile never runs them: a base that has some is refused, so that an image meant to run them is not built silently without; set this to build on it anyway"},
		{Name: "shell", Type: TStringList, Doc: `the shell of shell-form commands (run, entrypoint, cmd, healthcheck), exec form, e.g. ["/bin/bash", "-c"]; default the base's, else ["/bin/sh", "-c"]`, Default: "the base's, else `[\"/bin/sh\", \"-c\"]`", Why: "as Dockerfile `SHELL`: a stage inherits its base stage's shell, or an image base's config `Shell`; it is written to the image's `Shell`"},
	}

	HealthcheckKeys = []Key{
		{Name: "cmd", Type: TCommand, Doc: "the check command"},
		{Name: "none", Type: TBool, Doc: "disable a health check inherited from the base"},
		{Name: "interval", Type: TString, Doc: `time between checks, e.g. "30s"`, Format: FormatDuration},
		{Name: "timeout", Type: TString, Doc: `time a check may take, e.g. "5s"`, Format: FormatDuration},
		{Name: "start_period", Type: TString, Doc: "grace period after start", Format: FormatDuration},
		{Name: "start_interval", Type: TString, Doc: "time between checks during the start period", Format: FormatDuration},
		{Name: "retries", Type: TInt, Doc: "failures before the container is unhealthy"},
	}
)
