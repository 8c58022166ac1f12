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
	// IgnoreOnbuild builds on a base image whose ONBUILD triggers are not
	// run; without it such a base is refused.
	IgnoreOnbuild Value[bool]
	Steps         []Step
	Config        ImageConfig
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
