package cli

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the Go soft memory limit sync and demo run under
// when GOMEMLIMIT is not set. A crawl keeps little live data (records
// stream to spill files), so without a limit the heap grows mostly from
// garbage between collections; the limit makes the collector run before
// that garbage doubles the process size. It is soft: a workspace that needs
// more live memory still gets it, at the cost of more frequent collections.
const defaultMemoryLimit = 160 << 20

// applyMemoryLimit sets the default soft memory limit unless the user set
// GOMEMLIMIT (which the Go runtime has already applied).
func applyMemoryLimit() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
}
