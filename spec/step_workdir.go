package spec

// The workdir step, which changes the working directory: its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

// Workdir changes the working directory for later steps and the image.
type Workdir struct {
	Node
	Path Value[string]
}

func (*Workdir) Verb() string { return "workdir" }
