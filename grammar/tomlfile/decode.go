package tomlfile

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/ourorg/securefile/spec"
)

// Parse parses Securefile.toml. Always returns a non-nil *spec.File with
// everything that could be decoded, plus all diagnostics (sorted).
func Parse(filename string, src []byte) (*spec.File, spec.Diagnostics) {
	if len(src) >= splitAbove {
		if f, diags, ok := parseSplit(filename, src); ok {
			return f, diags
		}
	}
	return parseWhole(filename, src)
}

// parseWhole is Parse in one piece: scan, decode with BurntSushi, build
// the model. A split parse (split.go) gives the same result or none.
func parseWhole(filename string, src []byte) (*spec.File, spec.Diagnostics) {
	text := string(src)
	s := scan(filename, src, text)
	var m map[string]any
	var stop *spec.Diagnostic
	if s.tooDeep != nil {
		stop = spec.Errorf(*s.tooDeep, "syntax",
			fmt.Sprintf("Tables, dotted keys, arrays and inline tables nest at most %d levels deep in a Securefile.", maxDepth),
			"", "nesting too deep")
	} else if _, err := toml.Decode(text, &m); err != nil {
		stop = syntaxError(s, src, err)
	}
	if stop != nil {
		// BurntSushi decodes all or nothing, so after a syntax error there
		// is no model to build, only the file's header to keep.
		f := &spec.File{Node: spec.Node{Range: s.root.spanRange()}}
		f.Header, _ = splitHeader(s.comments, src, s.bom)
		s.release()
		return f, spec.Diagnostics{stop}
	}
	f, diags, _ := buildModel(s, src, m, nil)
	s.release()
	return f, diags
}

// buildModel makes the model of a file BurntSushi decoded to m, positioned by
// the scanner's index. With pre (a split parse), the steps of pre's node
// from pre.from on come decoded from the second half; ok is false when
// they did not (and the model is then to be thrown away).
func buildModel(s *scanner, src []byte, m map[string]any, pre *splitSteps) (f *spec.File, diags spec.Diagnostics, ok bool) {
	f = &spec.File{Node: spec.Node{Range: s.root.spanRange()}}
	d := &decoder{f: f, pre: pre}
	if s.dup != nil {
		// TOML forbids it, but BurntSushi lets some through (keys added
		// to an inline table, a value over an implied table).
		d.report(s.dup.diagnostic())
	}
	d.file(s.root, m)
	if pre != nil && !d.spliced {
		return nil, nil, false
	}
	attachComments(f, f.Range.Filename, s.comments, d.cands, src, s.bom)
	d.diags.Sort()
	return f, d.diags, true
}

type decoder struct {
	f     *spec.File
	diags spec.Diagnostics
	cands []candidate // the nodes comments attach to
	// stepBuf holds the bindings of the step being decoded, reused
	// from step to step.
	stepBuf []spec.Field
	// pre is the second half of a split parse's steps; spliced says
	// they were taken.
	pre     *splitSteps
	spliced bool
	// keyBlock is where keys lists the next table's keys.
	keyBlock []string
	// itemBlock, kvBlock and kvPtrBlock are where list and strMap put
	// the next list's items and map's entries: a big file has a few
	// short lists and maps per step, and one allocation for many of them
	// is less work for the collector than one or two each.
	itemBlock  []spec.Value[string]
	kvBlock    []spec.KeyValue
	kvPtrBlock []*spec.KeyValue
}

// blockSize is how many entries a fresh itemBlock, kvBlock or kvPtrBlock
// holds (more when one list or map needs more).
const blockSize = 64

// take is the first n entries of *block as an empty slice of capacity n,
// which appends cannot grow into the rest of the block; the block moves
// past them (a new one when it is too short).
func take[T any](block *[]T, n int) []T {
	if len(*block) < n {
		*block = make([]T, max(n, blockSize))
	}
	out := (*block)[:0:n]
	*block = (*block)[n:]
	return out
}

func (d *decoder) report(diag *spec.Diagnostic) { d.diags = append(d.diags, diag) }

func (d *decoder) candidate(n *spec.Node, region spec.Range) {
	d.cands = append(d.cands, candidate{node: n, region: region})
}

