// Command securefile-frontend is the BuildKit frontend for Securefile
// builds. BuildKit runs it in the frontend image (see /Dockerfile) and talks
// to it over the gateway API; it is not meant to be run by hand.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"
	_ "github.com/moby/buildkit/util/grpcutil/encoding/proto" // BuildKit's gRPC codec, as in dockerfile-frontend

	"github.com/ourorg/securefile/frontend"
	"github.com/ourorg/securefile/internal/toolmode"
	"github.com/ourorg/securefile/internal/version"
)

func main() {
	toolmode.Main(os.Args) // runs and exits when BuildKit starts this binary as a tool
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println("securefile-frontend", version.String())
		return
	}
	if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Build); err != nil {
		fmt.Fprintf(os.Stderr, "securefile-frontend: %+v\n", err)
		os.Exit(1)
	}
}
