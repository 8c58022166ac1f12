package spec

// The env step, which sets environment variables: its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

// Env sets environment variables for later steps and the image.
type Env struct {
	Node
	Vars []*KeyValue
}

func (*Env) Verb() string { return "env" }
