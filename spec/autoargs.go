package spec

import "strings"

// The automatic args: every build file may reference them without
// declaring them, as a Dockerfile may its predefined args. A --build-arg
// of the same name overrides the value the build computes, as in a
// Dockerfile build (dockerfile2llb's defaultArgs).
var (
	// PlatformArgs describe the build and target platforms.
	PlatformArgs = []string{
		"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
		"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT",
	}
	// ProxyArgs are the proxy settings, in both cases. Their values reach
	// run steps as environment variables that are kept out of the cache
	// key, the image config and the history (llb.WithProxy), as BuildKit
	// does; only a --build-arg gives them a value.
	ProxyArgs = []string{
		"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
		"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
	}
)

// TargetStageArg is the automatic arg that holds the name of the stage
// being built: --target, else the default target.
const TargetStageArg = "TARGETSTAGE"

// AutomaticArgs are all the automatic args.
func AutomaticArgs() []string {
	out := make([]string, 0, len(PlatformArgs)+1+len(ProxyArgs))
	out = append(out, PlatformArgs...)
	out = append(out, TargetStageArg)
	return append(out, ProxyArgs...)
}

// IsAutomaticArg reports whether name is one of AutomaticArgs.
func IsAutomaticArg(name string) bool {
	return IsPlatformArg(name) || name == TargetStageArg || IsProxyArg(name)
}

// IsPlatformArg reports whether name is one of PlatformArgs.
func IsPlatformArg(name string) bool {
	if rest, ok := strings.CutPrefix(name, "BUILD"); ok {
		name = rest
	} else if rest, ok := strings.CutPrefix(name, "TARGET"); ok {
		name = rest
	} else {
		return false
	}
	switch name {
	case "PLATFORM", "OS", "OSVERSION", "ARCH", "VARIANT":
		return true
	}
	return false
}

// IsProxyArg reports whether name is one of ProxyArgs.
func IsProxyArg(name string) bool {
	switch strings.ToLower(name) {
	case "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy":
		return name == strings.ToLower(name) || name == strings.ToUpper(name)
	}
	return false
}
