package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode"
)

// A secret is often a whole credential file (a .netrc, a Docker
// config.json, an .npmrc, a PEM key), and a step that reads one field of
// it (`awk '/password/{print $2}' ~/.netrc > f`) leaks the credential
// without leaking the file. So, besides the whole value, the scanner looks
// for the credential fields of the formats it recognises by content (it
// does not know file names). A value it does not recognise, or cannot
// parse, is only its whole value: the parsers never fail a scan.

// field is one credential found inside a secret.
type field struct {
	// part says what it is, e.g. "netrc password": a fixed name, or one
	// made from a key of the file (".env API_TOKEN"), never from a value.
	part  string
	value []byte
}

// Fields shorter than these are not looked for; the report names them
// (SecretStatus.ShortFields).
const (
	// MinFieldLen is the shortest field looked for. A field is a pattern
	// derived from a secret, so it gets the bar of the derived patterns:
	// a field of a few bytes is the size of a word and would be found by
	// chance (the whole value keeps MinValueLen).
	MinFieldLen = minEncodedLen
	// MinWordFieldLen: a field made only of letters is looked for from
	// this length on. "postgres" or "changeme" as a password are in
	// images by themselves; a letters-only field this long is not a word.
	MinWordFieldLen = 12
)

const (
	// maxParsedLen: longer secrets are not parsed for fields (credential
	// files are small; a large secret is an archive or a blob).
	maxParsedLen = 1 << 20
	// maxFields bounds the patterns one secret adds to the matcher.
	maxFields = 512
	// maxDepth bounds the nesting of a value parsed inside a value (a
	// service-account JSON in a .env variable).
	maxDepth = 2
)

// fieldSet collects the fields of one secret.
type fieldSet struct {
	fields []field
	// short are the parts of credentials found but not looked for:
	// shorter than MinFieldLen, or a word.
	short []string
	seen  map[string]bool
	depth int
}

// secretFields returns the credential fields of a secret value, found by
// content. A parser bug must not cost the whole value's scan, so a panic
// here means no fields (FuzzFields runs the parsers without this net).
func secretFields(value []byte) (fs *fieldSet) {
	defer func() {
		if recover() != nil {
			fs = &fieldSet{}
		}
	}()
	return parseFields(value)
}

// parseFields tries the formats in turn: JSON (a Docker config, any JSON
// with credential keys), netrc, git-credentials, and key-value lines
// (.npmrc, .pypirc, AWS credentials, .env, YAML- or INI-like settings);
// PEM private keys are looked for in any text.
func parseFields(value []byte) *fieldSet {
	c := &fieldSet{seen: map[string]bool{}}
	if len(value) > maxParsedLen || bytes.IndexByte(value, 0) >= 0 {
		return c
	}
	c.text(value)
	return c
}

func (c *fieldSet) text(v []byte) {
	t := bytes.TrimSpace(v)
	switch {
	case len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t):
		c.jsonText(t)
	case c.netrc(t):
	case c.gitCredentials(t):
	default:
		c.keyValues(t)
	}
	c.privateKeys(v)
}

// add looks for v, trimmed, as the field part, unless it is no
// credential (a reference to a variable, a well-known placeholder, a
// boolean) or too short or common to look for without false matches.
func (c *fieldSet) add(part string, v []byte) { c.addBytes(part, bytes.TrimSpace(v)) }

// addBytes is add for a value that is not text (a key's DER bytes): its
// bytes as they are.
func (c *fieldSet) addBytes(part string, v []byte) {
	if len(v) == 0 || isReference(v) || isPlaceholder(v) || isNoValue(v) {
		return
	}
	if len(v) < MinFieldLen || (len(v) < MinWordFieldLen && onlyLetters(v)) {
		for _, s := range c.short {
			if s == part {
				return
			}
		}
		c.short = append(c.short, part)
		return
	}
	if c.seen[string(v)] || len(c.fields) >= maxFields {
		return
	}
	c.seen[string(v)] = true
	c.fields = append(c.fields, field{part: part, value: v})
}

