package verify

import (
	"bytes"
	"encoding/json"
	"sort"
)

// jsonText adds the fields of a JSON document: a Docker config.json
// (an "auths" object), or any JSON whose keys name credentials, at any
// depth (a GCP service-account key's private_key, an OAuth client's
// client_secret, tokens). A field is named by its key alone, not its path:
// a path holds map keys (registries, hosts) the report has no need of.
func (c *fieldSet) jsonText(t []byte) {
	var v any
	if json.Unmarshal(t, &v) != nil {
		return
	}
	m, _ := v.(map[string]any)
	if auths, ok := m["auths"].(map[string]any); ok {
		c.dockerAuths(auths)
		rest := map[string]any{}
		for k, e := range m {
			if k != "auths" {
				rest[k] = e
			}
		}
		c.jsonWalk("docker config", "", rest, false)
		return
	}
	c.jsonWalk("json", "", v, false)
}

// dockerAuths adds each registry's credentials: auth (base64 of
// "user:password", looked for as written, decoded, and its password),
// identitytoken, registrytoken, password.
func (c *fieldSet) dockerAuths(auths map[string]any) {
	for _, reg := range sortedKeys(auths) {
		a, _ := auths[reg].(map[string]any)
		if s, ok := a["auth"].(string); ok {
			c.add("docker config auths auth", []byte(s))
			if dec, ok := decodeBase64([]byte(s)); ok {
				c.add("docker config auths auth, decoded", dec)
				if user, pass, ok := bytes.Cut(dec, []byte(":")); ok {
					c.pair("docker config auths user", "docker config auths password", user, pass, true)
				}
			}
		}
		for _, k := range []string{"identitytoken", "registrytoken", "password"} {
			if s, ok := a[k].(string); ok {
				c.add("docker config auths "+k, []byte(s))
			}
		}
	}
}

// jsonWalk adds the string values under credential keys; every other
// string only for what holds a credential whatever its key (a URL's
// password, a PEM key, a known token shape). key is the nearest key and
// credential whether it names a credential: the strings of an array
// under it ("tokens": [...]) are credentials, the values of an object
// under it are judged by their own keys ("credentials": {"type":
// "service_account", ...} holds settings too).
func (c *fieldSet) jsonWalk(prefix, key string, v any, credential bool) {
	switch v := v.(type) {
	case string:
		name := prefix + " value"
		if key != "" {
			name = prefix + " " + keyName(key)
		}
		c.value(name, []byte(v), credential)
	case map[string]any:
		for _, k := range sortedKeys(v) {
			c.jsonWalk(prefix, k, v[k], credentialKey(k))
		}
	case []any:
		for _, e := range v {
			c.jsonWalk(prefix, key, e, credential)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
