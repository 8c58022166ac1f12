package spec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Dump renders the model as indented text without any positions, so the
// same build written in either syntax dumps identically. Golden files and
// round-trip tests compare dumps. Unset values and empty lists are left out.
func Dump(f *File) string {
	var b strings.Builder
	dumpValue(&b, 0, reflect.ValueOf(f))
	return b.String()
}

var (
	rangeType  = reflect.TypeOf(Range{})
	rangesType = reflect.TypeOf([]Range(nil))
)

func dumpValue(b *strings.Builder, depth int, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Interface {
			v = v.Elem()
			continue
		}
		v = v.Elem()
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if f.Type == rangeType || f.Type == rangesType || f.Name == "Set" {
			continue
		}
		if f.Anonymous { // Node
			dumpValue(b, depth, fv)
			continue
		}
		dumpField(b, depth, f.Name, fv)
	}
}

func dumpField(b *strings.Builder, depth int, name string, fv reflect.Value) {
	indent := strings.Repeat("  ", depth)
	if s, ok := scalar(fv); ok {
		if s != "" {
			fmt.Fprintf(b, "%s%s: %s\n", indent, name, s)
		}
		return
	}
	switch fv.Kind() {
	case reflect.Slice:
		if fv.Len() == 0 {
			return
		}
		if fv.Type().Elem().Kind() == reflect.String {
			fmt.Fprintf(b, "%s%s: %s\n", indent, name, quoteAll(fv))
			return
		}
		fmt.Fprintf(b, "%s%s:\n", indent, name)
		for j := 0; j < fv.Len(); j++ {
			it := fv.Index(j)
			if s, ok := scalar(it); ok {
				fmt.Fprintf(b, "%s  - %s\n", indent, s)
				continue
			}
			label := "-"
			if st, ok := it.Interface().(Step); ok {
				label = "- " + st.Verb()
			}
			fmt.Fprintf(b, "%s  %s\n", indent, label)
			dumpValue(b, depth+2, it)
		}
	case reflect.Pointer:
		if fv.IsNil() {
			return
		}
		fmt.Fprintf(b, "%s%s:\n", indent, name)
		dumpValue(b, depth+1, fv)
	case reflect.Struct:
		if set := fv.FieldByName("Set"); set.IsValid() && !set.Bool() {
			return // an unwritten Source
		}
		var sub strings.Builder
		dumpValue(&sub, depth+1, fv)
		if sub.Len() > 0 {
			fmt.Fprintf(b, "%s%s:\n%s", indent, name, sub.String())
		}
	case reflect.Int:
		if m, ok := fv.Interface().(fmt.Stringer); ok {
			fmt.Fprintf(b, "%s%s: %s\n", indent, name, m.String())
		} else if fv.Int() != 0 {
			fmt.Fprintf(b, "%s%s: %d\n", indent, name, fv.Int())
		}
	case reflect.Bool:
		if fv.Bool() {
			fmt.Fprintf(b, "%s%s: true\n", indent, name)
		}
	}
}

// scalar renders Value[T] and List[T]; ok is false for other types. An
// unset value renders as "".
func scalar(v reflect.Value) (string, bool) {
	if v.Kind() != reflect.Struct {
		return "", false
	}
	set := v.FieldByName("Set")
	if !set.IsValid() {
		return "", false
	}
	if items := v.FieldByName("Items"); items.IsValid() {
		if !set.Bool() {
			return "", true
		}
		parts := make([]string, items.Len())
		for i := range parts {
			parts[i], _ = scalar(items.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	}
	val := v.FieldByName("V")
	if !val.IsValid() || !set.Bool() {
		return "", val.IsValid()
	}
	if val.Kind() == reflect.String {
		return strconv.Quote(val.String()), true
	}
	return fmt.Sprint(val.Interface()), true
}

func quoteAll(v reflect.Value) string {
	parts := make([]string, v.Len())
	for i := range parts {
		parts[i] = strconv.Quote(v.Index(i).String())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
