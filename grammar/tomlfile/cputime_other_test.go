//go:build !unix

package tomlfile

import "time"

func cpuTime() time.Duration { return 0 }
