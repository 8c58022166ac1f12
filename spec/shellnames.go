package spec

// ShellNames are the names s refers to as "$NAME" or "${NAME…", each once,
// in order: what a shell may expand. "$$" is the shell's process id, and
// "$${" the language's escape for a literal "${", so neither names
// anything. It over-approximates (a name inside single quotes counts),
// which only adds a variable the step does not read.
func ShellNames(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		j := i + 1
		switch {
		case s[j] == '$':
			i = j // "$$": skip both
			continue
		case s[j] == '{':
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || 'a' <= s[k] && s[k] <= 'z' || 'A' <= s[k] && s[k] <= 'Z' || k > j && '0' <= s[k] && s[k] <= '9') {
			k++
		}
		if k > j {
			if n := s[j:k]; !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		i = k - 1
	}
	return out
}
