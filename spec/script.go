package spec

import (
	"path"
	"strings"
)

// IsScriptWord reports whether word i of an exec-form command is code that
// the program it starts parses: the word after a short-option group with
// "c" for a shell or Python (["sh", "-ec", "…"], ["bash", "-o",
// "pipefail", "-c", "…"], ["python3", "-c", "…"]), or with "e" for Node,
// Perl or Ruby (["node", "-e", "…"]). No value is ever spliced into such a
// word (internal/lower/argenv.go); the checker treats it as shell text.
func IsScriptWord(words []string, i int) bool {
	if i < 1 || i >= len(words) {
		return false
	}
	flag := words[i-1]
	if len(flag) < 2 || flag[0] != '-' || strings.Trim(flag[1:], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return false
	}
	for _, w := range words[:i-1] {
		switch interpreter(path.Base(w)) {
		case 'c':
			if strings.ContainsRune(flag[1:], 'c') {
				return true
			}
		case 'e':
			if strings.ContainsRune(flag[1:], 'e') {
				return true
			}
		}
	}
	return false
}

// interpreter is the option letter that takes code for program: 'c' for
// the shells and Python, 'e' for Node, Perl and Ruby, 0 for others.
func interpreter(program string) byte {
	switch program {
	case "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox":
		return 'c'
	case "node", "nodejs", "perl", "ruby":
		return 'e'
	}
	if strings.HasPrefix(program, "python") {
		return 'c'
	}
	return 0
}
