// Package e2e holds the end-to-end tests: each example under examples/ is
// built by a real BuildKit daemon, and the tests assert on what was built
// (files, image config, layers, registry contents, progress).
//
// Every scenario runs the same build several ways:
//
//   - syntax: the builtin Dockerfile frontend (dockerfile.v0) forwards to the
//     frontend image, as a "# syntax=" line does (build-arg:BUILDKIT_SYNTAX);
//   - gateway: the frontend image runs as the gateway frontend (gateway.v0);
//   - inprocess: frontend.Build runs inside the test binary (client.Build),
//     once with Securefile and once with Securefile.toml.
//
// The tests are behind the build tag e2e. They need the machine set up
// once with `make e2e-setup` (apt packages, a binfmt handler: the one step
// that changes the machine); without it TestMain skips them all, naming the
// command, or fails under CI or E2E_REQUIRE=1. `make e2e` starts the local
// daemon and registry (hack/e2e.sh), runs them and stops everything again;
// `go test -tags e2e ./e2e` alone does the same from TestMain when
// BUILDKIT_HOST is not set. See docs/testing.md.
package e2e
