package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// The demo runs the fake Mode at its rate limit scaled ×10 in time (400
// requests per 10 s) and paces the client at 40 requests/s, so the whole
// sample workspace crawls in seconds while still exercising the limiter.
const (
	demoFakeLimit = 400
	demoRateLimit = 40
	demoUser      = "MODECRAWL_DEMO"
	demoPassword  = "demo-password"
)

// demoOptions are the inputs of `modecrawl demo`.
type demoOptions struct {
	out         io.Writer
	errOut      io.Writer
	outDir      string
	noDiscovery bool
	logLevel    string
}

func newDemoCommand(s streams, g *globalOptions, runF func(context.Context, *demoOptions) error) *cobra.Command {
	opts := &demoOptions{out: s.out, errOut: s.err}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Crawl the embedded sample workspace (no credentials, no network)",
		Long: `demo starts an embedded fake Mode with a sample workspace, and a fake Mode Discovery Database
seeded from the same workspace, both on 127.0.0.1. It runs the same sync code against them as
'modecrawl sync' runs against Mode, writes the output to --out and prints a summary.

` + demoExitStatusHelp,
		Example: `  modecrawl demo
  modecrawl demo --out /tmp/demo && head -n 3 /tmp/demo/reports.jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.logLevel = g.logLevel
			if opts.logLevel == "" {
				opts.logLevel = "warn"
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.outDir, "out", "./modecrawl-demo-out", "output directory")
	cmd.Flags().BoolVar(&opts.noDiscovery, "no-discovery", false, "run without the Discovery Database (popularity from view_count)")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions) error {
	applyMemoryLimit()
	ws := fakemode.Sample()
	now := time.Now().UTC()
	mode := fakemode.NewServer(ws, fakemode.WithRateLimit(demoFakeLimit, 10*time.Second))
	defer mode.Close()

	cfg := config.Defaults()
	cfg.Token, cfg.Secret = "demo-token", "demo-secret"
	cfg.Workspace = ws.Slug
	cfg.BaseURL = mode.URL()
	cfg.RateLimit = demoRateLimit
	cfg.Out = o.outDir
	cfg.LogLevel = o.logLevel

	if !o.noDiscovery {
		db, err := fakesnowflake.Open(ctx)
		if err != nil {
			return fmt.Errorf("start the demo Discovery Database: %w", err)
		}
		defer db.Close()
		if err := fakesnowflake.Seed(ctx, db, ws, now, fakesnowflake.SeedOptions{Seed: 1}); err != nil {
			return fmt.Errorf("seed the demo Discovery Database: %w", err)
		}
		snow := fakesnowflake.NewServer(db, fakesnowflake.WithCredentials(demoUser, demoPassword))
		defer snow.Close()
		cfg.Discovery.Account = "demo"
		cfg.Discovery.User = demoUser
		cfg.Discovery.Password = demoPassword
		cfg.Discovery.Host = snow.Host()
		cfg.Discovery.Port = snow.Port()
		cfg.Discovery.Protocol = "http"
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}

	fmt.Fprintf(o.out, "modecrawl demo: fake Mode at %s (workspace %q, limit %d requests per 10 s), client paced at %d requests/s\n",
		mode.URL(), ws.Slug, demoFakeLimit, demoRateLimit)
	logger := newLogger(o.errOut, cfg.LogLevel, cfg.LogFormat)
	res, err := doSync(ctx, cfg, logger)
	if err != nil {
		return err
	}
	printSummary(o.out, cfg, res)
	st := mode.Stats()
	fmt.Fprintf(o.out, "  fake Mode saw %d requests, at most %d in any 10-s window, %d answered 429\n",
		st.Total, st.MaxInWindow, st.RateLimited)
	if err := printDemoHighlights(o.out, cfg.Out); err != nil {
		return err
	}
	if res.Manifest.Status == record.StatusPartial {
		return errPartial
	}
	return nil
}

// printDemoHighlights reads the output back and shows what a catalog gets:
// the most popular reports and one query's lineage.
func printDemoHighlights(w io.Writer, dir string) error {
	var reports []record.Report
	if err := readJSONL(filepath.Join(dir, record.ReportsFile), func(b []byte) error {
		var r record.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		reports = append(reports, r)
		return nil
	}); err != nil {
		return err
	}
	views := func(r record.Report) int64 {
		if r.Popularity == nil || r.Popularity.Views == nil {
			return -1
		}
		return *r.Popularity.Views
	}
	sort.SliceStable(reports, func(i, j int) bool { return views(reports[i]) > views(reports[j]) })
	fmt.Fprintln(w, "\nMost popular reports:")
	for i, r := range reports {
		if i == 5 {
			break
		}
		name := "(unnamed)"
		if r.Name != nil {
			name = *r.Name
		}
		p := r.Popularity
		if p == nil {
			continue
		}
		window := "lifetime"
		if p.WindowDays != nil {
			window = fmt.Sprintf("%d days", *p.WindowDays)
		}
		fmt.Fprintf(w, "  %d. %-40s %5d views (%s)%s  source=%s\n", i+1, name, views(r), window, viewersText(p), r.Source)
	}

	var shown bool
	err := readJSONL(filepath.Join(dir, record.QueriesFile), func(b []byte) error {
		if shown {
			return nil
		}
		var q record.Query
		if err := json.Unmarshal(b, &q); err != nil {
			return err
		}
		if len(q.Tables) < 2 || len(q.Columns) == 0 {
			return nil
		}
		shown = true
		name := q.Token
		if q.Name != nil {
			name = *q.Name
		}
		fmt.Fprintf(w, "\nLineage of query %q (%s):\n  tables:", name, q.Dialect)
		for _, t := range q.Tables {
			fmt.Fprintf(w, " %s", t.Name)
		}
		fmt.Fprintln(w)
		for i, c := range q.Columns {
			if i == 6 {
				fmt.Fprintf(w, "  … %d more columns\n", len(q.Columns)-6)
				break
			}
			fmt.Fprintf(w, "  %-24s ←", c.Name)
			for _, s := range c.Sources {
				fmt.Fprintf(w, " %s.%s", s.Table, s.Column)
			}
			fmt.Fprintln(w)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nOutput: %s (see docs/output.md)\n", dir)
	return nil
}

func viewersText(p *record.Popularity) string {
	if p.Viewers == nil {
		return ""
	}
	return fmt.Sprintf(", %d viewers", *p.Viewers)
}

// readJSONL calls fn for each line of a JSON Lines file.
func readJSONL(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
	return sc.Err()
}