// tableCandidate is candidate for a table written with a [header]: a
// comment above the header also speaks of the table's first key other
// than except (see candidate.lead).
func (d *decoder) tableCandidate(n *spec.Node, region spec.Range, t *pnode, except string) {
	c := candidate{node: n, region: region}
	if t.header {
		for _, k := range t.kids {
			if k.name != except {
				c.lead = t.rng(k.span)
				break
			}
		}
	}
	d.cands = append(d.cands, c)
}

// keys lists m's keys in the order they were written.
func (d *decoder) keys(n *pnode, m map[string]any) []string {
	if len(d.keyBlock) < len(m) {
		// One block for the keys of many tables: a big file has one
		// table per step.
		d.keyBlock = make([]string, max(len(m), 1024))
	}
	out := d.keyBlock[:0:len(m)]
	for _, c := range n.kids {
		if _, ok := m[c.name]; ok {
			out = append(out, c.name)
		}
	}
	if len(out) < len(m) { // only when the scanner stopped early
		var rest []string
		for k := range m {
			if n.lookup(k) == nil {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		out = append(out, rest...)
	}
	d.keyBlock = d.keyBlock[len(out):]
	return out
}

func (d *decoder) file(root *pnode, m map[string]any) {
	var stages []*spec.Stage
	for _, k := range d.keys(root, m) {
		n, v := root.child(k), m[k]
		switch k {
		case "platforms":
			fd := spec.FileFields(d.f)[0]
			d.set(fd.Key, n, v, fd.Ptr)
			d.candidate(&d.f.Node, n.spanRange())
		case "args":
			d.args(n, v)
		case "secret":
			d.decls(k, n, v, func(name string, n *pnode, m map[string]any) {
				s := &spec.Secret{}
				d.declaration(k, name, n, m, &s.Node, &s.Name, spec.SecretKeys, spec.SecretFields(s))
				d.f.Secrets = append(d.f.Secrets, s)
			})
		case "ssh":
			d.decls(k, n, v, func(name string, n *pnode, m map[string]any) {
				s := &spec.SSH{}
				d.declaration(k, name, n, m, &s.Node, &s.Name, spec.SSHKeys, spec.SSHFields(s))
				d.f.SSH = append(d.f.SSH, s)
			})
		case "cache":
			d.decls(k, n, v, func(name string, n *pnode, m map[string]any) {
				c := &spec.Cache{}
				d.declaration(k, name, n, m, &c.Node, &c.Name, spec.CacheKeys, spec.CacheFields(c))
				d.f.Caches = append(d.f.Caches, c)
			})
		case "stage", "image":
			kind := spec.KindStage
			if k == "image" {
				kind = spec.KindImage
			}
			d.decls(k, n, v, func(name string, n *pnode, m map[string]any) {
				stages = append(stages, d.stage(kind, name, n, m))
			})
		default:
			d.report(spec.UnknownKey(n.keyRange(), "the file", k, fileKeys))
		}
	}
	// [stage.*] and [image.*] are two TOML tables but one ordered list.
	sort.SliceStable(stages, func(i, j int) bool {
		return stages[i].Name.Range.Start.Byte < stages[j].Name.Range.Start.Byte
	})
	d.f.Stages = stages
}

func (d *decoder) args(n *pnode, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		d.report(wrongShape(n.valRange(), "args", `a table of build arguments ([args] NAME = "default")`, typeName(v)))
		return
	}
	for _, name := range d.keys(n, m) {
		c := n.child(name)
		a := &spec.Arg{Node: spec.Node{Range: c.spanRange()}, Name: spec.At(name, c.keyRange())}
		switch s, ok := m[name].(string); {
		case !ok:
			d.report(spec.WrongType(c.valRange(), name, spec.TString, typeName(m[name])))
		case s != "":
			// TOML cannot leave a key without a value: `NAME = ""` is how
			// it writes the DSL's `arg NAME`, so both give an unset default.
			a.Default = spec.At(s, c.valRange())
		}
		d.f.Args = append(d.f.Args, a)
		d.candidate(&a.Node, c.spanRange())
	}
}

// decls walks a table of named declarations ([secret.NAME], …).
func (d *decoder) decls(kind string, n *pnode, v any, each func(name string, n *pnode, m map[string]any)) {
	m, ok := v.(map[string]any)
	if !ok {
		d.report(wrongShape(n.valRange(), kind, fmt.Sprintf("a table of %s ([%s.NAME])", declNouns[kind], kind), typeName(v)))
		return
	}
	for _, name := range d.keys(n, m) {
		c := n.child(name)
		t, ok := m[name].(map[string]any)
		if !ok {
			d.report(wrongShape(c.valRange(), name, fmt.Sprintf("a table ([%s.%s])", kind, quoteKey(name)), typeName(m[name])))
			continue
		}
		each(name, c, t)
	}
}

// declaration decodes the table m of the declaration [KIND.NAME] into its
// node, name and fields.
func (d *decoder) declaration(kind, name string, n *pnode, m map[string]any, node *spec.Node, nameField *spec.Value[string], keys []spec.Key, fs []spec.Field) {
	*node, *nameField = spec.Node{Range: n.spanRange()}, spec.At(name, n.keyRange())
	d.table(fmt.Sprintf("%s %q", kind, name), n, m, keys, fieldsOf(fs), nil)
	d.tableCandidate(node, ownRegion(n, ""), n, "")
}

func (d *decoder) stage(kind spec.StageKind, name string, n *pnode, m map[string]any) *spec.Stage {
	st := &spec.Stage{Node: spec.Node{Range: n.spanRange()}, Kind: kind, Name: spec.At(name, n.keyRange())}
	d.table(fmt.Sprintf("%s %q", kind, name), n, m, stageKeys, fieldsOf(stageFields(st)), func(k string, c *pnode, v any) bool {
		if k != "steps" {
			return false
		}
		d.steps(st, c, v)
		return true
	})
	d.tableCandidate(&st.Node, ownRegion(n, "steps"), n, "steps")
	return st
}

func (d *decoder) steps(st *spec.Stage, n *pnode, v any) {
	want := stepsWant(st.Kind, st.Name.V)
	arr, ok := asArray(v)
	if !ok {
		d.report(wrongShape(n.valRange(), "steps", want, typeName(v)))
		return
	}
	pre := d.pre
	if pre == nil || pre.node != n || d.spliced {
		// A comment candidate and (below) a step per table: grown once,
		// not doubled along a stage of thousands of steps.
		d.cands = slices.Grow(d.cands, len(arr))
		st.Steps = d.stepRange(st.Steps, want, n, arr, 0, len(arr))
		return
	}
	// The first half's steps here, the second half's decoded meanwhile
	// by the goroutine of the second half: appended in order, they are
	// what one loop over all of them appends.
	total := len(arr) + len(n.elems) - pre.from
	d.cands = slices.Grow(d.cands, total)
	st.Steps = d.stepRange(st.Steps, want, n, arr, 0, total)
	<-pre.done
	if !pre.ok || len(arr) != pre.from {
		return // not spliced: buildModel gives up, Parse parses whole
	}
	d.spliced = true
	if st.Steps == nil {
		st.Steps = pre.steps
	} else {
		st.Steps = append(st.Steps, pre.steps...)
	}
	d.diags = append(d.diags, pre.diags...)
	d.cands = append(d.cands, pre.cands...)
}

func stepsWant(kind spec.StageKind, name string) string {
	return fmt.Sprintf("a list of tables ([[%s.%s.steps]])", kind, quoteKey(name))
}

// stepRange decodes the step tables arr, the elements of n from base on,
// appending them to steps; total is how many steps n has in all.
func (d *decoder) stepRange(steps []spec.Step, want string, n *pnode, arr []any, base, total int) []spec.Step {
	for i, e := range arr {
		en := n.elem(base + i)
		m, ok := e.(map[string]any)
		if !ok {
			d.report(wrongShape(en.valRange(), "steps", want, typeName(e)))
			continue
		}
		if step := d.step(en, m); step != nil {
			if steps == nil {
				steps = make([]spec.Step, 0, total-base-i)
			}
			steps = append(steps, step)
			d.tableCandidate(step.NodeInfo(), en.spanRange(), en, "")
		}
	}
	return steps
}

var verbList = joinOr(spec.StepVerbs)

func (d *decoder) step(n *pnode, m map[string]any) spec.Step {
	keys := d.keys(n, m)
	// The keys that name a verb, then those of them that are verbs here.
	var presentBuf, verbBuf [4]string
	present := presentBuf[:0]
	for _, k := range keys {
		if _, ok := spec.KindByVerb(k); ok {
			present = append(present, k)
		}
	}
	verbs := verbBuf[:0]
	for _, k := range present {
		if isVerb(k, present) {
			verbs = append(verbs, k)
		}
	}
	if len(verbs) == 0 {
		d.report(spec.Errorf(n.head(), "step-verb",
			fmt.Sprintf("A step sets exactly one of %s; this one sets none.", verbList), "",
			"step has no verb"))
		all := anyStepKeys()
		for _, k := range keys {
			if _, ok := spec.Lookup(all, k); !ok {
				d.report(unknownKey(n.child(k).keyRange(), "a step", k, all))
			}
		}
		return nil
	}
	for _, extra := range verbs[1:] {
		d.report(spec.Errorf(n.child(extra).keyRange(), "step-verb",
			fmt.Sprintf("A step does one thing: it sets exactly one of %s.", verbList),
			fmt.Sprintf("move %q to a step of its own", extra),
			"step sets both %q and %q", verbs[0], extra))
	}
	kind, _ := spec.KindByVerb(verbs[0]) // isVerb found it
	step := kind.New()
	step.NodeInfo().Range = n.tableRange()
	d.stepBuf = kind.AppendFields(d.stepBuf[:0], step)
	d.tableKeys(stepWhat[verbs[0]], n, m, keys, stepKeys(verbs[0]), func(k string) any { return stepField(kind, step, d.stepBuf, k) }, func(k string, _ *pnode, _ any) bool {
		return slices.Contains(verbs[1:], k)
	})
	return step
}

// stepWhat names a step of each verb in messages.
var stepWhat = func() map[string]string {
	out := map[string]string{}
	for _, k := range spec.StepKinds {
		out[k.Verb] = "a " + k.Verb + " step"
	}
	return out
}()

// isVerb reports whether k, the verb of a kind, is a verb of a step
// table whose keys naming verbs are present: no option of another of
// them (env is also an option of run, and then not a verb).
func isVerb(k string, present []string) bool {
	for _, v := range present {
		if v == k {
			continue
		}
		if other, _ := spec.KindByVerb(v); other != nil {
			if _, ok := spec.Lookup(other.Keys, k); ok {
				return false
			}
		}
	}
	return true
}

// table decodes m's keys into fields, reporting unknown and missing keys;
// other may take a key first (and return true when it did).
func (d *decoder) table(what string, n *pnode, m map[string]any, keys []spec.Key, field func(string) any, other func(k string, c *pnode, v any) bool) {
	d.tableKeys(what, n, m, d.keys(n, m), keys, field, other)
}

// tableKeys is table given d.keys(n, m), the names.
func (d *decoder) tableKeys(what string, n *pnode, m map[string]any, names []string, keys []spec.Key, field func(string) any, other func(k string, c *pnode, v any) bool) {
	for _, k := range names {
		c := n.child(k)
		v := m[k]
		if other != nil && other(k, c, v) {
			continue
		}
		key, ok := spec.Lookup(keys, k)
		if !ok {
			d.report(unknownKey(c.keyRange(), what, k, keys))
			continue
		}
		dst := field(k)
		if dst == nil {
			d.report(internalError(c.keyRange(), "key %q of %s is bound to no field", k, what))
			continue
		}
		d.set(key, c, v, dst)
	}
	for _, key := range keys {
		if !key.Required {
			continue
		}
		if key.RequiredUnless != "" {
			if _, lifted := m[key.RequiredUnless]; lifted {
				continue
			}
		}
		if _, ok := m[key.Name]; !ok {
			d.report(spec.MissingKey(n.head(), what, key.Name))
		}
	}
}

// set decodes v into dst, whose type says what it must be; key names the
// expected type in diagnostics.
func (d *decoder) set(key spec.Key, n *pnode, v any, dst any) {
	switch p := dst.(type) {
	case *spec.Value[string]:
		if s, ok := v.(string); ok {
			*p = spec.At(s, n.valRange())
			return
		}
	case *spec.Value[int]:
		if i, ok := v.(int64); ok && int64(int(i)) == i {
			*p = spec.At(int(i), n.valRange())
			return
		}
	case *spec.Value[bool]:
		if b, ok := v.(bool); ok {
			*p = spec.At(b, n.valRange())
			return
		}
	case *spec.List[string]:
		if l, ok := d.list(key, n, v), isList(key, v); ok {
			*p = l
			return
		}
	case *[]spec.Value[string]:
		if l, ok := d.list(key, n, v), isList(key, v); ok {
			*p = l.Items
			return
		}
	case *[]*spec.KeyValue:
		if m, ok := v.(map[string]any); ok {
			*p = d.strMap(n, m)
			return
		}
	case *spec.Command:
		if s, ok := v.(string); ok {
			*p = spec.Command{Node: spec.Node{Range: n.valRange()}, Shell: spec.At(s, n.valRange())}
			return
		}
		if _, ok := asArray(v); ok {
			*p = spec.Command{Node: spec.Node{Range: n.valRange()}, Exec: d.list(key, n, v)}
			return
		}
	case *spec.Source:
		*p = d.source(key, n, v)
		return
	case **spec.Healthcheck:
		if m, ok := v.(map[string]any); ok {
			h := &spec.Healthcheck{Node: spec.Node{Range: n.tableRange()}}
			d.table("the healthcheck", n, m, spec.HealthcheckKeys, fieldsOf(spec.HealthcheckFields(h)), nil)
			*p = h
			return
		}
	case *[]*spec.Bind:
		if _, ok := asArray(v); ok {
			d.each(key, n, v, func(n *pnode, m map[string]any) {
				b := &spec.Bind{Node: spec.Node{Range: n.tableRange()}}
				d.table("a bind mount", n, m, spec.BindKeys, fieldsOf(spec.BindFields(b)), nil)
				*p = append(*p, b)
			})
			return
		}
	case *[]*spec.Tmpfs:
		if _, ok := asArray(v); ok {
			d.each(key, n, v, func(n *pnode, m map[string]any) {
				t := &spec.Tmpfs{Node: spec.Node{Range: n.tableRange()}}
				d.table("a tmpfs mount", n, m, spec.TmpfsKeys, fieldsOf(spec.TmpfsFields(t)), nil)
				*p = append(*p, t)
			})
			return
		}
	case *[]*spec.InlineFile:
		if _, ok := asArray(v); ok {
			d.each(key, n, v, func(n *pnode, m map[string]any) {
				f := &spec.InlineFile{Node: spec.Node{Range: n.tableRange()}}
				d.table("a file of files", n, m, spec.InlineFileKeys, fieldsOf(spec.InlineFileFields(f)), nil)
				*p = append(*p, f)
			})
			return
		}
	case *spec.Add:
		switch v := v.(type) {
		case string:
			p.Kind, p.URL = spec.AddHTTP, spec.At(v, n.valRange())
			return
		case map[string]any:
			p.Kind = spec.AddGit
			d.table("a git source", n, v, gitKeys, fieldsOf([]spec.Field{{Key: gitKeys[0], Ptr: &p.URL}}), nil)
			return
		}
		d.report(wrongShape(n.valRange(), key.Name, `a URL string or { git = "URL" }`, typeName(v)))
		return
	default:
		d.report(internalError(n.keyRange(), "key %q is bound to a field of type %T, which TOML does not read", key.Name, dst))
		return
	}
	d.report(spec.WrongType(n.valRange(), key.Name, key.Type, typeName(v)))
}

// internalError reports a key table, binding or step kind that disagrees
// with the decoder: a programming error, reported rather than skipped.
func internalError(r spec.Range, format string, args ...any) *spec.Diagnostic {
	return spec.Errorf(r, "internal",
		"This is a bug in securefile, not in the file: the description of the file's keys and the decoder disagree.", "",
		format, args...)
}

func isList(key spec.Key, v any) bool {
	if _, ok := v.(string); ok {
		return key.Type == spec.TStringOrList
	}
	_, ok := asArray(v)
	return ok
}

// list decodes a list of strings (or, for TStringOrList, one string),
// reporting each item that is not a string; it is unset when v is no list.
func (d *decoder) list(key spec.Key, n *pnode, v any) spec.List[string] {
	r := n.valRange()
	if s, ok := v.(string); ok && key.Type == spec.TStringOrList {
		return spec.List[string]{Items: []spec.Value[string]{spec.At(s, r)}, Set: true, Range: r}
	}
	arr, ok := asArray(v)
	if !ok {
		return spec.List[string]{}
	}
	l := spec.List[string]{Set: true, Range: r}
	for i, e := range arr {
		en := n.elem(i)
		s, ok := e.(string)
		if !ok {
			d.report(spec.WrongType(en.valRange(), key.Name, key.Type, typeName(e)))
			continue
		}
		if l.Items == nil {
			l.Items = take(&d.itemBlock, len(arr)-i)
		}
		l.Items = append(l.Items, spec.At(s, en.valRange()))
	}
	return l
}

// strMap decodes an ordered map of strings (env, labels).
func (d *decoder) strMap(n *pnode, m map[string]any) []*spec.KeyValue {
	var out []*spec.KeyValue
	var block []spec.KeyValue // the entries, in d.kvBlock
	for i, k := range d.keys(n, m) {
		c := n.child(k)
		s, ok := m[k].(string)
		if !ok {
			d.report(spec.WrongType(c.valRange(), k, spec.TString, typeName(m[k])))
			continue
		}
		if out == nil {
			out = take(&d.kvPtrBlock, len(m)-i)
			block = take(&d.kvBlock, len(m)-i)
		}
		block = append(block, spec.KeyValue{
			Node:  spec.Node{Range: c.spanRange()},
			Key:   spec.At(k, c.keyRange()),
			Value: spec.At(s, c.valRange()),
		})
		out = append(out, &block[len(block)-1])
	}
	return out
}

// each calls fn for every table in the array v, reporting other items.
func (d *decoder) each(key spec.Key, n *pnode, v any, fn func(n *pnode, m map[string]any)) {
	arr, _ := asArray(v)
	for i, e := range arr {
		en := n.elem(i)
		if m, ok := e.(map[string]any); ok {
			fn(en, m)
		} else {
			d.report(spec.WrongType(en.valRange(), key.Name, key.Type, typeName(e)))
		}
	}
}

// source decodes "image", "scratch", { stage = "x" } or { context = "x" }.
func (d *decoder) source(key spec.Key, n *pnode, v any) spec.Source {
	r := n.valRange()
	switch v := v.(type) {
	case string:
		if v == "scratch" {
			return spec.Source{Node: spec.Node{Range: r}, Set: true, Kind: spec.SourceScratch}
		}
		return spec.Source{Node: spec.Node{Range: r}, Set: true, Kind: spec.SourceImage, Name: spec.At(v, r)}
	case map[string]any:
		src := spec.Source{Node: spec.Node{Range: n.tableRange()}}
		before := len(d.diags)
		for _, k := range d.keys(n, v) {
			c := n.child(k)
			sk, ok := spec.Lookup(sourceKeys, k)
			if !ok {
				d.report(spec.UnknownKey(c.keyRange(), "a source", k, sourceKeys))
				continue
			}
			var name spec.Value[string]
			d.set(sk, c, v[k], &name)
			if !name.Set {
				continue
			}
			if src.Set {
				d.report(spec.Errorf(c.keyRange(), "source",
					`A source is one stage ({ stage = "NAME" }) or one named context ({ context = "NAME" }).`, "",
					"source sets both %q and %q", kindKey(src.Kind), k))
				continue
			}
			src.Set, src.Name, src.Kind = true, name, spec.SourceStage
			if k == "context" {
				src.Kind = spec.SourceNamedContext
			}
		}
		if !src.Set && len(d.diags) == before {
			d.report(spec.Errorf(n.head(), "source",
				`A source written as a table names a stage ({ stage = "NAME" }) or a named context ({ context = "NAME" }).`, "",
				"source sets neither %q nor %q", "stage", "context"))
		}
		return src
	}
	d.report(spec.WrongType(r, key.Name, key.Type, typeName(v)))
	return spec.Source{}
}

func kindKey(k spec.SourceKind) string {
	if k == spec.SourceNamedContext {
		return "context"
	}
	return "stage"
}

// ownRegion is where a table's own keys are: its header and keys, without
// the child named except (a stage's steps, which are nodes of their own).
func ownRegion(n *pnode, except string) spec.Range {
	if n.kind == kindInline {
		return n.valRange()
	}
	var sp span
	if n.header {
		sp = n.val
	}
	for _, c := range n.kids {
		if c.name != except {
			sp = cover(sp, c.span)
		}
	}
	return n.rng(sp)
}

func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case []map[string]any:
		out := make([]any, len(a))
		for i := range a {
			out[i] = a[i]
		}
		return out, true
	}
	return nil, false
}

// typeName says what kind of TOML value v is, for "… but X was written".
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date/time"
	}
	return "a value"
}

// wrongShape is spec.WrongType for the few TOML values no spec.KeyType
// describes (tables of declarations, steps, add's source), worded alike.
func wrongShape(r spec.Range, key, want, got string) *spec.Diagnostic {
	return spec.Errorf(r, "wrong-type", fmt.Sprintf("%q takes %s, but %s was written.", key, want, got), "",
		"%q must be %s", key, want)
}

func joinOr(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
