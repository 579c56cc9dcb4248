package crawl

import (
	"github.com/modecrawl/modecrawl/internal/lineage"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// SQLLineage is the Lineage stage backed by internal/lineage: Mode template
// rendering (definitions, {% form %} defaults, Liquid), SQL parsing in the
// connection's dialect, chart fields matched to query output columns.
type SQLLineage struct {
	// Options configures the per-query pipeline (time limit, schema, clock).
	Options lineage.Options
}

// Analyzer implements Lineage.
func (l SQLLineage) Analyzer(defs []record.Definition, sources []record.DataSource) Analyzer {
	return lineage.NewAnalyzer(defs, sources, l.Options)
}

var (
	_ Lineage  = SQLLineage{}
	_ Analyzer = (*lineage.Analyzer)(nil)
)
