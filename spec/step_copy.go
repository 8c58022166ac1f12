package spec

// The copy step, which copies files from a source: its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

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

func (*Copy) Verb() string { return "copy" }

var CopyKeys = []Key{
	{Name: "from", Type: TSource, Doc: "where the sources are; default the main build context", Default: "the main build context", Why: "what `COPY src dst` means in a Dockerfile"},
	{Name: "to", Type: TString, Required: true, Template: true, Doc: "destination path"},
	{Name: "chown", Type: TString, Template: true, Doc: `owner of the copied files, "user[:group]"`, Format: FormatChown},
	{Name: "chmod", Type: TString, Template: true, Doc: `mode of the copied files, octal ("0755") or symbolic ("u+x", "go-w")`, Format: FormatChmod},
	{Name: "include", Type: TStringList, Template: true, Doc: "patterns of files to include"},
	{Name: "exclude", Type: TStringList, Template: true, Doc: "patterns of files to leave out"},
	{Name: "link", Type: TBool, Doc: "copy into an independent layer (like COPY --link)", Default: "`false`", Why: "Dockerfile's default"},
	{Name: "parents", Type: TBool, Doc: "keep the parent directories of each source (like COPY --parents)", Default: "`false`", Why: "Dockerfile's default"},
	{Name: "unpack", Type: TBool, Doc: "extract a source that is a tar archive (plain, gzip, bzip2, xz, zstd) at the destination, as Dockerfile ADD does", Default: "`false`", Why: "a copy copies what it is given; extraction is asked for (Dockerfile `ADD` of a local archive converts to it)"},
	{Name: "allow-credentials", Type: TBool, Doc: "allow copying well-known credential files (.netrc, id_rsa, .npmrc, …); lint reports every copy that sets it", Default: "`false`"},
}

// CopyFields binds CopyKeys to c.
func CopyFields(c *Copy) []Field { return appendCopyFields(nil, c) }

func appendCopyFields(dst []Field, c *Copy) []Field {
	return bind(dst, CopyKeys, []binding{
		{"from", &c.From},
		{"to", &c.Dest},
		{"chown", &c.Chown},
		{"chmod", &c.Chmod},
		{"include", &c.Include},
		{"exclude", &c.Exclude},
		{"link", &c.Link},
		{"parents", &c.Parents},
		{"unpack", &c.Unpack},
		{"allow-credentials", &c.AllowCredentials},
	})
}

// HasWildcard reports whether a copy source path holds a pattern
// character that is not escaped, as BuildKit reads it (dockerfile2llb's
// containsWildcards): the lowering and the conversion must agree on which
// sources are patterns.
func HasWildcard(path string) bool {
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '*', '?', '[':
			return true
		case '\\':
			i++
		}
	}
	return false
}
