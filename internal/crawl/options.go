package crawl

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"time"

	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// Defaults for Options.
const (
	DefaultConcurrency          = 8
	DefaultPopularityWindowDays = 90
	DefaultBaseURL              = "https://app.mode.com"
)

// ErrAuth marks a crawl aborted because Mode refused the credentials (401),
// the token has no access to the workspace (403), or no workspace of the
// configured slug is visible to it (404 on the first workspace call).
var ErrAuth = errors.New("authentication or authorization failed")

// Client is the part of the Mode REST client the crawl uses;
// *modeapi.Client implements it.
type Client interface {
	Verify(ctx context.Context) (*modeapi.Verify, error)
	Workspace(ctx context.Context, ws string) (*modeapi.Workspace, error)
	DataSources(ctx context.Context, ws string) ([]modeapi.DataSource, error)
	Definitions(ctx context.Context, ws string) ([]modeapi.Definition, error)
	Spaces(ctx context.Context, ws, filter string) ([]modeapi.Space, error)
	SpaceReports(ctx context.Context, ws, space string) ([]modeapi.Report, error)
	SpaceDatasets(ctx context.Context, ws, space string) ([]modeapi.Report, error)
	Report(ctx context.Context, ws, token string) (*modeapi.Report, error)
	ReportQueries(ctx context.Context, ws, report string) ([]modeapi.Query, error)
	QueryCharts(ctx context.Context, ws, report, query string) ([]modeapi.Chart, error)
	User(ctx context.Context, hrefOrUsername string) (*modeapi.User, error)
	Stats() modeapi.Stats
}

var _ Client = (*modeapi.Client)(nil)

// Sink receives records as the crawl produces them; *output.Writer
// implements it. Methods are called from several goroutines at once. An
// error from a Sink aborts the crawl (it means the output cannot be
// written).
type Sink interface {
	AddSpace(record.Space) error
	AddReport(record.Report) error
	AddDataset(record.Report) error
	AddQuery(record.Query) error
	AddChart(record.Chart) error
	AddDataSource(record.DataSource) error
	AddDefinition(record.Definition) error
	AddUser(record.User) error
	AddEdge(record.Edge) error
}

// Lineage builds the per-workspace SQL analyzer once the workspace's
// definitions and data sources are known.
type Lineage interface {
	Analyzer(defs []record.Definition, sources []record.DataSource) Analyzer
}

// Analyzer resolves lineage for one workspace. It must be safe for
// concurrent use.
type Analyzer interface {
	// Query fills q's lineage fields from q.RawSQL; problems become
	// warnings on q, never errors.
	Query(ctx context.Context, q *record.Query)
	// ChartFields returns the output columns a chart configuration uses.
	ChartFields(view, viewVegas json.RawMessage, outputColumns []string) []string
	// Edges returns the SQL and chart-field lineage edges of an analysed
	// query and its charts.
	Edges(q *record.Query, charts []record.Chart) []record.Edge
}

// Discovery is Mode's Discovery Database, the optional source of windowed
// popularity, query usage, reports the REST API cannot see and members.
// Every failure is turned into a warning by the crawl.
type Discovery interface {
	Popularity(ctx context.Context, now time.Time, windowDays int) (map[string]record.Popularity, error)
	QueryUsage(ctx context.Context, now time.Time, windowDays int) (map[string]record.QueryUsage, error)
	Reports(ctx context.Context, sources []record.DataSource) ([]record.Report, []record.Query, error)
	Users(ctx context.Context) ([]record.User, error)
	Info(ctx context.Context) record.DiscoveryInfo
}

// NoLineage is the Lineage used when SQL lineage is off: queries keep only
// their raw SQL and charts get no fields.
type NoLineage struct{}

// Analyzer implements Lineage.
func (NoLineage) Analyzer([]record.Definition, []record.DataSource) Analyzer { return noAnalyzer{} }

type noAnalyzer struct{}

func (noAnalyzer) Query(context.Context, *record.Query) {}

func (noAnalyzer) ChartFields(json.RawMessage, json.RawMessage, []string) []string { return nil }

func (noAnalyzer) Edges(*record.Query, []record.Chart) []record.Edge { return nil }

var _ Lineage = NoLineage{}

// Options configures a crawl. Start from DefaultOptions: the zero value of
// IncludePersonal and IncludeArchived means "exclude".
type Options struct {
	// Workspace is the workspace slug from the configuration. It alone
	// decides the URLs crawled; /api/verify's answer is only checked.
	Workspace string
	// BaseURL is Mode's web address (no /api), used to build record URLs
	// (default https://app.mode.com).
	BaseURL string
	// Concurrency is the number of report/dataset workers (default 8); up to
	// two collection listings run beside them. All requests share the
	// client's limiter, so this hides latency and never raises the rate.
	Concurrency int
	// IncludePersonal keeps personal collections (space_type "private").
	IncludePersonal bool
	// IncludeArchived keeps archived reports and datasets.
	IncludeArchived bool
	// IncludeCollections, when not empty, keeps only collections whose name
	// matches one of these.
	IncludeCollections []*regexp.Regexp
	// ExcludeCollections drops collections whose name matches one of these.
	ExcludeCollections []*regexp.Regexp
	// ExcludeReports drops reports and datasets by token or exact name,
	// before their queries are fetched (for pathologically large reports).
	ExcludeReports []string
	// ToolVersion is written to the manifest.
	ToolVersion string
	// Now is the clock (manifest timestamps, popularity window end).
	Now func() time.Time
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Lineage is the SQL lineage stage; nil means NoLineage.
	Lineage Lineage
	// Discovery is the Discovery Database; nil means not configured.
	Discovery Discovery
	// PopularityWindowDays is the Discovery Database popularity window
	// (default 90).
	PopularityWindowDays int
}

// DefaultOptions returns Options with modecrawl's defaults: personal
// collections and archived reports included, concurrency 8, a 90-day
// popularity window, no lineage and no Discovery Database.
func DefaultOptions() Options {
	return Options{
		BaseURL:              DefaultBaseURL,
		Concurrency:          DefaultConcurrency,
		IncludePersonal:      true,
		IncludeArchived:      true,
		Now:                  time.Now,
		PopularityWindowDays: DefaultPopularityWindowDays,
	}
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Lineage == nil {
		o.Lineage = NoLineage{}
	}
	if o.PopularityWindowDays <= 0 {
		o.PopularityWindowDays = DefaultPopularityWindowDays
	}
	return o
}
