package check

import "github.com/ourorg/securefile/spec"

// SetParallelMinSteps sets the step count from which Check runs its passes
// on two goroutines, for the tests of package check_test, which parse
// files with the real parsers; it returns the old value.
func SetParallelMinSteps(n int) int {
	old := parallelMinSteps
	parallelMinSteps = n
	return old
}

// RunUnsorted checks f like Check, but returns the findings in the order
// the passes made them (Check sorts them), with the panic that ended the
// check, if one did.
func RunUnsorted(f *spec.File) (diags spec.Diagnostics, panicked any) {
	c := &checker{}
	defer func() {
		if p := recover(); p != nil {
			diags, panicked = c.diags, p
		}
	}()
	c.run(f)
	return c.diags, nil
}
