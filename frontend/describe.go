package frontend

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"

	"github.com/ourorg/securefile/internal/version"
)

// Metadata keys of the describe answer that say which securefile answered:
// a client (buildctl --opt requestid=frontend.subrequests.describe, or a
// tool that asks before it builds) learns the frontend's version and the
// language version of the files it reads, without building anything.
const (
	MetaVersion  = "securefile.version"
	MetaLanguage = "securefile.language"
)

// lockDefinition describes our own subrequest, like BuildKit's definitions
// of its standard ones.
var lockDefinition = subrequests.Request{
	Name:        LockRequest,
	Version:     "1.0.0",
	Type:        subrequests.TypeRPC,
	Description: "Resolve every source the build file fetches and return Securefile.lock",
	Metadata:    []subrequests.Named{{Name: "result.txt"}},
}

// describe answers frontend.subrequests.describe. dockerui's answer lists
// only outline and targets; ours lists every subrequest this frontend
// answers (lint and lock too) and adds its version: in result.txt below
// the table, and as MetaVersion and MetaLanguage. result.json stays the
// standard list, which buildx and buildctl parse.
func describe() (*client.Result, error) {
	all := []subrequests.Request{
		outline.SubrequestsOutlineDefinition,
		targets.SubrequestsTargetsDefinition,
		lint.SubrequestLintDefinition,
		lockDefinition,
		subrequests.SubrequestsDescribeDefinition,
	}
	dt, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return nil, err
	}
	var txt bytes.Buffer
	if err := subrequests.PrintDescribe(dt, &txt); err != nil {
		return nil, err
	}
	fmt.Fprintf(&txt, "\nsecurefile %s (language %s)\n", version.String(), version.Language)
	res := client.NewResult()
	res.Metadata = map[string][]byte{
		"result.json": dt,
		"result.txt":  txt.Bytes(),
		"version":     []byte(subrequests.SubrequestsDescribeDefinition.Version),
		MetaVersion:   []byte(version.String()),
		MetaLanguage:  []byte(version.Language),
	}
	return res, nil
}
