// Package spec is the build model that both Securefile syntaxes (the DSL and
// TOML) parse into. From here on nothing knows which syntax was used: the
// checker, the LLB lowering, the formatters and the CLI all work on *File.
//
// Every node carries its source Range, and every scalar is a Value carrying
// its own Range, so diagnostics can point at the exact value at fault.
// Defaults are not filled in by the parsers (a field that was not written is
// left unset); the accessor methods on each type apply them, so that the
// model round-trips exactly through either syntax.
package spec

// File is one parsed build file.
type File struct {
	Node
	// Header holds the comment block at the very top of the file (the
	// "# syntax=" line among them) when a blank line separates it from
	// what follows.
	Header []string
	// Platforms are the default target platforms; --platform overrides them.
	Platforms List[string]
	Args      []*Arg
	Secrets   []*Secret
	SSH       []*SSH
	Caches    []*Cache
	Stages    []*Stage
	// Trailing holds comments after the last node.
	Trailing []string
}

// Arg is a declared build argument. An arg written without a default has
// the empty string as its default.
type Arg struct {
	Node
	Name    Value[string]
	Default Value[string]
}

// Secret declares a secret the client provides. It is delivered to the
// steps that reference it as a file, an environment variable, or both.
type Secret struct {
	Node
	Name Value[string]
	// ID is the id the client provides (--secret id=...); default Name.
	ID Value[string]
	// Target is the file path; when neither Target nor Env is set the
	// secret is a file at /run/secrets/<id>.
	Target   Value[string]
	Env      Value[string]
	Mode     Value[string] // octal, e.g. "0400"
	UID      Value[int]
	GID      Value[int]
	Required Value[bool] // default true
	// Rotate makes the steps that use the secret depend on a salted digest
	// of its value, computed inside BuildKit; default false.
	Rotate Value[bool]
}

// SSH declares a forwarded ssh agent socket.
type SSH struct {
	Node
	Name       Value[string]
	ID         Value[string] // default "default"
	Target     Value[string] // default /run/buildkit/ssh_agent.N
	Required   Value[bool]   // default true
	Mode       Value[string] // octal, default "0600"
	UID        Value[int]
	GID        Value[int]
	KnownHosts List[string] // lines in known_hosts format, pinned in the spec
}

// Cache declares a persistent cache mount.
type Cache struct {
	Node
	Name     Value[string]
	Target   Value[string] // required
	ID       Value[string] // default Name
	Sharing  Value[string] // shared (default) | private | locked
	Mode     Value[string] // octal, default "0755"
	UID      Value[int]
	GID      Value[int]
	ReadOnly Value[bool]
	// From seeds the cache with a stage's or an image's root (stage or
	// image sources only).
	From Source
}

// SourceKind says where files or a base come from.
type SourceKind int

const (
	// SourceContext is the main build context (the default for copy and
	// bind when no source is written).
	SourceContext SourceKind = iota
	// SourceStage is another stage of this file, by name.
	SourceStage
	// SourceImage is an image reference.
	SourceImage
	// SourceNamedContext is a named context given by the client
	// (--build-context NAME=...).
	SourceNamedContext
	// SourceScratch is the empty filesystem (stage bases only).
	SourceScratch
)

func (k SourceKind) String() string {
	switch k {
	case SourceContext:
		return "context"
	case SourceStage:
		return "stage"
	case SourceImage:
		return "image"
	case SourceNamedContext:
		return "named context"
	case SourceScratch:
		return "scratch"
	}
	return "unknown"
}

// Source is a stage base, a copy/bind source or a cache seed. Set is false
// when nothing was written (copy and bind then use the main context).
type Source struct {
	Node
	Set  bool
	Kind SourceKind
	// Name is the stage name, image reference or named-context name;
	// empty for SourceContext and SourceScratch.
	Name Value[string]
}

// StageKind separates exported images from intermediate stages.
type StageKind int

const (
	// KindStage is an intermediate stage.
	KindStage StageKind = iota
	// KindImage is a stage meant to be exported; only images can be the
	// default target.
	KindImage
)

func (k StageKind) String() string {
	if k == KindImage {
		return "image"
	}
	return "stage"
}

// Stage is a named filesystem built from a base by ordered steps.
type Stage struct {
	Node
	Kind StageKind
	Name Value[string]
	// Default marks the image built when no --target is given.
	Default  Value[bool]
	From     Source
	Platform Value[string]
	Steps    []Step
	Config   ImageConfig
}

