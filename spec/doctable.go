package spec

import (
	"fmt"
	"strings"
)

// DocTables are the key tables docs/language.md shows, by the name its
// markers use (<!-- keys NAME -->). The docs are generated from the
// tables, so a key is documented where it is declared:
// `go test ./spec -run TestDocTables -update` rewrites them.
var DocTables = map[string][]Key{
	"secret":      SecretKeys,
	"ssh":         SSHKeys,
	"cache":       CacheKeys,
	"stage":       StageKeys,
	"healthcheck": HealthcheckKeys,
	"run":         RunKeys,
	"bind":        BindKeys,
	"tmpfs":       TmpfsKeys,
	"copy":        CopyKeys,
	"add":         AddKeys,
	"file":        InlineKeys,
}

// KeyTable renders keys as the markdown table of the docs: key, type,
// default and what it is for.
func KeyTable(keys []Key) string {
	var b strings.Builder
	b.WriteString("| key | type | default | meaning |\n|---|---|---|---|\n")
	for _, k := range keys {
		def := k.Default
		switch {
		case k.Required:
			def = "required"
		case def == "":
			def = "—"
		}
		why := k.Why
		if why == "" {
			why = k.Doc
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Name, docType(k), def, why)
	}
	return b.String()
}

// docType is the type column: the value's type, its allowed values or
// what it must look like.
func docType(k Key) string {
	if len(k.Enum) > 0 {
		q := make([]string, len(k.Enum))
		for i, e := range k.Enum {
			q[i] = fmt.Sprintf("`%q`", e)
		}
		return strings.Join(q, ", ")
	}
	var t string
	switch k.Type {
	case TString:
		t = "string"
	case TInt:
		t = "integer"
	case TBool:
		t = "boolean"
	case TStringList:
		t = "list of strings"
	case TNameList:
		t = "list of names (DSL: statements)"
	case TStringMap:
		t = "map of strings"
	case TCommand:
		t = "string (shell form) or list (exec form)"
	case TSource:
		t = "source (stage, image or named context)"
	case THealthcheck:
		t = "table (keys below)"
	case TBindList, TTmpfsList, TFileList:
		t = "list of tables (DSL: statements)"
	case TStringOrList:
		t = "string or list of strings"
	default:
		panic(fmt.Sprintf("spec: key %q has type %d, which the docs cannot name", k.Name, k.Type))
	}
	if f := k.Format.Describe(); f != "" {
		t += " (" + f + ")"
	}
	return t
}
