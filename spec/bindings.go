package spec

import (
	"fmt"
	"slices"
	"strconv"
)

// The bindings below say which model field each key of the key tables
// (keys.go) sets. The DSL decoder and formatter and the TOML decoder and
// formatter all read and write a construct's keys through them, so a plain
// key (a string, integer, boolean or string list) is added to a construct
// in two places only: its key table and its binding here.

// Field binds one key of a construct to the model field its value sets.
// Ptr points into the node; its Go type says how a value is read and
// written:
//
//	*Value[string]   TString
//	*Value[int]      TInt
//	*Value[bool]     TBool
//	*List[string]    TStringList, TStringOrList
//	*[]Value[string] TNameList
//	*[]*KeyValue     TStringMap
//	*Command         TCommand
//	*Source          TSource
//	**Healthcheck    THealthcheck
//	*[]*Bind         TBindList
//	*[]*Tmpfs        TTmpfsList
//	*[]*InlineFile   TFileList
type Field struct {
	Key Key
	Ptr any
}

// IsSet reports whether the field was written: a set value or list, a
// command in either form, a source, a healthcheck, or at least one entry
// of a list of names, mounts or key-value pairs.
func (f Field) IsSet() bool {
	switch p := f.Ptr.(type) {
	case *Value[string]:
		return p.Set
	case *Value[int]:
		return p.Set
	case *Value[bool]:
		return p.Set
	case *List[string]:
		return p.Set
	case *[]Value[string]:
		return len(*p) > 0
	case *[]*KeyValue:
		return len(*p) > 0
	case *Command:
		return p.IsSet()
	case *Source:
		return p.Set
	case **Healthcheck:
		return *p != nil
	case *[]*Bind:
		return len(*p) > 0
	case *[]*Tmpfs:
		return len(*p) > 0
	case *[]*InlineFile:
		return len(*p) > 0
	}
	panic(fmt.Sprintf("spec: key %q is bound to a field of type %T", f.Key.Name, f.Ptr))
}

// FieldPtr returns the pointer of the field named key in fs, or nil.
func FieldPtr(fs []Field, key string) any {
	for i := range fs {
		if fs[i].Key.Name == key {
			return fs[i].Ptr
		}
	}
	return nil
}

// binding is one entry of a construct's binding: a key's name and the
// field it sets.
type binding struct {
	name string
	ptr  any
}

// bind appends each key of keys, paired with its field, to dst. The
// bindings must list the keys in key-table order, all of them: anything
// else is a programming error, caught by the first test that touches the
// construct.
func bind(dst []Field, keys []Key, bs []binding) []Field {
	if len(bs) != len(keys) {
		panic("spec: a binding lists " + strconv.Itoa(len(bs)) + " keys where its key table has " + strconv.Itoa(len(keys)))
	}
	dst = slices.Grow(dst, len(keys))
	for i := range keys {
		if bs[i].name != keys[i].Name {
			panic("spec: binding of " + bs[i].name + " where the key table has " + keys[i].Name)
		}
		dst = append(dst, Field{Key: keys[i], Ptr: bs[i].ptr})
	}
	return dst
}

// FileFields binds FileKeys to f.
func FileFields(f *File) []Field {
	return bind(nil, FileKeys, []binding{
		{"platforms", &f.Platforms},
	})
}

// SecretFields binds SecretKeys to s.
func SecretFields(s *Secret) []Field {
	return bind(nil, SecretKeys, []binding{
		{"id", &s.ID},
		{"target", &s.Target},
		{"env", &s.Env},
		{"mode", &s.Mode},
		{"uid", &s.UID},
		{"gid", &s.GID},
		{"required", &s.Required},
		{"rotate", &s.Rotate},
	})
}

// SSHFields binds SSHKeys to s.
func SSHFields(s *SSH) []Field {
	return bind(nil, SSHKeys, []binding{
		{"id", &s.ID},
		{"target", &s.Target},
		{"required", &s.Required},
		{"mode", &s.Mode},
		{"uid", &s.UID},
		{"gid", &s.GID},
		{"known_hosts", &s.KnownHosts},
	})
}

// CacheFields binds CacheKeys to c.
func CacheFields(c *Cache) []Field {
	return bind(nil, CacheKeys, []binding{
		{"target", &c.Target},
		{"id", &c.ID},
		{"sharing", &c.Sharing},
		{"mode", &c.Mode},
		{"uid", &c.UID},
		{"gid", &c.GID},
		{"readonly", &c.ReadOnly},
		{"from", &c.From},
	})
}

// StageFields binds StageKeys to s.
func StageFields(s *Stage) []Field {
	c := &s.Config
	return bind(nil, StageKeys, []binding{
		{"platform", &s.Platform},
		{"entrypoint", &c.Entrypoint},
		{"cmd", &c.Cmd},
		{"labels", &c.Labels},
		{"expose", &c.Expose},
		{"volumes", &c.Volumes},
		{"healthcheck", &c.Healthcheck},
		{"stop_signal", &c.StopSignal},
		{"ignore_onbuild", &s.IgnoreOnbuild},
		{"shell", &c.Shell},
	})
}

// HealthcheckFields binds HealthcheckKeys to h.
func HealthcheckFields(h *Healthcheck) []Field {
	return bind(nil, HealthcheckKeys, []binding{
		{"cmd", &h.Test},
		{"none", &h.None},
		{"interval", &h.Interval},
		{"timeout", &h.Timeout},
		{"start_period", &h.StartPeriod},
		{"start_interval", &h.StartInterval},
		{"retries", &h.Retries},
	})
}

// StepFields binds the keys of a step's options (its kind's Keys) to st;
// the steps whose verb is all they take have none. The verb itself is not
// among them: how it is written differs between the syntaxes (see
// StepKind.MainField).
func StepFields(st Step) []Field { return AppendStepFields(nil, st) }

// AppendStepFields appends StepFields(st) to dst: a file has thousands of
// steps, and a parser that reuses dst binds them without allocating. A
// step of no kind is a programming error: it panics rather than binding
// nothing, so that no pass reads such a step as one without options.
func AppendStepFields(dst []Field, st Step) []Field {
	k, ok := KindOf(st)
	if !ok {
		panic(fmt.Sprintf("spec: %T is a step of no kind", st))
	}
	return k.AppendFields(dst, st)
}
