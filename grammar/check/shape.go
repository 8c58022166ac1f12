package check

// Shape says what credential a value looks like, for values that do not
// come from a file: frontend options and build args, which BuildKit
// records in provenance. name is the option's or arg's name (it only
// matters for high-entropy values, which count only under a credential
// name such as NPM_TOKEN); "" means the value is not a credential.
// Masked is the value as a message may show it.
func Shape(name, value string) (what, masked string) {
	if hits := tokenHits(value); len(hits) > 0 {
		h := hits[0]
		return h.what, mask(value[h.start:h.end])
	}
	if name != "" && secretName(name) && plainValue(value) && randomLooking(value) {
		return "a high-entropy value under a credential name", mask(value)
	}
	return "", ""
}
