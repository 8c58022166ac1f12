package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/lower"
	"github.com/ourorg/securefile/spec"
)

// gNode is a stage or an external source (image, named context, the main
// context) of the graph.
type gNode struct {
	id     string // stable key: stage:NAME, image:REF, context:NAME, context
	label  string
	kind   string // stage, image-stage, image, named-context, context
	weight int    // steps of a stage; 0 for a source
	dflt   bool   // the file's default target
	target bool   // the target the graph is drawn for
	uses   string // "secrets: … · ssh: … · caches: …"
	crit   bool
}

type gEdge struct {
	from, to string
	kind     string // from, copy, bind, cache seed
	crit     bool
}

type stageGraph struct {
	nodes []*gNode
	byID  map[string]*gNode
	edges []*gEdge
	deps  map[string][]string // node id → the ids it depends on, in edge order
}

// sourceNode is the node of a source; ok is false for scratch. An image
// reference is named as the lowering expands it.
func (x *imageNames) sourceNode(src spec.Source) (id, label, kind string, ok bool, err error) {
	switch {
	case !src.Set || src.Kind == spec.SourceContext:
		return "context", "context", "context", true, nil
	case src.Kind == spec.SourceStage:
		return "stage:" + src.Name.V, "", "", true, nil
	case src.Kind == spec.SourceImage:
		ref, err := x.expand(src)
		if err != nil || ref == "scratch" {
			return "", "", "", false, err
		}
		return "image:" + ref, ref, "image", true, nil
	case src.Kind == spec.SourceNamedContext:
		return "context:" + src.Name.V, "context:" + src.Name.V, "named-context", true, nil
	case src.Kind == spec.SourceScratch:
		return "", "", "", false, nil
	}
	return "", "", "", false, &spec.UnknownSourceError{Source: src, Pass: "the graph"}
}

// imageNames expands image references with the lowering's own code: the
// args' values (a --build-arg over the default, defaults expanded over
// other args, the platform args of the build), as the build pulls them.
type imageNames struct {
	f    *spec.File
	opt  lower.Options // platforms and build args
	done map[string]string
}

// expand is src's reference after interpolation. lower.Uses lists what
// a file fetches, as the lowering names it, without resolving anything;
// asked about a file whose one stage is based on src, it names src alone.
func (x *imageNames) expand(src spec.Source) (string, error) {
	t := src.Name.V
	if !strings.Contains(t, "${") {
		return t, nil
	}
	if v, ok := x.done[t]; ok {
		return v, nil
	}
	one := &spec.File{Node: x.f.Node, Args: x.f.Args, Stages: []*spec.Stage{{
		Node: spec.Node{Range: src.Range},
		Kind: spec.KindImage,
		Name: spec.At("graph", src.Range),
		From: src,
	}}}
	uses, err := lower.Uses(one, x.opt)
	if err != nil {
		return "", err
	}
	v := "scratch" // the one name Uses leaves out
	for _, u := range uses {
		if u.Kind == lower.UseImage {
			v = u.Name
			break
		}
	}
	x.done[t] = v
	return v, nil
}

