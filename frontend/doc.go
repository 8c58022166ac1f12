// Package frontend is the BuildKit frontend for Securefile builds.
//
// It takes a gateway client (github.com/moby/buildkit/frontend/gateway/client)
// and gives back a build result, exactly like the Dockerfile frontend: Build
// is what cmd/securefile-frontend serves with grpcclient.RunFromEnvironment.
//
// Everything the Dockerfile frontend gets from frontend/dockerui comes from
// there too: the client's options, reading the build file (and its
// <file>.dockerignore or .dockerignore), the main and named build contexts,
// target platforms and the assembly of a multi-platform result, and the
// frontend.outline, frontend.targets and frontend.lint subrequests.
//
// What is ours: which file to read and in which syntax (read.go), parsing
// and checking it with grammar.Load, turning the checker's diagnostics into
// errors with source, build warnings and lint results (errors.go,
// lint.go), the outline and target list of a spec.File (outline.go,
// reach.go, targets.go, subrequests.go), the file's default platforms and
// SOURCE_DATE_EPOCH (options.go), and calling convert.Lower once per
// target platform (build.go). docs/frontend.md describes the behaviour for
// users.
package frontend
