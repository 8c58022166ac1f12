// Package dsl reads and writes the Securefile DSL, the block syntax of
// docs/language.md.
//
// Parse takes the bytes of a Securefile and gives the spec.File model with
// a source range on every node and value, comments attached to the
// declarations and steps they stand above, and diagnostics for everything
// wrong with the syntax, the shape of statements, and the keys and types
// of settings. It never stops at the first error: each line is parsed on
// its own, and only a broken line is left out of the model. Whether the
// model makes sense (names defined, values valid) is the checker's job.
//
// Format gives the canonical text of a model: Parse(Format(f)) equals f
// but for ranges, and formatting is idempotent.
package dsl
