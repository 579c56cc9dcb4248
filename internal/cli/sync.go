package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/crawl"
	"github.com/modecrawl/modecrawl/internal/discoverydb"
	"github.com/modecrawl/modecrawl/internal/lineage"
	"github.com/modecrawl/modecrawl/internal/output"
	"github.com/modecrawl/modecrawl/internal/version"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// syncOptions are the inputs of `modecrawl sync`.
type syncOptions struct {
	cfg    config.Config
	out    io.Writer
	errOut io.Writer
}

func newSyncCommand(s streams, g *globalOptions, runF func(context.Context, *syncOptions) error) *cobra.Command {
	var bindings []flagBinding
	opts := &syncOptions{out: s.out, errOut: s.err}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Crawl a Mode workspace and write the output directory",
		Long: `sync crawls one Mode workspace through the REST API (read-only, paced under Mode's rate
limit): collections including personal ones, reports, Mode datasets, queries, charts, data sources,
definitions and creators. It resolves SQL lineage and, when configured, reads the Mode Discovery
Database for windowed popularity and the reports the API can't see. Output goes to --out,
written atomically: a killed run never leaves a half-written set.

One failed item never stops the crawl: it is listed in manifest.json "errors" and sync exits 4.

` + exitStatusHelp,
		Example: `  export MODECRAWL_TOKEN=<key id> MODECRAWL_SECRET=<secret>
  modecrawl sync --workspace acme --out ./mode-metadata

  # only shared collections, skipping one huge report
  modecrawl sync --workspace acme --include-personal=false --exclude-report 0f1e2d3c4b5a

  # with the Discovery Database (password from MODECRAWL_DISCOVERY_PASSWORD)
  modecrawl sync --workspace acme --discovery-account xy12345.us-east-1 --discovery-user MODECRAWL`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g, bindings)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			opts.cfg = cfg
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSync(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	bindings = addConnectionFlags(f)
	bindings = append(bindings, addDiscoveryFlags(f)...)
	bindings = append(bindings, addCrawlFlags(f)...)
	return cmd
}

// addCrawlFlags defines the flags that shape a crawl's output.
func addCrawlFlags(f *pflag.FlagSet) []flagBinding {
	f.String("out", config.DefaultOut, "output directory (replaced atomically)")
	f.Int("concurrency", config.DefaultConcurrency, "concurrent workers, all under one rate limiter")
	f.String("db-connection", "", "the Mode data source (name, token or id) that connects to the cataloged warehouse")
	f.String("db-username", "", "the warehouse user Mode runs that connection's queries as")
	f.Bool("include-personal", true, "include personal collections")
	f.Bool("include-archived", true, "include archived reports")
	f.StringArray("collection-include", nil, "keep only collections whose name matches a regex (repeatable)")
	f.StringArray("collection-exclude", nil, "drop collections whose name matches a regex (repeatable)")
	f.StringArray("exclude-report", nil, "drop a report or dataset by token or exact name (repeatable)")
	f.Bool("lineage", true, "resolve SQL lineage")
	f.String("schema", "", "JSON/YAML {table: [columns]} resolving ambiguous columns and SELECT * over tables")
	f.Duration("lineage-timeout", config.DefaultLineageTimeout, "parse time limit per query")
	return []flagBinding{
		{"out", "out"}, {"concurrency", "concurrency"}, {"db-connection", "db_connection"},
		{"db-username", "db_username"}, {"include-personal", "include_personal"},
		{"include-archived", "include_archived"}, {"collection-include", "collection_include"},
		{"collection-exclude", "collection_exclude"}, {"exclude-report", "exclude_reports"},
		{"lineage", "lineage.enabled"}, {"schema", "lineage.schema"}, {"lineage-timeout", "lineage.timeout"},
	}
}

func runSync(ctx context.Context, o *syncOptions) error {
	applyMemoryLimit()
	logger := newLogger(o.errOut, o.cfg.LogLevel, o.cfg.LogFormat)
	res, err := doSync(ctx, o.cfg, logger)
	if err != nil {
		return err
	}
	printSummary(o.out, o.cfg, res)
	if res.Manifest.Status == record.StatusPartial {
		return errPartial
	}
	return nil
}

