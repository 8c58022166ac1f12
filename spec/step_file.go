package spec

// The file step, which writes a file of literal content (spec.Inline): its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

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
	// Files are more files written in the same layer (COPY <<a <<b /dir/):
	// the step's Dest is then a directory (it ends in "/"), the step has
	// no Content of its own, and each file's relative Path is in Dest.
	Files []*InlineFile
}

func (*Inline) Verb() string { return "file" }

// InlineFile is one file of a file step's Files: its path and, as a
// one-file step, its content, raw, mode and owner.
type InlineFile struct {
	Node
	Path    Value[string] // relative: in the step's destination directory
	Content Value[string]
	Raw     Value[bool]
	Chmod   Value[string]
	Chown   Value[string]
}

// InlineKeys are the options of a file step.
var InlineKeys = []Key{
	{Name: "content", Type: TString, Required: true, RequiredUnless: "files", Template: true, Doc: "the content of the file; a template unless raw is true", Why: "a template (`${NAME}` expanded) unless `raw = true`; a multi-line string keeps its lines; not written when `files` is (the destination is then a directory)"},
	{Name: "raw", Type: TBool, Doc: "take content literally: no ${NAME} expansion (like <<'EOF')", Default: "`false`", Why: "as `COPY <<EOF` expands variables and `COPY <<'EOF'` does not"},
	{Name: "chmod", Type: TString, Template: true, Doc: `mode of the file, octal ("0755") or symbolic ("u+x")`, Format: FormatChmod, Default: "`\"0644\"`", Why: "what `COPY <<EOF` writes"},
	{Name: "chown", Type: TString, Template: true, Doc: `owner of the file, "user[:group]"`, Format: FormatChown, Default: "`0:0`"},
	{Name: "files", Type: TFileList, DSLStatement: true, Doc: `several files in one layer, in the destination directory (DSL: file "PATH" { content = "…" })`, Why: "as `COPY <<a <<b /dir/` writes them: the destination must then be a directory (ending in `/`) and the step writes no `content` of its own"},
}

// InlineFileKeys are the keys of one file of a file step's files: its
// path, then the keys of a one-file step.
var InlineFileKeys = []Key{
	{Name: "path", Type: TString, Required: true, Template: true, Doc: "where the file is written, relative to the step's destination directory"},
	{Name: "content", Type: TString, Required: true, Template: true, Doc: "the content of the file; a template unless raw is true"},
	InlineKeys[1], InlineKeys[2], InlineKeys[3],
}

// InlineFileFields binds InlineFileKeys to f.
func InlineFileFields(f *InlineFile) []Field {
	return bind(nil, InlineFileKeys, []binding{
		{"path", &f.Path},
		{"content", &f.Content},
		{"raw", &f.Raw},
		{"chmod", &f.Chmod},
		{"chown", &f.Chown},
	})
}

// InlineFields binds InlineKeys to f.
func InlineFields(f *Inline) []Field { return appendInlineFields(nil, f) }

func appendInlineFields(dst []Field, f *Inline) []Field {
	return bind(dst, InlineKeys, []binding{
		{"content", &f.Content},
		{"raw", &f.Raw},
		{"chmod", &f.Chmod},
		{"chown", &f.Chown},
		{"files", &f.Files},
	})
}