// graphOf is the graph of the stages target ("" for the default) reaches,
// with image references expanded for opt's platforms and build args.
func graphOf(f *spec.File, target string, opt lower.Options) (*stageGraph, error) {
	var tgt *spec.Stage
	if target == "" {
		tgt = f.DefaultTarget()
	} else {
		tgt = f.Stage(target)
	}
	if tgt == nil {
		return nil, fmt.Errorf("target stage %q could not be found", target)
	}
	g := &stageGraph{byID: map[string]*gNode{}, deps: map[string][]string{}}
	names := &imageNames{f: f, opt: opt, done: map[string]string{}}
	var sources []*gNode
	// The stages the target reaches, each with its dependencies
	// (spec.StageDeps): an unknown step kind fails the graph rather than
	// drawing it without what the step reads.
	deps := map[*spec.Stage][]spec.Dep{}
	depsOf := func(s *spec.Stage) ([]spec.Dep, error) {
		if ds, ok := deps[s]; ok {
			return ds, nil
		}
		ds, err := spec.StageDeps(f, s)
		if err != nil {
			return nil, spec.Placed(err)
		}
		deps[s] = ds
		return ds, nil
	}
	reached := map[string]bool{}
	var visit func(s *spec.Stage) error
	visit = func(s *spec.Stage) error {
		if s == nil || reached[s.Name.V] {
			return nil
		}
		reached[s.Name.V] = true
		ds, err := depsOf(s)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.IsStage() {
				if err := visit(f.Stage(d.Source.Name.V)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := visit(tgt); err != nil {
		return nil, err
	}
	seenEdge := map[string]bool{}
	for _, s := range f.Stages {
		if s == nil || !reached[s.Name.V] {
			continue
		}
		n := &gNode{id: "stage:" + s.Name.V, label: s.Name.V, kind: "stage", weight: len(s.Steps), dflt: s == f.DefaultTarget(), target: s == tgt}
		if s.Kind == spec.KindImage {
			n.kind = "image-stage"
		}
		n.uses = usesOf(s)
		g.nodes = append(g.nodes, n)
		g.byID[n.id] = n
		ds, err := depsOf(s)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			id, label, kind, ok, err := names.sourceNode(d.Source)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if kind != "" && g.byID[id] == nil {
				sn := &gNode{id: id, label: label, kind: kind}
				g.byID[id] = sn
				sources = append(sources, sn)
			}
			ek := edgeKind(d.Kind)
			key := id + "\x00" + n.id + "\x00" + ek
			if seenEdge[key] {
				continue
			}
			seenEdge[key] = true
			g.edges = append(g.edges, &gEdge{from: id, to: n.id, kind: ek})
			g.deps[n.id] = append(g.deps[n.id], id)
		}
	}
	g.nodes = append(sources, g.nodes...)
	g.markCritical("stage:" + tgt.Name.V)
	return g, nil
}

// edgeKind names the edge of a dependency in the drawing.
func edgeKind(k spec.DepKind) string {
	if k == spec.DepBase {
		return "from"
	}
	return k.String() // copy, bind, cache seed
}

// usesOf is the secrets, ssh agents and caches a stage's runs use.
func usesOf(s *spec.Stage) string {
	var secrets, ssh, caches []string
	add := func(list []string, v string) []string {
		for _, x := range list {
			if x == v {
				return list
			}
		}
		return append(list, v)
	}
	for _, st := range s.Steps {
		if r, ok := st.(*spec.Run); ok {
			for _, v := range r.Secrets {
				secrets = add(secrets, v.V)
			}
			for _, v := range r.SSH {
				ssh = add(ssh, v.V)
			}
			for _, v := range r.Caches {
				caches = add(caches, v.V)
			}
		}
	}
	var parts []string
	if len(secrets) > 0 {
		parts = append(parts, "secrets: "+strings.Join(secrets, ", "))
	}
	if len(ssh) > 0 {
		parts = append(parts, "ssh: "+strings.Join(ssh, ", "))
	}
	if len(caches) > 0 {
		parts = append(parts, "caches: "+strings.Join(caches, ", "))
	}
	return strings.Join(parts, " · ")
}

// markCritical marks the longest chain, by steps, from a source to the
// target; ties go to the dependency met first.
func (g *stageGraph) markCritical(target string) {
	dist := map[string]int{}
	var longest func(id string) int
	longest = func(id string) int {
		if d, ok := dist[id]; ok {
			return d
		}
		dist[id] = 0 // guards against a cycle the checker let through
		best := 0
		for _, d := range g.deps[id] {
			if l := longest(d); l > best {
				best = l
			}
		}
		if n := g.byID[id]; n != nil {
			best += n.weight
		}
		dist[id] = best
		return best
	}
	longest(target)
	seen := map[string]bool{}
	for id := target; id != "" && !seen[id]; {
		seen[id] = true
		if n := g.byID[id]; n != nil {
			n.crit = true
		}
		next := ""
		for _, d := range g.deps[id] {
			if next == "" || dist[d] > dist[next] {
				next = d
			}
		}
		if next == "" {
			break
		}
		for _, e := range g.edges {
			if e.from == next && e.to == id {
				e.crit = true
				break
			}
		}
		id = next
	}
}

func (n *gNode) lines() []string {
	l := []string{n.label}
	switch n.kind {
	case "image-stage":
		l[0] = "image " + n.label
	case "stage":
		l[0] = "stage " + n.label
	}
	if n.dflt {
		l[0] += " (default)"
	}
	if n.kind == "stage" || n.kind == "image-stage" {
		steps := fmt.Sprintf("%d steps", n.weight)
		if n.weight == 1 {
			steps = "1 step"
		}
		l = append(l, steps)
	}
	if n.uses != "" {
		l = append(l, n.uses)
	}
	return l
}

func writeDOT(w io.Writer, g *stageGraph) {
	ids := map[string]string{}
	for i, n := range g.nodes {
		ids[n.id] = fmt.Sprintf("n%d", i)
	}
	q := func(s string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	fmt.Fprintln(w, "digraph securefile {")
	fmt.Fprintln(w, "  rankdir=LR;")
	fmt.Fprintln(w, "  node [fontname=\"Helvetica\"];")
	fmt.Fprintln(w, "  edge [fontname=\"Helvetica\"];")
	for _, n := range g.nodes {
		var attrs []string
		label := strings.Join(n.lines(), `\n`)
		label = strings.NewReplacer(`"`, `\"`).Replace(label)
		attrs = append(attrs, `label="`+label+`"`)
		switch n.kind {
		case "stage":
			attrs = append(attrs, "shape=box")
		case "image-stage":
			attrs = append(attrs, "shape=box", "peripheries=2")
		case "image":
			attrs = append(attrs, "shape=cylinder")
		case "named-context":
			attrs = append(attrs, "shape=folder")
		case "context":
			attrs = append(attrs, "shape=folder", "style=dashed")
		}
		if n.target {
			attrs = append(attrs, "style=bold")
		}
		if n.crit {
			attrs = append(attrs, "color=red", "penwidth=2")
		}
		fmt.Fprintf(w, "  %s [%s];\n", ids[n.id], strings.Join(attrs, ", "))
	}
	for _, e := range g.edges {
		attrs := []string{"label=" + q(e.kind)}
		if e.crit {
			attrs = append(attrs, "color=red", "penwidth=3")
		}
		fmt.Fprintf(w, "  %s -> %s [%s];\n", ids[e.from], ids[e.to], strings.Join(attrs, ", "))
	}
	fmt.Fprintln(w, "}")
}

func writeMermaid(w io.Writer, g *stageGraph) {
	ids := map[string]string{}
	for i, n := range g.nodes {
		ids[n.id] = fmt.Sprintf("n%d", i)
	}
	esc := strings.NewReplacer(`"`, "#quot;")
	fmt.Fprintln(w, "flowchart LR")
	var crit []string
	for _, n := range g.nodes {
		label := `"` + esc.Replace(strings.Join(n.lines(), "<br/>")) + `"`
		var shape string
		switch n.kind {
		case "stage":
			shape = "[" + label + "]"
		case "image-stage":
			shape = "[[" + label + "]]"
		case "image":
			shape = "[(" + label + ")]"
		default: // contexts
			shape = "[/" + label + "/]"
		}
		fmt.Fprintf(w, "  %s%s\n", ids[n.id], shape)
		if n.crit {
			crit = append(crit, ids[n.id])
		}
	}
	var critEdges []string
	for i, e := range g.edges {
		fmt.Fprintf(w, "  %s -->|%s| %s\n", ids[e.from], e.kind, ids[e.to])
		if e.crit {
			critEdges = append(critEdges, fmt.Sprint(i))
		}
	}
	fmt.Fprintln(w, "  classDef critical stroke:#d00,stroke-width:3px")
	if len(crit) > 0 {
		fmt.Fprintf(w, "  class %s critical\n", strings.Join(crit, ","))
	}
	if len(critEdges) > 0 {
		fmt.Fprintf(w, "  linkStyle %s stroke:#d00,stroke-width:3px\n", strings.Join(critEdges, ","))
	}
}

func runGraph(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("graph", "[--format dot|mermaid] [--target T] [--platform P] [--build-arg K=V]... [--build-context NAME=PATH|docker-image://REF]... FILE", stderr)
	format := fs.String("format", "dot", "dot or mermaid")
	target := fs.String("target", "", "the stage or image whose graph to print (default: the file's default target)")
	platform := fs.String("platform", "", "the target platform, for the platform args (default: the file's first platform, else this machine's)")
	bargs := offlineArgs{}
	fs.Var(bargs, "build-arg", "set an arg (KEY=VALUE, repeatable)")
	contexts := offlineContexts{}
	fs.Var(contexts, "build-context", "named context `NAME=PATH|docker-image://REF` (repeatable)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	flagPlatform, ok := parsePlatformFlag("graph", *platform, stderr)
	if !ok {
		return exitUsage
	}
	_, f, code, ok := formattedFile("graph", fs, *format, stderr, "dot", "mermaid")
	if !ok {
		return code
	}
	if err := frontend.SecretBuildArgs(f, bargs); err != nil {
		fmt.Fprintf(stderr, "securefile graph: %v\n", err)
		return exitFindings
	}
	tp, build, err := offlinePlatforms(f, flagPlatform, bargs)
	if err != nil {
		fmt.Fprintf(stderr, "securefile graph: %v\n", err)
		return exitFindings
	}
	g, err := graphOf(f, *target, lower.Options{TargetPlatform: tp, BuildPlatform: build, BuildArgs: bargs, NamedContext: contexts.namedContext})
	if err != nil {
		fmt.Fprintf(stderr, "securefile graph: %v\n", err)
		return exitFindings
	}
	if *format == "mermaid" {
		writeMermaid(stdout, g)
	} else {
		writeDOT(stdout, g)
	}
	return exitOK
}
