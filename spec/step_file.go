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
}

func (*Inline) Verb() string { return "file" }

// InlineKeys are the options of a file step.
var InlineKeys = []Key{
	{Name: "content", Type: TString, Required: true, Template: true, Doc: "the content of the file; a template unless raw is true", Why: "a template (`${NAME}` expanded) unless `raw = true`; a multi-line string keeps its lines"},
	{Name: "raw", Type: TBool, Doc: "take content literally: no ${NAME} expansion (like <<'EOF')", Default: "`false`", Why: "as `COPY <<EOF` expands variables and `COPY <<'EOF'` does not"},
	{Name: "chmod", Type: TString, Template: true, Doc: `mode of the file, octal ("0755") or symbolic ("u+x")`, Format: FormatChmod, Default: "`\"0644\"`", Why: "what `COPY <<EOF` writes"},
	{Name: "chown", Type: TString, Template: true, Doc: `owner of the file, "user[:group]"`, Format: FormatChown, Default: "`0:0`"},
}

// InlineFields binds InlineKeys to f.
func InlineFields(f *Inline) []Field { return appendInlineFields(nil, f) }

func appendInlineFields(dst []Field, f *Inline) []Field {
	return bind(dst, InlineKeys, []binding{
		{"content", &f.Content},
		{"raw", &f.Raw},
		{"chmod", &f.Chmod},
		{"chown", &f.Chown},
	})
}
