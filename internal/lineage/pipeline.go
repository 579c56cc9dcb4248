package lineage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modecrawl/modecrawl/internal/sqllineage"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// DefaultTimeout is the per-query time limit when Options.Timeout is zero.
// Report SQL parses in microseconds; the limit exists for the pathological
// query that would otherwise stall a whole crawl.
const DefaultTimeout = 5 * time.Second

// Confidence caps applied on top of the parser's own confidence.
const (
	// confidenceDegraded applies when the template could not be rendered as
	// Mode would (a Liquid failure, an unknown or cyclic definition).
	confidenceDegraded = 0.7
)

// Options configures the lineage pipeline.
type Options struct {
	// Timeout is the time limit per query (render + parse + resolve);
	// zero means DefaultTimeout.
	Timeout time.Duration
	// Schema optionally lists table columns, to expand * and settle
	// ambiguous columns. Table keys may be names or qualified names.
	Schema sqllineage.Schema
	// Now is the clock used by Liquid date filters ('now' | date: …);
	// nil means time.Now. Inject a fixed clock for reproducible output.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Analyzer resolves lineage for the queries of one workspace. It holds the
// workspace's definitions and data sources; it is safe for concurrent use.
type Analyzer struct {
	opts    Options
	defs    map[string]string
	sources map[int64]record.DataSource
	render  *renderer
}

// NewAnalyzer returns an Analyzer for a workspace's definitions and data
// sources.
func NewAnalyzer(defs []record.Definition, sources []record.DataSource, opts Options) *Analyzer {
	opts = opts.withDefaults()
	a := &Analyzer{
		opts:    opts,
		defs:    make(map[string]string, len(defs)),
		sources: make(map[int64]record.DataSource, len(sources)),
		render:  newRenderer(opts.Now),
	}
	for _, d := range defs {
		a.defs[d.Name] = d.SQL
	}
	for _, s := range sources {
		a.sources[s.ID] = s
	}
	return a
}

// Query fills q's lineage fields (Dialect, RenderedSQL, Params,
// DefinitionsUsed, Tables, Columns, LineageConfidence, LineageWarnings)
// from q.RawSQL and q.DataSourceID. It never fails: problems become
// warnings and a lower confidence.
func (a *Analyzer) Query(ctx context.Context, q *record.Query) {
	in := Input{ID: q.Token, SQL: q.RawSQL}
	var preWarn []string
	var platform string
	if q.DataSourceID == nil {
		preWarn = append(preWarn, "query has no data source: parsed as generic SQL")
		in.Dialect = "generic"
	} else if ds, ok := a.sources[*q.DataSourceID]; ok {
		in.Dialect = ds.Adapter
		platform = ds.Platform
		in.Database = deref(ds.Database)
		in.Host = deref(ds.Host)
	} else {
		// Mode keeps queries whose connection was deleted.
		preWarn = append(preWarn, fmt.Sprintf("data source %d not found (deleted?): parsed as generic SQL", *q.DataSourceID))
		in.Dialect = "generic"
	}
	out := a.analyze(ctx, in, a.defs)
	if platform == "" {
		platform = out.platform
	}
	q.Dialect = out.Dialect
	rendered := out.RenderedSQL
	q.RenderedSQL = &rendered
	q.Params = out.Params
	q.DefinitionsUsed = out.DefinitionsUsed
	q.Tables = out.Tables
	for i := range q.Tables {
		q.Tables[i].Platform = platform
	}
	q.Columns = out.Columns
	conf := out.Confidence
	q.LineageConfidence = &conf
	q.LineageWarnings = slices.Concat(preWarn, out.Warnings)
}

// ChartFields is the package function ChartFields, as a method so an
// Analyzer covers everything the crawl needs from the lineage stage.
func (a *Analyzer) ChartFields(view, viewVegas json.RawMessage, outputColumns []string) []string {
	return ChartFields(view, viewVegas, outputColumns)
}

// Edges is the package function Edges, as a method (see ChartFields).
func (a *Analyzer) Edges(q *record.Query, charts []record.Chart) []record.Edge {
	return Edges(q, charts)
}

// Input is one query for standalone analysis (the `modecrawl lineage`
// command and the corpus harness).
type Input struct {
	ID string
	// Dialect is a dialect name ("snowflake") or a Mode adapter
	// ("jdbc:snowflake").
	Dialect string
	SQL     string
	// Definitions maps definition names to their SQL, as Mode serves them.
	Definitions map[string]string
	// Params overrides form defaults.
	Params map[string]string
	// Database and Host optionally describe the data source, for
	// qualification (BigQuery: Host is the project).
	Database, Host string
}

// Output is the lineage of one Input.
type Output struct {
	ID              string                 `json:"id"`
	Dialect         string                 `json:"dialect"`
	RenderedSQL     string                 `json:"rendered_sql"`
	Params          map[string]any         `json:"params,omitempty"`
	DefinitionsUsed []string               `json:"definitions_used,omitempty"`
	Tables          []record.Table         `json:"tables"`
	Columns         []record.ColumnLineage `json:"columns"`
	Confidence      float64                `json:"confidence"`
	Warnings        []string               `json:"warnings"`

	platform string
}

// Analyze runs the whole pipeline on one standalone query.
func Analyze(ctx context.Context, in Input, opts Options) Output {
	opts = opts.withDefaults()
	a := &Analyzer{opts: opts, render: newRenderer(opts.Now)}
	return a.analyze(ctx, in, in.Definitions)
}

// analyze is the pipeline shared by Query and Analyze.
func (a *Analyzer) analyze(ctx context.Context, in Input, defs map[string]string) (out Output) {
	out.ID = in.ID
	defer func() {
		// Nothing in a crawl may die on one query's text.
		if p := recover(); p != nil {
			out.Tables, out.Columns, out.Confidence = nil, nil, 0
			// The stack is not kept: it may quote query text.
			out.Warnings = append(out.Warnings, fmt.Sprintf("internal error analysing query: %v", p))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, a.opts.Timeout)
	defer cancel()

	dialect, platform, warn := ResolveDialect(in.Dialect)
	out.Dialect, out.platform = string(dialect), platform
	if warn != "" {
		out.Warnings = append(out.Warnings, warn)
	}

	rr := a.render.renderQuery(ctx, in.SQL, defs, in.Params)
	out.RenderedSQL, out.Params, out.DefinitionsUsed = rr.SQL, rr.Params, rr.DefinitionsUsed
	out.Warnings = append(out.Warnings, rr.Warnings...)

	database := in.Database
	if dialect == "bigquery" {
		// Mode's BigQuery connections say database "default"; the
		// project is the host.
		database = in.Host
	}
	schema := a.opts.Schema
	if schema != nil {
		schema = qualifyingSchema{base: schema, dialect: dialect, database: database}
	}
	deadline, _ := ctx.Deadline()
	res := sqllineage.Analyze(ctx, rr.SQL, sqllineage.Options{Dialect: dialect, Schema: schema, Deadline: deadline})
	out.Warnings = append(out.Warnings, res.Warnings...)
	out.Confidence = res.Confidence
	if ctx.Err() != nil {
		out.Confidence = 0
		out.Warnings = append(out.Warnings, fmt.Sprintf("lineage time limit of %s hit: result incomplete", a.opts.Timeout))
	}
	if rr.Degraded && out.Confidence > confidenceDegraded {
		out.Confidence = confidenceDegraded
	}

	out.Tables = make([]record.Table, 0, len(res.Tables))
	for _, t := range res.Tables {
		parts := t.Parts
		if len(parts) == 0 {
			parts = splitName(t.Name)
		}
		out.Tables = append(out.Tables, record.Table{Name: t.Name, Qualified: Qualify(dialect, parts, database), Platform: platform})
	}
	out.Columns = make([]record.ColumnLineage, 0, len(res.Columns))
	for _, c := range res.Columns {
		cl := record.ColumnLineage{Name: c.Name, Sources: toSources(c.Sources), Ambiguous: c.Ambiguous}
		if c.Ambiguous {
			cl.Candidates = toSources(c.Candidates)
		}
		out.Columns = append(out.Columns, cl)
	}
	return out
}

// toSources converts parser sources; never nil, so JSON says [] not null.
func toSources(src []sqllineage.Source) []record.ColumnSource {
	out := make([]record.ColumnSource, len(src))
	for i, s := range src {
		out[i] = record.ColumnSource{Table: s.Table, Column: s.Column}
	}
	return out
}

// qualifyingSchema lets schema files key tables by name or by qualified
// name: a lookup by name falls back to the name's qualified form.
type qualifyingSchema struct {
	base     sqllineage.Schema
	dialect  sqllineage.Dialect
	database string
}

// Columns implements sqllineage.Schema.
func (s qualifyingSchema) Columns(table string) ([]string, bool) {
	if cols, ok := s.base.Columns(table); ok {
		return cols, true
	}
	if q := Qualify(s.dialect, splitName(table), s.database); q != "" && !strings.EqualFold(q, table) {
		return s.base.Columns(q)
	}
	return nil, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
