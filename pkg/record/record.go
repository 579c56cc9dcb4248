// Package record defines modecrawl's output contract: the records written to
// the output directory as JSON Lines, one file per entity, plus the manifest.
//
// These types are the project's only public API. Field names are snake_case
// and stable within a schema version; fields are added, never renamed, and a
// breaking change bumps SchemaVersion. docs/output.md documents every field.
package record

import "time"

// SchemaVersion is the version of the output contract written to manifest.json.
const SchemaVersion = "1"

// File names inside the output directory.
const (
	ManifestFile    = "manifest.json"
	SpacesFile      = "spaces.jsonl"
	ReportsFile     = "reports.jsonl"
	DatasetsFile    = "datasets.jsonl"
	QueriesFile     = "queries.jsonl"
	ChartsFile      = "charts.jsonl"
	DataSourcesFile = "data_sources.jsonl"
	DefinitionsFile = "definitions.jsonl"
	UsersFile       = "users.jsonl"
	LineageFile     = "lineage.jsonl"
)

// Entity kinds, used in manifest counts, errors and warnings.
const (
	KindWorkspace  = "workspace"
	KindSpace      = "space"
	KindReport     = "report"
	KindDataset    = "dataset"
	KindQuery      = "query"
	KindChart      = "chart"
	KindDataSource = "data_source"
	KindDefinition = "definition"
	KindUser       = "user"
	KindLineage    = "lineage"
	KindDiscovery  = "discovery_db"
)

