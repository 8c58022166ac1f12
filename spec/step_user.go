package spec

// The user step, which changes the user: its model, its option keys and
// their bindings, all in one place. Its entry in StepKinds (steps.go)
// gives the decoders, printers, schema and docs the rest.

// User changes the user for later steps and the image.
type User struct {
	Node
	User Value[string]
}

func (*User) Verb() string { return "user" }