// ImageConfig is the part of the OCI image config a stage declares
// directly. Env, user and working directory come from the env, user and
// workdir steps, as they do in a Dockerfile.
type ImageConfig struct {
	Entrypoint  Command
	Cmd         Command
	Labels      []*KeyValue
	Expose      List[string]
	Volumes     List[string]
	Healthcheck *Healthcheck
	StopSignal  Value[string]
	// Shell is the program and arguments that run shell-form commands
	// (run, entrypoint, cmd, healthcheck) of the stage, exec form, e.g.
	// ["/bin/bash", "-c"]; unset, the base's (a stage's, or an image
	// config's Shell), else ["/bin/sh", "-c"]. It is the image's Shell.
	Shell List[string]
}

// Command is either a shell string or an exec list; at most one is set.
type Command struct {
	Node
	Shell Value[string]
	Exec  List[string]
}

// IsSet reports whether either form was written.
func (c Command) IsSet() bool { return c.Shell.Set || c.Exec.Set }

// Healthcheck is the image's health check. None disables an inherited one.
type Healthcheck struct {
	Node
	Test          Command
	None          Value[bool]
	Interval      Value[string] // Go durations, e.g. "30s"
	Timeout       Value[string]
	StartPeriod   Value[string]
	StartInterval Value[string]
	Retries       Value[int]
}

// Step is one ordered instruction of a stage: *Run, *Copy, *Add, *Inline,
// *Workdir, *Env or *User. StepKinds (steps.go) describes each kind; KindOf finds a
// step's.
type Step interface {
	NodeInfo() *Node
	// Verb is the step's keyword as written in either syntax ("run", ...).
	Verb() string
}

// Run executes a command.
type Run struct {
	Node
	Command Command
	// Secrets, SSH and Caches reference declarations by name.
	Secrets  []Value[string]
	SSH      []Value[string]
	Caches   []Value[string]
	Binds    []*Bind
	Tmpfs    []*Tmpfs
	Network  Value[string] // default | none | host
	Security Value[string] // sandbox | insecure
	Env      []*KeyValue
	// Devices are CDI device names (vendor.com/class=name) the step gets,
	// as RUN --device.
	Devices List[string]
}

// Bind mounts a path of a source read-only (unless ReadWrite) for one run.
type Bind struct {
	Node
	From      Source
	Path      Value[string] // path in the source, default "/"
	Target    Value[string]
	ReadWrite Value[bool]
}

// Tmpfs mounts an empty in-memory filesystem for one run.
type Tmpfs struct {
	Node
	Target Value[string]
	Size   Value[string] // bytes, or with a k/m/g suffix
}

// Copy copies files from a source into the stage.
type Copy struct {
	Node
	Sources List[string]
	From    Source
	Dest    Value[string]
	Chown   Value[string]
	Chmod   Value[string]
	Include List[string]
	Exclude List[string]
	Link    Value[bool]
	Parents Value[bool]
	// Unpack extracts a local tar archive source (plain, gzip, bzip2, xz,
	// zstd) at the destination, as Dockerfile ADD does; default false.
	Unpack Value[bool]
	// AllowCredentials opts this copy out of the credential-file guard.
	AllowCredentials Value[bool]
}

// AddKind is the kind of remote source an add step fetches.
type AddKind int

const (
	// AddHTTP fetches one file over http(s); a checksum is required.
	AddHTTP AddKind = iota
	// AddGit clones a git repository.
	AddGit
)

// Add fetches a remote file or repository into the stage.
type Add struct {
	Node
	Kind       AddKind
	URL        Value[string]
	Dest       Value[string]
	Checksum   Value[string] // http: "sha256:<hex>"
	Ref        Value[string] // git: branch or tag
	Commit     Value[string] // git: full commit id
	KeepGitDir Value[bool]
	Subdir     Value[string] // git: a directory of the repository, as #ref:subdir
	Exclude    List[string]  // git: patterns of files to leave out
	Chown      Value[string]
	Chmod      Value[string]
}

// Workdir changes the working directory for later steps and the image.
type Workdir struct {
	Node
	Path Value[string]
}

// Env sets environment variables for later steps and the image.
type Env struct {
	Node
	Vars []*KeyValue
}

// User changes the user for later steps and the image.
type User struct {
	Node
	User Value[string]
}

// Inline writes a file of literal content into the stage, as a
// Dockerfile heredoc COPY (COPY <<EOF) does. (File is the build file.)
type Inline struct {
	Node
	Dest    Value[string] // where the file is written
	Content Value[string] // required
	// Raw takes Content literally; unset or false, Content is a template
	// (${NAME} expanded), as <<EOF against <<'EOF'.
	Raw   Value[bool]
	Chmod Value[string] // default "0644"
	Chown Value[string]
}

func (*Run) Verb() string     { return "run" }
func (*Copy) Verb() string    { return "copy" }
func (*Add) Verb() string     { return "add" }
func (*Workdir) Verb() string { return "workdir" }
func (*Env) Verb() string     { return "env" }
func (*User) Verb() string    { return "user" }
func (*Inline) Verb() string  { return "file" }
