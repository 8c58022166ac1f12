package spec

// The run step, which executes a command, and its bind and tmpfs
// mounts: their model, option keys and bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

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

func (*Run) Verb() string { return "run" }

var RunKeys = []Key{
	{Name: "secrets", Type: TNameList, DSLStatement: true, Doc: "secrets to mount, by name (DSL: secret NAME)"},
	{Name: "ssh", Type: TNameList, DSLStatement: true, Doc: "ssh agents to forward, by name (DSL: ssh NAME)"},
	{Name: "caches", Type: TNameList, DSLStatement: true, Doc: "caches to mount, by name (DSL: cache NAME)"},
	{Name: "binds", Type: TBindList, DSLStatement: true, Doc: `bind mounts (DSL: bind "PATH" [from SOURCE] to "TARGET")`},
	{Name: "tmpfs", Type: TTmpfsList, DSLStatement: true, Doc: `tmpfs mounts (DSL: tmpfs "TARGET")`},
	{Name: "env", Type: TStringMap, DSLStatement: true, Template: true, Doc: `environment of this step only (DSL: env NAME = "value")`},
	{Name: "network", Type: TString, Enum: []string{"default", "none", "host"}, EnumWhy: `"none" runs the step without network access, "host" uses the network of the BuildKit host (it needs the network.host entitlement)`, Doc: `network mode; default "default"`, Default: "`\"default\"`", Why: "steps usually download dependencies; `none` is one line away"},
	{Name: "security", Type: TString, Enum: []string{"sandbox", "insecure"}, EnumWhy: `"insecure" runs the step with all capabilities (it needs the security.insecure entitlement)`, Doc: `security mode; default "sandbox"`, Default: "`\"sandbox\"`", Why: "least privilege; `insecure` needs the `security.insecure` entitlement of both the daemon and the client"},
	{Name: "devices", Type: TStringList, Template: true, Doc: `CDI devices the step gets, e.g. "vendor.com/gpu=all" (like RUN --device)`, Why: "CDI device names the daemon knows (`RUN --device`); a device the daemon does not have fails the step"},
}

var BindKeys = []Key{
	{Name: "source", Type: TString, Template: true, Doc: `path in the source; default "/"`, Default: "`/`", Why: "the whole source, like `RUN --mount=type=bind`"},
	{Name: "from", Type: TSource, Doc: "where the path is; default the main build context", Default: "the main build context"},
	{Name: "target", Type: TString, Required: true, Template: true, Doc: "absolute mount path", Format: FormatAbsPath},
	{Name: "rw", Type: TBool, Doc: "allow writes (discarded after the step); default false", Default: "`false`", Why: "a read-only bind cannot be mistaken for a way to change the source"},
}

var TmpfsKeys = []Key{
	{Name: "target", Type: TString, Required: true, Template: true, Doc: "absolute mount path", Format: FormatAbsPath},
	{Name: "size", Type: TString, Template: true, Doc: `size limit, e.g. "64m"`, Format: FormatSize, Default: "no limit"},
}

// RunFields binds RunKeys to r.
func RunFields(r *Run) []Field { return appendRunFields(nil, r) }

func appendRunFields(dst []Field, r *Run) []Field {
	return bind(dst, RunKeys, []binding{
		{"secrets", &r.Secrets},
		{"ssh", &r.SSH},
		{"caches", &r.Caches},
		{"binds", &r.Binds},
		{"tmpfs", &r.Tmpfs},
		{"env", &r.Env},
		{"network", &r.Network},
		{"security", &r.Security},
		{"devices", &r.Devices},
	})
}

// BindFields binds BindKeys to b.
func BindFields(b *Bind) []Field {
	return bind(nil, BindKeys, []binding{
		{"source", &b.Path},
		{"from", &b.From},
		{"target", &b.Target},
		{"rw", &b.ReadWrite},
	})
}

// TmpfsFields binds TmpfsKeys to t.
func TmpfsFields(t *Tmpfs) []Field {
	return bind(nil, TmpfsKeys, []binding{
		{"target", &t.Target},
		{"size", &t.Size},
	})
}