// syncResult is what one sync produced.
type syncResult struct {
	Manifest record.Manifest
	Duration time.Duration
}

// discoveryConfig maps the configuration to the Discovery Database's.
func discoveryConfig(d config.Discovery) discoverydb.Config {
	c := discoverydb.Config{
		Account: d.Account, User: d.User, Password: d.Password, PrivateKeyPath: d.PrivateKeyPath,
		Role: d.Role, Warehouse: d.Warehouse, Database: d.Database, Schema: d.Schema,
		Host: d.Host, Port: d.Port, Protocol: d.Protocol,
		LoginTimeout: d.LoginTimeout, QueryTimeout: d.QueryTimeout, WindowDays: d.WindowDays,
	}
	c.SetDefaults()
	return c
}

// doSync runs one crawl with cfg and commits the output directory. It is
// shared by `sync` and `demo`.
func doSync(ctx context.Context, cfg config.Config, logger *slog.Logger) (*syncResult, error) {
	start := time.Now()
	client, err := newModeClient(cfg, logger)
	if err != nil {
		return nil, err
	}
	include, exclude, err := cfg.CompileFilters()
	if err != nil {
		return nil, err
	}
	opts := crawl.DefaultOptions()
	opts.Workspace = cfg.Workspace
	opts.BaseURL = cfg.BaseURL
	opts.Concurrency = cfg.Concurrency
	opts.IncludePersonal = cfg.IncludePersonal
	opts.IncludeArchived = cfg.IncludeArchived
	opts.IncludeCollections = include
	opts.ExcludeCollections = exclude
	opts.ExcludeReports = cfg.ExcludeReports
	opts.ToolVersion = version.Version
	opts.Logger = logger
	opts.PopularityWindowDays = cfg.Discovery.WindowDays
	if cfg.Lineage.Enabled {
		lopts := lineage.Options{Timeout: cfg.Lineage.Timeout}
		if cfg.Lineage.Schema != "" {
			schema, err := lineage.LoadSchema(cfg.Lineage.Schema)
			if err != nil {
				return nil, &config.Error{Msg: fmt.Sprintf("lineage.schema: %v", err)}
			}
			lopts.Schema = schema
		}
		opts.Lineage = crawl.SQLLineage{Options: lopts}
	}

	var discErr error
	if cfg.Discovery.Enabled() {
		db, err := discoverydb.Open(ctx, discoveryConfig(cfg.Discovery))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			discErr = fmt.Errorf("open the Discovery Database: %w", err)
			logger.Warn("Discovery Database unavailable; popularity falls back to Mode's lifetime view_count", "error", discErr)
		} else {
			defer db.Close()
			opts.Discovery = db
		}
	}

	ow, err := output.Create(cfg.Out)
	if err != nil {
		return nil, fmt.Errorf("prepare output directory: %w", err)
	}
	w := &sourcesSink{Writer: ow}
	logger.Info("crawl started", "config", cfg)
	res, err := crawl.Run(ctx, client, w, opts)
	if err != nil {
		if aerr := w.Abort(); aerr != nil {
			logger.Warn("remove temporary output", "error", aerr)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	m := res.Manifest
	if discErr != nil {
		// The user asked for the Discovery Database and did not get it: the
		// output lacks windowed popularity, so the run is partial. One error
		// says so; the crawl itself ran on REST data alone.
		m.Errors = append(m.Errors, record.Issue{Kind: record.KindDiscovery, Message: discErr.Error()})
		m.Status = record.StatusPartial
		m.Discovery = &record.DiscoveryInfo{Used: false, WindowDays: cfg.Discovery.WindowDays,
			Message: "not used: it could not be opened (see errors); popularity is Mode's lifetime view_count"}
	}
	if cfg.DBConnection != "" || cfg.DBUsername != "" {
		m.Warehouse = warehouseInfo(cfg, w, &m)
	}
	if err := w.Commit(m); err != nil {
		return nil, fmt.Errorf("write output to %s: %w", cfg.Out, err)
	}
	return &syncResult{Manifest: m, Duration: time.Since(start)}, nil
}

// warehouseInfo resolves db_connection among the workspace's data sources
// and counts the queries that run on it; it warns when db_connection names
// no data source (a typo would silently tie nothing).
func warehouseInfo(cfg config.Config, w *sourcesSink, m *record.Manifest) *record.Warehouse {
	wh := &record.Warehouse{DBUsername: cfg.DBUsername}
	if cfg.DBConnection == "" {
		return wh
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ds := range w.sources {
		name := ""
		if ds.Name != nil {
			name = *ds.Name
		}
		if cfg.DBConnection == fmt.Sprint(ds.ID) || cfg.DBConnection == ds.Token || strings.EqualFold(cfg.DBConnection, name) {
			wh.DataSource = &ds
			wh.Queries = w.queriesBySource[ds.ID]
			return wh
		}
	}
	m.Warnings = append(m.Warnings, record.Issue{Kind: record.KindDataSource, Token: cfg.DBConnection,
		Message: "db_connection names no data source of the workspace (give its name, token or numeric id)"})
	return wh
}

// printSummary prints the human summary of a sync on stdout.
func printSummary(w io.Writer, cfg config.Config, res *syncResult) {
	m := res.Manifest
	fmt.Fprintf(w, "modecrawl: workspace %q → %s (%s) in %s\n", m.Workspace, cfg.Out, m.Status, res.Duration.Round(time.Millisecond))
	kinds := []string{record.KindSpace, record.KindReport, record.KindDataset, record.KindQuery, record.KindChart,
		record.KindDataSource, record.KindDefinition, record.KindUser, record.KindLineage}
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, m.Counts[k]))
	}
	fmt.Fprintf(w, "  records:  %s\n", strings.Join(parts, ", "))
	rate := 0.0
	if secs := m.FinishedAt.Sub(m.StartedAt).Seconds(); secs > 0 {
		rate = float64(m.Requests.Total) / secs
	}
	fmt.Fprintf(w, "  requests: %d to Mode (%.1f/s; %d retried, %d rate-limited)\n", m.Requests.Total, rate, m.Requests.Retried, m.Requests.RateLimited)
	if m.Discovery != nil {
		if m.Discovery.Used {
			fresh := "unknown"
			if m.Discovery.Freshness != nil {
				fresh = m.Discovery.Freshness.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "  discovery database: used, %d-day popularity, latest view %s\n", m.Discovery.WindowDays, fresh)
		} else {
			fmt.Fprintf(w, "  discovery database: not used: %s\n", m.Discovery.Message)
		}
	}
	fmt.Fprintf(w, "  issues:   %d errors, %d warnings (details in %s/manifest.json)\n", len(m.Errors), len(m.Warnings), cfg.Out)
	for i, e := range m.Errors {
		if i == 5 {
			fmt.Fprintf(w, "    … and %d more\n", len(m.Errors)-5)
			break
		}
		fmt.Fprintf(w, "    error %s %s: %s\n", e.Kind, e.Token, e.Message)
	}
}

// sourcesSink is the output writer, remembering the data sources that pass
// through it and counting queries per data source (for db_connection).
type sourcesSink struct {
	*output.Writer
	mu              sync.Mutex // guards sources and queriesBySource
	sources         []record.DataSource
	queriesBySource map[int64]int
}

func (s *sourcesSink) AddQuery(q record.Query) error {
	if q.DataSourceID != nil {
		s.mu.Lock()
		if s.queriesBySource == nil {
			s.queriesBySource = map[int64]int{}
		}
		s.queriesBySource[*q.DataSourceID]++
		s.mu.Unlock()
	}
	return s.Writer.AddQuery(q)
}

func (s *sourcesSink) AddDataSource(d record.DataSource) error {
	s.mu.Lock()
	s.sources = append(s.sources, d)
	s.mu.Unlock()
	return s.Writer.AddDataSource(d)
}

var _ crawl.Sink = (*sourcesSink)(nil)