// pair adds a user name and a password found together. The password is
// the credential; the user is an identifier (often public: an account, an
// email) and is looked for only where it holds the token: it has a known
// token prefix, or, in a credential store (netrc, git-credentials, a
// Docker auth), the password is missing or a well-known placeholder
// ("x-oauth-basic"), which is how tokens are written there.
func (c *fieldSet) pair(userPart, passPart string, user, pass []byte, store bool) {
	if isAnonymous(user) {
		return
	}
	noPassword := len(bytes.TrimSpace(pass)) == 0 || isPlaceholder(pass)
	if !noPassword {
		c.add(passPart, pass)
	}
	if tokenPrefixed(user) || (store && noPassword) {
		c.add(userPart, user)
	}
}

// value handles the string value of a setting: part names it; credential
// says its key names a credential. Every value is searched for what holds
// a credential whatever its key: a URL's password, a PEM private key, a
// token with a known prefix.
func (c *fieldSet) value(part string, v []byte, credential bool) {
	v = bytes.TrimSpace(v)
	if bytes.Contains(v, []byte("-----BEGIN ")) {
		// Only a key that parses: a lone BEGIN line (a multi-line value
		// cut at its first line) is the same in every key file.
		if c.privateKeys(v) > 0 && credential {
			c.add(part, v)
		}
		return
	}
	if user, pass, ok := urlUserinfo(v); ok {
		c.pair(part+" user", part+" password", user, pass, false)
		if !credential {
			return
		}
	}
	if !credential {
		if tokenPrefixed(v) {
			c.add(part, v)
		}
		return
	}
	if c.depth < maxDepth && len(v) > 0 && v[0] == '{' {
		c.depth++
		c.jsonText(v)
		c.depth--
	}
	// A PEM key as base64 (a kubeconfig's client-key-data).
	if len(v) >= 64 {
		if dec, ok := decodeBase64(v); ok && bytes.Contains(dec, []byte("-----BEGIN ")) {
			c.privateKeys(dec)
		}
	}
	c.add(part, v)
}

// credentialKey reports whether a setting's key names a credential: one
// of its words is a credential word (password, secret, token, auth, key,
// ...) and its last word does not make it an identifier or a location
// (aws_access_key_id, token_uri, password_file, PUBLIC_KEY).
func credentialKey(k string) bool {
	words := keyWords(k)
	if len(words) == 0 || strings.EqualFold(k, "pwd") || strings.EqualFold(k, "oldpwd") {
		return false
	}
	cred := false
	for _, w := range words {
		if notSecretWords[w] {
			return false
		}
		cred = cred || credentialWord(w)
	}
	return cred && !identifierWords[words[len(words)-1]]
}

func credentialWord(w string) bool {
	for _, s := range []string{"password", "passwd", "passphrase", "secret", "token", "credential"} {
		if strings.Contains(w, s) && w != "tokenizer" && w != "tokenizers" {
			return true
		}
	}
	return credentialWords[w]
}

var credentialWords = map[string]bool{
	"pass": true, "pwd": true, "pw": true, "auth": true, "authorization": true, "authkey": true,
	"key": true, "apikey": true, "privatekey": true, "accesskey": true, "signingkey": true,
	"encryptionkey": true, "masterkey": true, "licensekey": true, "clientkey": true, "creds": true, "pat": true,
}

// notSecretWords make a key public wherever they are.
var notSecretWords = map[string]bool{"public": true, "publishable": true, "pub": true}

// identifierWords, last in a key, make it name something else than the
// credential: its id, its location, its kind, its lifetime.
var identifierWords = map[string]bool{
	"id": true, "ids": true, "name": true, "names": true, "file": true, "files": true, "path": true, "dir": true,
	"url": true, "uri": true, "urls": true, "endpoint": true, "host": true, "hostname": true, "port": true,
	"type": true, "kind": true, "user": true, "username": true, "login": true, "email": true, "region": true,
	"prefix": true, "suffix": true, "length": true, "len": true, "size": true, "ttl": true, "expiry": true,
	"expires": true, "expiration": true, "expire": true, "at": true, "in": true, "alg": true,
	"algorithm": true, "format": true, "version": true, "mode": true, "method": true, "hint": true,
	"header": true, "helper": true, "helpers": true, "process": true, "command": true, "cmd": true,
	"store": true, "location": true, "arn": true, "policy": true, "scope": true, "scopes": true,
	"count": true, "enabled": true, "required": true, "env": true,
}

