// Package verify is the leak scanner that runs inside BuildKit at export.
// The frontend mounts every secret the build uses, the filesystem diff of every step of the exported image's chain and the
// image config, and runs this scanner as the tool "scan". Each secret is
// looked for whole and, when it is a credential file the scanner
// recognises by content (netrc, .npmrc, .pypirc, a Docker config.json,
// git-credentials, AWS credentials, .env, JSON with credential keys, PEM
// private keys), field by field (fields.go). The scanner writes a JSON
// report that names, for each hit, the secret by its index, the field if
// it is one, the encoding, the layer (step) and the path or config field.
// It never writes or prints a secret's value or any pattern derived from
// it: the frontend reads the report, so the report must be safe for it to
// read.
//
// Only the standard library is used: the scanner is part of every
// securefile binary, which must stay static and small.
package verify
