package spec

// The add step, which fetches a remote file or a git repository: its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

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
	// Link adds into an independent layer, as ADD --link does.
	Link Value[bool]
}

func (*Add) Verb() string { return "add" }

var AddKeys = []Key{
	{Name: "to", Type: TString, Required: true, Template: true, Doc: "destination path"},
	{Name: "checksum", Type: TString, Template: true, Doc: `required for http(s): "sha256:" and 64 hex digits`, Default: "none: required for http(s)", Why: "an unpinned download is neither reproducible nor safe"},
	{Name: "ref", Type: TString, Template: true, Doc: "git: branch or tag"},
	{Name: "commit", Type: TString, Template: true, Doc: "git: full commit id"},
	{Name: "keep_git_dir", Type: TBool, Doc: "git: keep the .git directory", Default: "`false`"},
	{Name: "subdir", Type: TString, Template: true, Doc: "git: add only this directory of the repository (like #ref:subdir)", Default: "the whole repository"},
	{Name: "exclude", Type: TStringList, Template: true, Doc: "git: patterns of files to leave out (like ADD --exclude)"},
	{Name: "chown", Type: TString, Template: true, Doc: `owner of the added files, "user[:group]"`, Format: FormatChown},
	{Name: "chmod", Type: TString, Template: true, Doc: `mode of the added files, octal or symbolic`, Format: FormatChmod},
	{Name: "link", Type: TBool, Doc: "add into an independent layer (like ADD --link)", Default: "`false`", Why: "Dockerfile's default"},
}

// AddFields binds AddKeys to a.
func AddFields(a *Add) []Field { return appendAddFields(nil, a) }

func appendAddFields(dst []Field, a *Add) []Field {
	return bind(dst, AddKeys, []binding{
		{"to", &a.Dest},
		{"checksum", &a.Checksum},
		{"ref", &a.Ref},
		{"commit", &a.Commit},
		{"keep_git_dir", &a.KeepGitDir},
		{"subdir", &a.Subdir},
		{"exclude", &a.Exclude},
		{"chown", &a.Chown},
		{"chmod", &a.Chmod},
		{"link", &a.Link},
	})
}