// keyWords splits a key into lower-case words at punctuation and at
// lower-to-upper case changes: "_authToken" is auth, token.
func keyWords(k string) []string {
	var words []string
	var cur []rune
	prev := rune(0)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range k {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}

// keyName is a key as a part of a field's name: keys are names, not
// values, but one that is long or unusual is not copied into the report.
func keyName(k string) string {
	if len(k) == 0 || len(k) > 48 {
		return "<key>"
	}
	for _, r := range k {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.-@/", r))) {
			return "<key>"
		}
	}
	return k
}

// placeholders are user names and passwords that stand in for "the token
// is elsewhere" in credential stores; they are public text.
var placeholders = map[string]bool{
	"x-oauth-basic": true, "x-access-token": true, "oauth2": true, "oauth2accesstoken": true,
	"gitlab-ci-token": true, "_json_key": true, "_json_key_base64": true, "_token": true, "__token__": true,
	"aws": true, "token": true, "private-token": true, "x-token-auth": true, "x-token": true, "git": true,
	"<token>": true, "<password>": true,
}

func isPlaceholder(v []byte) bool { return placeholders[strings.ToLower(string(bytes.TrimSpace(v)))] }

func isAnonymous(user []byte) bool {
	u := strings.ToLower(string(bytes.TrimSpace(user)))
	return u == "anonymous" || u == "ftp"
}

// isNoValue: a boolean or an empty value is a setting, not a credential.
func isNoValue(v []byte) bool {
	switch strings.ToLower(string(v)) {
	case "true", "false", "yes", "no", "on", "off", "none", "null", "nil", `""`, "''":
		return true
	}
	return false
}

// isReference: "$NAME", "${NAME}" or "${NAME:-x}" stands for a variable
// set elsewhere (npm and dotenv expand them); it is not the credential.
func isReference(v []byte) bool {
	if len(v) < 2 || v[0] != '$' {
		return false
	}
	if v[1] == '{' {
		return v[len(v)-1] == '}' && bytes.IndexByte(v[2:], '}') == len(v)-3
	}
	for _, b := range v[1:] {
		if !(b == '_' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9') {
			return false
		}
	}
	return true
}

func onlyLetters(v []byte) bool {
	for _, b := range v {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z') {
			return false
		}
	}
	return true
}

// tokenPrefixes start the tokens of well-known services (the checker's
// secret-value rule knows the same shapes).
var tokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-",
	"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "npm_", "pypi-", "sk-", "sk_live_", "rk_live_",
	"AIza", "ya29.", "hf_", "dop_v1_", "shpat_", "ATATT",
}

// tokenPrefixed reports whether v is a token of a well-known shape: a
// known prefix followed by at least 16 token characters, or a JWT.
func tokenPrefixed(v []byte) bool {
	v = bytes.TrimSpace(v)
	for _, p := range tokenPrefixes {
		if bytes.HasPrefix(v, []byte(p)) && len(v)-len(p) >= 16 && tokenChars(v[len(p):]) {
			return true
		}
	}
	return bytes.HasPrefix(v, []byte("eyJ")) && bytes.Count(v, []byte(".")) == 2 && len(v) >= 32 && tokenChars(v)
}

func tokenChars(v []byte) bool {
	for _, b := range v {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.') {
			return false
		}
	}
	return true
}

// decodeBase64 decodes standard or URL base64, padded or not.
func decodeBase64(v []byte) ([]byte, bool) {
	s := strings.TrimRight(string(bytes.TrimSpace(v)), "=")
	for _, e := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(s); err == nil && len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}
