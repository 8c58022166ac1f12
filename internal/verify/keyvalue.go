package verify

import (
	"bytes"
	"strings"
)

// setting is one "key = value" line.
type setting struct {
	key   string
	value []byte
}

// keyValues adds the fields of a file of settings, one a line: .npmrc,
// .pypirc and AWS credentials/config (INI: "[section]", "key = value"),
// .env ("KEY=VALUE", "export KEY=VALUE", quoted values), and YAML- or
// properties-like files ("key: value"). The value of a key that names a
// credential is looked for (credentialKey); every other value only for
// what holds a credential whatever its key (a URL's password, a PEM key,
// a token of a known shape). Values of other keys are not looked for:
// they are settings (NODE_ENV=production, a registry URL, a region) that
// an image may hold for its own reasons, and a match on them would fail
// builds that leak nothing.
func (c *fieldSet) keyValues(v []byte) {
	var settings []setting
	pypirc, dotenv, upper := false, false, true
	for _, line := range bytes.Split(v, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || t[0] == ';' {
			continue
		}
		if t[0] == '[' && t[len(t)-1] == ']' {
			switch strings.ToLower(strings.TrimSpace(string(t[1 : len(t)-1]))) {
			case "distutils", "pypi", "testpypi":
				pypirc = true
			}
			continue
		}
		if rest, ok := bytes.CutPrefix(t, []byte("export ")); ok {
			dotenv = true
			t = bytes.TrimLeft(rest, " \t")
		}
		s, ok := parseSetting(t)
		if !ok {
			continue
		}
		if s.key == "repository" {
			pypirc = true
		}
		upper = upper && isUpperIdent(s.key)
		settings = append(settings, s)
	}
	dotenv = dotenv || (upper && len(settings) > 0)
	for _, s := range settings {
		name := s.key
		npm := false
		if strings.HasPrefix(name, "//") {
			// "//registry.example.com/:_authToken": the setting is
			// after the last colon; the registry is not part of the name.
			name = name[strings.LastIndex(name, ":")+1:]
			npm = true
		}
		switch name {
		case "_auth":
			c.npmAuth(s.value)
			continue
		case "_password":
			c.add("npmrc _password", s.value)
			if dec, ok := decodeBase64(s.value); ok {
				c.add("npmrc _password, decoded", dec)
			}
			continue
		case "_authToken":
			npm = true
		}
		var part string
		switch {
		case npm:
			part = "npmrc " + keyName(name)
		case strings.HasPrefix(name, "aws_"):
			part = keyName(name)
		case pypirc:
			part = "pypirc " + keyName(name)
		case dotenv:
			part = ".env " + keyName(name)
		default:
			part = "setting " + keyName(name)
		}
		c.value(part, s.value, credentialKey(name))
	}
}

// npmAuth adds an .npmrc _auth: base64 of "user:password".
func (c *fieldSet) npmAuth(v []byte) {
	c.add("npmrc _auth", v)
	if dec, ok := decodeBase64(v); ok {
		c.add("npmrc _auth, decoded", dec)
		if user, pass, ok := bytes.Cut(dec, []byte(":")); ok {
			c.pair("npmrc _auth user", "npmrc _auth password", user, pass, true)
		}
	}
}

// parseSetting splits "key = value", "key=value" or "key: value". The key
// is the text before the first "=" or ":" (only "=" for npm's "//host/:k"
// and "@scope:registry" keys) and must look like a key; the value is
// unquoted ('…' literally, "…" with backslash escapes; a quote that does
// not close on the line is kept as text) and, unquoted, ends before a " #"
// comment.
func parseSetting(t []byte) (setting, bool) {
	sep := bytes.IndexAny(t, "=:")
	if len(t) > 0 && (t[0] == '/' || t[0] == '@') {
		sep = bytes.IndexByte(t, '=')
	}
	if sep <= 0 {
		return setting{}, false
	}
	key := strings.TrimSpace(string(t[:sep]))
	if !isKey(key) {
		return setting{}, false
	}
	val := bytes.TrimSpace(t[sep+1:])
	switch {
	case len(val) >= 2 && val[0] == '\'' && bytes.IndexByte(val[1:], '\'') > 0:
		val = val[1 : 1+bytes.IndexByte(val[1:], '\'')]
	case len(val) >= 2 && val[0] == '"':
		if u, ok := unquoteDouble(val); ok {
			val = u
		}
	default:
		for _, c := range []string{" #", "\t#"} {
			if i := bytes.Index(val, []byte(c)); i >= 0 {
				val = bytes.TrimSpace(val[:i])
			}
		}
	}
	return setting{key: key, value: val}, true
}

// unquoteDouble reads a double-quoted value up to its closing quote.
func unquoteDouble(v []byte) ([]byte, bool) {
	var out []byte
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '"':
			return out, true
		case '\\':
			if i+1 < len(v) {
				i++
				out = append(out, unescape(v[i]))
				continue
			}
		}
		out = append(out, v[i])
	}
	return nil, false
}

func isKey(k string) bool {
	if k == "" || len(k) > 200 {
		return false
	}
	for _, r := range k {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./@:", r)) {
			return false
		}
	}
	return true
}

func isUpperIdent(k string) bool {
	for i, r := range k {
		if !(r >= 'A' && r <= 'Z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return k != ""
}

// unescape is the byte a backslash escape stands for in a quoted value:
// \n, \r and \t, else the byte itself.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c
}