// Space is a Mode collection (the API still calls them spaces).
type Space struct {
	Token       string  `json:"token"`
	ID          int64   `json:"id"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	// SpaceType is Mode's space_type: "custom" for shared collections,
	// "private" for a user's personal collection.
	SpaceType string `json:"space_type"`
	// Personal is true for personal collections (space_type "private").
	Personal bool `json:"personal"`
	// Restricted is true when Mode flags the collection restricted or its
	// default access level is "restricted" (Mode's restricted flag alone is
	// known to be always false).
	Restricted bool   `json:"restricted"`
	URL        string `json:"url"`
}

// Popularity is how much a report is used. Source says where the figures
// come from: "discovery_db" (windowed, from Mode's Discovery Database) or
// "rest_view_count" (Mode's lifetime view_count; WindowDays is then null).
type Popularity struct {
	Source        string     `json:"source"`
	WindowDays    *int       `json:"window_days"`
	Views         *int64     `json:"views"`
	Viewers       *int64     `json:"viewers"`
	LastViewedAt  *time.Time `json:"last_viewed_at"`
	Runs          *int64     `json:"runs"`
	ScheduledRuns *int64     `json:"scheduled_runs"`
	// Rank is 1 for the most viewed report of the workspace in the window.
	Rank *int `json:"rank"`
	// Percentile is the share of reports (0–100) viewed no more than this one.
	Percentile *float64 `json:"percentile"`
}

// Popularity sources.
const (
	PopularityDiscoveryDB   = "discovery_db"
	PopularityRESTViewCount = "rest_view_count"
)

// Report sources: where a report record was found.
const (
	SourceREST        = "rest"
	SourceDiscoveryDB = "discovery_db"
	SourceBoth        = "both"
)

// Report is a Mode report. Mode datasets (type DatasetReport) use the same
// record and are written to datasets.jsonl.
type Report struct {
	Token                 string      `json:"token"`
	ID                    int64       `json:"id"`
	Name                  *string     `json:"name"`
	Description           *string     `json:"description"`
	SpaceToken            string      `json:"space_token"`
	CreatedAt             *time.Time  `json:"created_at"`
	UpdatedAt             *time.Time  `json:"updated_at"`
	EditedAt              *time.Time  `json:"edited_at"`
	LastRunAt             *time.Time  `json:"last_run_at"`
	LastSuccessfullyRunAt *time.Time  `json:"last_successfully_run_at"`
	Archived              bool        `json:"archived"`
	ViewCount             *int64      `json:"view_count"`
	Creator               *string     `json:"creator"`
	URL                   string      `json:"url"`
	ImportedDatasetTokens []string    `json:"imported_dataset_tokens"`
	QueryTokens           []string    `json:"query_tokens"`
	Popularity            *Popularity `json:"popularity,omitempty"`
	Source                string      `json:"source,omitempty"`
	// SpaceName and SpaceType are the collection's name and type ("open",
	// "private", "personal") as the Discovery Database reports them, set on
	// reports found only there, whose collection the API may not list.
	SpaceName *string `json:"space_name,omitempty"`
	SpaceType string  `json:"space_type,omitempty"`
}

// QueryUsage is how often a query ran in the popularity window, from the
// Discovery Database's QUERY_RUNS.
type QueryUsage struct {
	WindowDays int   `json:"window_days"`
	Runs       int64 `json:"runs"`
	// FailedRuns is null when the share has no QUERY_RUNS.STATE column.
	FailedRuns           *int64     `json:"failed_runs"`
	LastRunAt            *time.Time `json:"last_run_at"`
	MedianRuntimeSeconds *float64   `json:"median_runtime_seconds"`
}

// Table is a physical warehouse table a query reads.
type Table struct {
	// Name is the table as written, quotes removed, parts joined by ".".
	Name string `json:"name"`
	// Qualified is Name completed with the data source's database and the
	// platform's default schema where that is certain; empty when unknown.
	Qualified string `json:"qualified,omitempty"`
	// Platform is the warehouse platform, e.g. "snowflake", "bigquery".
	Platform string `json:"platform,omitempty"`
}

// ColumnSource is one table column an output column reads.
type ColumnSource struct {
	Table  string `json:"table"`
	Column string `json:"column"`
}

// ColumnLineage is one output column of a query's final SELECT and the table
// columns its expression reads.
type ColumnLineage struct {
	Name    string         `json:"name"`
	Sources []ColumnSource `json:"sources"`
	// Ambiguous is true when a bare column could come from several tables and
	// no schema says which; Candidates then lists them.
	Ambiguous  bool           `json:"ambiguous,omitempty"`
	Candidates []ColumnSource `json:"candidates,omitempty"`
}

// Query is one SQL query of a report or dataset.
type Query struct {
	Token        string     `json:"token"`
	ID           int64      `json:"id"`
	Name         *string    `json:"name"`
	ParentToken  string     `json:"parent_token"`
	ParentKind   string     `json:"parent_kind"`
	DataSourceID *int64     `json:"data_source_id"`
	RawSQL       string     `json:"raw_sql"`
	CreatedAt    *time.Time `json:"created_at"`
	UpdatedAt    *time.Time `json:"updated_at"`
	URL          string     `json:"url"`

	// Lineage fields, filled by the lineage stage.
	Dialect           string          `json:"dialect,omitempty"`
	RenderedSQL       *string         `json:"rendered_sql,omitempty"`
	Params            map[string]any  `json:"params,omitempty"`
	DefinitionsUsed   []string        `json:"definitions_used,omitempty"`
	Tables            []Table         `json:"tables,omitempty"`
	Columns           []ColumnLineage `json:"columns,omitempty"`
	LineageConfidence *float64        `json:"lineage_confidence,omitempty"`
	LineageWarnings   []string        `json:"lineage_warnings,omitempty"`

	// Usage is filled from the Discovery Database when it is configured.
	Usage *QueryUsage `json:"usage,omitempty"`
	// Source says where the query was found: "rest" or "discovery_db".
	Source string `json:"source,omitempty"`
}

// Parent kinds of a query.
const (
	ParentReport  = "report"
	ParentDataset = "dataset"
)

// Chart is one chart (visualization) of a query.
type Chart struct {
	Token       string  `json:"token"`
	QueryToken  string  `json:"query_token"`
	ReportToken string  `json:"report_token"`
	Title       *string `json:"title"`
	ChartType   *string `json:"chart_type"`
	URL         string  `json:"url"`
	// Fields are the query output columns the chart uses, filled by the
	// lineage stage.
	Fields []string `json:"fields,omitempty"`
}

// DataSource is a Mode database connection.
type DataSource struct {
	ID       int64   `json:"id"`
	Token    string  `json:"token"`
	Name     *string `json:"name"`
	Adapter  string  `json:"adapter"`
	Platform string  `json:"platform"`
	Database *string `json:"database"`
	Host     *string `json:"host"`
}

// Definition is a Mode SQL definition, referenced as {{ @name }}.
type Definition struct {
	Token        string `json:"token"`
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	DataSourceID *int64 `json:"data_source_id"`
	// SQL has Mode's literal "\n"/"\t" escapes turned into real newlines and tabs.
	SQL string `json:"sql"`
}

// User is a Mode user seen as a creator (or, with the Discovery Database,
// as a workspace member).
type User struct {
	Username string  `json:"username"`
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	// Left is true when Mode answered 404 for the user (they left the workspace).
	Left bool `json:"left,omitempty"`
	// Discovery Database enrichment.
	MembershipState *string    `json:"membership_state,omitempty"`
	LastEngagedAt   *time.Time `json:"last_engaged_at,omitempty"`
}

// Node is one end of a lineage edge.
type Node struct {
	// Kind is one of "table", "query", "chart", "report", "dataset".
	Kind string `json:"kind"`
	// ID is the table name (qualified where known) or the Mode token.
	ID     string `json:"id"`
	Column string `json:"column,omitempty"`
}

// Node kinds.
const (
	NodeTable   = "table"
	NodeQuery   = "query"
	NodeChart   = "chart"
	NodeReport  = "report"
	NodeDataset = "dataset"
)

// Edge is one lineage edge: data flows from Source to Target.
type Edge struct {
	Source Node `json:"source"`
	Target Node `json:"target"`
	// Origin says how the edge was found, e.g. "mode_api" or "sql".
	Origin string `json:"origin"`
}

// Edge origins.
const (
	OriginModeAPI = "mode_api"
	OriginSQL     = "sql"
	OriginChart   = "chart_config"
)

// Issue is an error or warning about one item, listed in the manifest.
type Issue struct {
	Kind    string `json:"kind"`
	Token   string `json:"token,omitempty"`
	Message string `json:"message"`
}

// Requests counts the HTTP requests a crawl sent to Mode.
type Requests struct {
	Total       int64 `json:"total"`
	Retried     int64 `json:"retried"`
	RateLimited int64 `json:"rate_limited"`
}

// DiscoveryInfo says how the Discovery Database was used.
type DiscoveryInfo struct {
	Used bool `json:"used"`
	// Freshness is the latest view timestamp seen in REPORT_VIEWS.
	Freshness     *time.Time `json:"freshness"`
	WindowDays    int        `json:"window_days,omitempty"`
	MissingTables []string   `json:"missing_tables,omitempty"`
	Message       string     `json:"message,omitempty"`
}

// Manifest statuses.
const (
	StatusComplete = "complete"
	StatusPartial  = "partial"
)

// Manifest describes one crawl: what was written, what failed.
type Manifest struct {
	SchemaVersion string         `json:"schema_version"`
	ToolVersion   string         `json:"tool_version"`
	Workspace     string         `json:"workspace"`
	BaseURL       string         `json:"base_url"`
	StartedAt     time.Time      `json:"started_at"`
	FinishedAt    time.Time      `json:"finished_at"`
	Status        string         `json:"status"`
	Counts        map[string]int `json:"counts"`
	Requests      Requests       `json:"requests"`
	Errors        []Issue        `json:"errors"`
	Warnings      []Issue        `json:"warnings"`
	Discovery     *DiscoveryInfo `json:"discovery_db,omitempty"`
	// Warehouse ties the output to the warehouse: the configured Mode
	// connection (db_connection) and service user (db_username).
	Warehouse *Warehouse `json:"warehouse,omitempty"`
}

// Warehouse is the configured warehouse connection of a crawl.
type Warehouse struct {
	// DataSource is the Mode data source db_connection names; nil when it
	// names none.
	DataSource *DataSource `json:"data_source"`
	// DBUsername is the warehouse user Mode runs the connection's queries as.
	DBUsername string `json:"db_username,omitempty"`
	// Queries counts the queries written that run on that connection.
	Queries int `json:"queries"`
}
