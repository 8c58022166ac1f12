package verify

import (
	"bytes"
	"net/url"
)

// netrc adds the fields of a netrc file and reports whether v is one: its
// first token is "machine", "default" or "macdef". Tokens are separated by
// any whitespace, on one line or many; a token may be double-quoted with
// backslash escapes (curl); "#" starts a comment line; a macdef's body
// runs to the next empty line. Per entry the password and the account are
// looked for, and the login only where it holds the token (see pair).
func (c *fieldSet) netrc(v []byte) bool {
	toks := netrcTokens(v)
	if len(toks) == 0 || (toks[0] != "machine" && toks[0] != "default" && toks[0] != "macdef") {
		return false
	}
	var login, password []byte
	open := false
	flush := func() {
		if open {
			c.pair("netrc login", "netrc password", login, password, true)
		}
		login, password, open = nil, nil, false
	}
	for i := 0; i < len(toks); i++ {
		switch toks[i] {
		case "machine":
			flush()
			open = true
			i++ // the host
		case "default":
			flush()
			open = true
		case "macdef":
			i++ // its name; the body is not a token
		case "login", "password", "account":
			if i+1 >= len(toks) {
				break
			}
			i++
			val := []byte(toks[i])
			switch toks[i-1] {
			case "login":
				login = val
			case "password":
				password = val
			default:
				c.add("netrc account", val)
			}
		}
	}
	flush()
	return true
}

// netrcTokens splits a netrc file into tokens, skipping comment lines and
// macdef bodies.
func netrcTokens(v []byte) []string {
	var toks []string
	inMacdef := false
	for _, line := range bytes.Split(v, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if inMacdef {
			inMacdef = len(t) > 0
			continue
		}
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		lineToks := netrcLine(t)
		toks = append(toks, lineToks...)
		for i, tok := range lineToks {
			if tok == "macdef" && (i == 0 || lineToks[i-1] != "login" && lineToks[i-1] != "password" && lineToks[i-1] != "account") {
				inMacdef = true
			}
		}
	}
	return toks
}

func netrcLine(t []byte) []string {
	var toks []string
	for i := 0; i < len(t); {
		switch {
		case t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\f' || t[i] == '\v':
			i++
		case t[i] == '"':
			var tok []byte
			i++
			for i < len(t) && t[i] != '"' {
				if t[i] == '\\' && i+1 < len(t) {
					i++
					tok = append(tok, unescape(t[i]))
				} else {
					tok = append(tok, t[i])
				}
				i++
			}
			i++ // the closing quote, if any
			toks = append(toks, string(tok))
		default:
			j := i
			for j < len(t) && t[j] != ' ' && t[j] != '\t' && t[j] != '\r' && t[j] != '\f' && t[j] != '\v' {
				j++
			}
			toks = append(toks, string(t[i:j]))
			i = j
		}
	}
	return toks
}

// gitCredentials adds the fields of a git-credentials file (one URL a
// line, "https://user:password@host") and reports whether v is one: every
// line that is not empty is a URL with a user. The password is looked for
// URL-decoded, the user as in pair.
func (c *fieldSet) gitCredentials(v []byte) bool {
	type cred struct{ user, pass []byte }
	var creds []cred
	for _, line := range bytes.Split(v, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		user, pass, ok := urlUserinfo(line)
		if !ok {
			return false
		}
		creds = append(creds, cred{user, pass})
	}
	if len(creds) == 0 {
		return false
	}
	for _, cr := range creds {
		c.pair("git-credentials user", "git-credentials password", cr.user, cr.pass, true)
	}
	return true
}

// urlUserinfo returns the decoded user and password of a URL with a
// scheme, a host and a user.
func urlUserinfo(v []byte) (user, pass []byte, ok bool) {
	if !bytes.Contains(v, []byte("://")) || !bytes.Contains(v, []byte("@")) || bytes.ContainsAny(v, " \t\n") {
		return nil, nil, false
	}
	u, err := url.Parse(string(v))
	if err != nil || u.Scheme == "" || u.Host == "" || u.User == nil {
		return nil, nil, false
	}
	p, _ := u.User.Password()
	return []byte(u.User.Username()), []byte(p), true
}
