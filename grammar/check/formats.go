package check

import (
	"fmt"

	"github.com/ourorg/securefile/spec"
)

// validate checks every field of a construct whose key says what its
// value must look like (spec.Key.Format, spec.Key.Enum), so that a key
// added to a key table with a format is checked without code here. what
// names the construct in messages (`secret "netrc"`). The keys in own are
// checked by the caller, which needs their literal values (mount targets
// it compares with the other mounts of the step).
//
// A key with a format must be bound to a field of the type the format
// applies to; anything else is a mistake in the key tables, reported as
// an internal finding so that the file cannot pass unchecked.
func (c *checker) validate(fields []spec.Field, fb spec.Range, what string, own ...string) {
	for _, f := range fields {
		k := f.Key
		if k.Format == spec.FormatNone && len(k.Enum) == 0 {
			continue
		}
		if contains(own, k.Name) {
			continue
		}
		switch p := f.Ptr.(type) {
		case *spec.Value[string]:
			c.validateString(k, *p, fb, what)
		case *spec.Value[int]:
			if k.Format != spec.FormatID {
				c.badFormat(k, f, fb)
				continue
			}
			c.owner(*p, fb, k.Name)
		default:
			c.badFormat(k, f, fb)
		}
	}
}

func (c *checker) validateString(k spec.Key, v spec.Value[string], fb spec.Range, what string) {
	if !v.Set {
		return
	}
	if len(k.Enum) > 0 {
		c.enum(v, fb, k.Name, k.Enum, k.EnumWhy)
		return
	}
	switch k.Format {
	case spec.FormatMode:
		c.mode(v, fb, k.Name)
	case spec.FormatAbsPath:
		c.mountTarget(v, fb, what)
	case spec.FormatEnvName:
		c.envName(v, fb, k.Name+" of "+what, true)
	case spec.FormatDuration:
		if lit, ok := c.template(v, fb, nil); ok {
			c.duration(lit, or(v.Range, fb), k.Name)
		}
	case spec.FormatSize:
		if lit, ok := c.template(v, fb, nil); ok {
			c.size(lit, or(v.Range, fb))
		}
	case spec.FormatChmod, spec.FormatChown:
		// What a mode or an owner may be depends on the step (a linked
		// copy cannot resolve user names), so the step's own check
		// validates them.
	default:
		c.errorf(or(v.Range, fb), "internal",
			fmt.Sprintf("Key %q has a format (%d) the checker cannot validate on a string; the key tables (spec/keys.go) and the checker disagree.", k.Name, k.Format),
			"", "key %q cannot be checked", k.Name)
	}
}

func (c *checker) badFormat(k spec.Key, f spec.Field, fb spec.Range) {
	c.errorf(fb, "internal",
		fmt.Sprintf("Key %q has a format the checker cannot validate on a field of type %T; the key tables (spec/keys.go) and the checker disagree.", k.Name, f.Ptr),
		"", "key %q cannot be checked", k.Name)
}
