package verify

// Report is what the scanner writes. It names secrets by index and layers
// by mount index; the frontend maps them back to secret ids and steps. It
// holds no secret value and no pattern.
type Report struct {
	Secrets []SecretStatus `json:"secrets"`
	Hits    []Hit          `json:"hits,omitempty"`
	// Errors are files that could not be read: what they hold is not
	// verified.
	Errors []ReadError `json:"errors,omitempty"`
	Files  int64       `json:"files"`
	Bytes  int64       `json:"bytes"`
}

// Secret statuses.
const (
	StatusChecked  = "checked"
	StatusMissing  = "missing"   // optional and not provided
	StatusTooShort = "too-short" // shorter than MinValueLen
)

// SecretStatus says whether a secret was looked for.
type SecretStatus struct {
	Index    int    `json:"index"`
	Status   string `json:"status"`
	Patterns int    `json:"patterns"`
	// Fields is how many credential fields of the secret (a netrc
	// password, a Docker auth, a PEM key's lines) were looked for besides
	// its whole value.
	Fields int `json:"fields,omitempty"`
	// ShortFields names the credential fields found but not looked for:
	// shorter than MinFieldLen, or letters only and shorter than
	// MinWordFieldLen, which would match by chance ("postgres"). Names,
	// never values.
	ShortFields []string `json:"shortFields,omitempty"`
}

// Where a hit is.
const (
	InContent = "content"     // the file's bytes
	InName    = "name"        // the name of an entry in Path (a directory)
	InLink    = "link-target" // the target of the symlink at Path
	InConfig  = "config"      // Field of the image config
)

// Hit is one secret found in one place in one encoding.
type Hit struct {
	Secret   int    `json:"secret"`
	Encoding string `json:"encoding"`
	Where    string `json:"where"`
	// Layer is the index of the layer mount (InContent, InName, InLink).
	Layer int    `json:"layer,omitempty"`
	Path  string `json:"path,omitempty"`
	// Field is the config field (InConfig), e.g. "config.Env T" or
	// "history[3].created_by".
	Field string `json:"field,omitempty"`
	// Part is the credential field of the secret that was found, e.g.
	// "netrc password", "npmrc _authToken", "docker config auths
	// password", "private key line"; "" is the whole value. It names the
	// field, never its value. A field is not reported where the whole
	// value is found too.
	Part string `json:"part,omitempty"`
}

// Described is what was found, for a message: the encoding, after the
// field if it is one: "raw", "its netrc password, raw".
func (h Hit) Described() string {
	if h.Part == "" {
		return h.Encoding
	}
	return "its " + h.Part + ", " + h.Encoding
}

// ReadError is a file the scanner could not read.
type ReadError struct {
	Layer int    `json:"layer"`
	Path  string `json:"path"`
	Error string `json:"error"`
}
