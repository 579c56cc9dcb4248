package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/discoverydb"
	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/internal/version"
)

// verifyOptions are the inputs of `modecrawl verify`.
type verifyOptions struct {
	cfg       config.Config
	out       io.Writer
	skipProbe bool
}

func newVerifyCommand(s streams, g *globalOptions, runF func(context.Context, *verifyOptions) error) *cobra.Command {
	var bindings []flagBinding
	opts := &verifyOptions{out: s.out}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check credentials and show what the token can and cannot see",
		Long: `verify checks the Mode API token against /api/verify, the workspace, its data sources,
definitions and collections (reading the first page of reports of every collection), and the
Discovery Database when configured. It prints what the token can and cannot see, with a hint per
failure. It only reads.

` + verifyExitStatusHelp,
		Example: `  MODECRAWL_TOKEN=<key id> MODECRAWL_SECRET=<secret> modecrawl verify --workspace acme`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, g, bindings)
			if err != nil {
				return err
			}
			if err := cfg.ValidateCredentials(); err != nil {
				return err
			}
			if err := cfg.ValidateSettings(); err != nil {
				return err
			}
			opts.cfg = cfg
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runVerify(cmd.Context(), opts)
		},
	}
	bindings = append(addConnectionFlags(cmd.Flags()), addDiscoveryFlags(cmd.Flags())...)
	cmd.Flags().BoolVar(&opts.skipProbe, "skip-collections", false, "do not read each collection's first report page")
	return cmd
}

// checkPrinter prints one aligned line per check.
type checkPrinter struct {
	w      io.Writer
	failed bool
	auth   bool
}

func (p *checkPrinter) ok(what, detail string) { fmt.Fprintf(p.w, "  ok    %-16s %s\n", what, detail) }
func (p *checkPrinter) warn(what, detail, hint string) {
	fmt.Fprintf(p.w, "  warn  %-16s %s\n", what, detail)
	if hint != "" {
		fmt.Fprintf(p.w, "        %-16s hint: %s\n", "", hint)
	}
}

func (p *checkPrinter) fail(what string, err error, hint string) {
	p.failed = true
	if modeapi.IsAuth(err) {
		p.auth = true
	}
	fmt.Fprintf(p.w, "  FAIL  %-16s %v\n", what, err)
	if hint != "" {
		fmt.Fprintf(p.w, "        %-16s hint: %s\n", "", hint)
	}
}

func apiStatus(err error) int {
	var api *modeapi.APIError
	if errors.As(err, &api) {
		return api.StatusCode
	}
	return 0
}

func runVerify(ctx context.Context, o *verifyOptions) error {
	cfg := o.cfg
	client, err := newModeClient(cfg, nil)
	if err != nil {
		return err
	}
	p := &checkPrinter{w: o.out}
	fmt.Fprintf(o.out, "Mode API %s, workspace %q, token %s\n", cfg.BaseURL, cfg.Workspace, cfg.Token)

	v, err := client.Verify(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		hint := "is base_url right? Mode is at " + config.DefaultBaseURL
		if apiStatus(err) == http.StatusUnauthorized {
			hint = "the Key ID or secret is wrong, or the token expired: create a new API token under Workspace Settings > API Keys"
		}
		p.fail("credentials", err, hint)
		return verifyResult(p, err)
	}
	p.ok("credentials", fmt.Sprintf("token accepted (token's workspace: %q)", v.Workspace))
	if v.Workspace != "" && v.Workspace != cfg.Workspace {
		p.warn("workspace", fmt.Sprintf("the token belongs to %q but the configuration says %q; modecrawl crawls %q", v.Workspace, cfg.Workspace, cfg.Workspace),
			"set --workspace to the slug after app.mode.com/ in your browser's address bar")
	}

	// The data source listing is the first workspace-scoped call, as in sync:
	// it decides whether the workspace exists and the token may read it.
	ds, err := client.DataSources(ctx, cfg.Workspace)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		hint := ""
		switch apiStatus(err) {
		case http.StatusNotFound:
			hint = fmt.Sprintf("no workspace %q is visible to this token: check the slug (the name after app.mode.com/)", cfg.Workspace)
		case http.StatusForbidden, http.StatusUnauthorized:
			hint = "the token cannot read this workspace: use a workspace API token of this workspace"
		}
		if hint != "" {
			p.fail("workspace", err, hint)
			return &authError{err: fmt.Errorf("workspace %q: %w", cfg.Workspace, err), hint: hint}
		}
		p.fail("data sources", err, "a member token needs View access on each connection; a workspace token sees all")
	} else {
		name := cfg.Workspace
		if ws, err := client.Workspace(ctx, cfg.Workspace); err == nil && ws.Name != nil && *ws.Name != "" {
			name = *ws.Name // display only: sync does not need this endpoint
		}
		p.ok("workspace", fmt.Sprintf("%s (%s)", cfg.Workspace, name))
		p.ok("data sources", fmt.Sprintf("%d visible", len(ds)))
	}
	if defs, err := client.Definitions(ctx, cfg.Workspace); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.fail("definitions", err, "")
	} else {
		p.ok("definitions", fmt.Sprintf("%d visible", len(defs)))
	}

	spaces, err := client.Spaces(ctx, cfg.Workspace, "all")
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.fail("collections", err, "")
		return verifyResult(p, err)
	}
	personal, restricted := 0, 0
	for _, sp := range spaces {
		if sp.SpaceType == "private" {
			personal++
		}
		if sp.Restricted || sp.DefaultAccessLevel == "restricted" {
			restricted++
		}
	}
	p.ok("collections", fmt.Sprintf("%d visible (%d personal, %d restricted)", len(spaces), personal, restricted))
	if !o.skipProbe {
		if err := probeSpaces(ctx, client, cfg.Workspace, spaces, p); err != nil {
			return err
		}
	}
	verifyDiscovery(ctx, cfg, p)
	if p.failed {
		return verifyResult(p, errors.New("some checks failed (see above)"))
	}
	fmt.Fprintln(o.out, "All checks passed.")
	return nil
}

// probeSpaces reads the first report page of every collection, concurrently
// under the client's one limiter, and reports those the token cannot read.
func probeSpaces(ctx context.Context, client *modeapi.Client, ws string, spaces []modeapi.Space, p *checkPrinter) error {
	type failure struct {
		name string
		err  error
	}
	var (
		mu       sync.Mutex // guards failures
		failures []failure
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, sp := range spaces {
		g.Go(func() error {
			if _, err := client.SpaceReports(gctx, ws, sp.Token); err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				name := sp.Token
				if sp.Name != nil {
					name = fmt.Sprintf("%q (%s)", *sp.Name, sp.Token)
				}
				mu.Lock()
				failures = append(failures, failure{name, err})
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].name < failures[j].name })
	for _, f := range failures {
		hint := ""
		if modeapi.IsAuth(f.err) {
			hint = "a member token sees only what its user can: grant View on this collection or use a workspace API token"
		}
		p.fail("collection", fmt.Errorf("%s: %w", f.name, f.err), hint)
	}
	if len(failures) == 0 {
		p.ok("reports", fmt.Sprintf("readable in all %d collections", len(spaces)))
	}
	return nil
}

func verifyResult(p *checkPrinter, err error) error {
	if p.auth {
		return &authError{err: err, hint: "see the hints above"}
	}
	return fmt.Errorf("verification failed: %w", err)
}

// newModeClient builds the Mode REST client from the configuration.
func newModeClient(cfg config.Config, logger *slog.Logger) (*modeapi.Client, error) {
	opts := []modeapi.Option{
		modeapi.WithRateLimit(cfg.RateLimit),
		modeapi.WithTimeout(cfg.Timeout),
		modeapi.WithRetry(cfg.MaxRetries, cfg.RetryWaitMin, cfg.RetryWaitMax),
		modeapi.WithUserAgent(version.UserAgent()),
	}
	if logger != nil {
		opts = append(opts, modeapi.WithLogger(logger))
	}
	client, err := modeapi.New(cfg.BaseURL, modeapi.Credentials{Token: cfg.Token, Secret: cfg.Secret}, opts...)
	if err != nil {
		return nil, &config.Error{Msg: fmt.Sprintf("configure Mode client: %v", err)}
	}
	return client, nil
}

// verifyDiscovery logs in to the Discovery Database when configured and
// lists which of the tables and columns modecrawl reads exist.
func verifyDiscovery(ctx context.Context, cfg config.Config, p *checkPrinter) {
	if !cfg.Discovery.Enabled() {
		p.ok("discovery db", "not configured: popularity will be Mode's lifetime view_count (set discovery.account for 90-day popularity)")
		return
	}
	db, err := discoverydb.Open(ctx, discoveryConfig(cfg.Discovery))
	if err != nil {
		p.failed = true
		var login *discoverydb.LoginError
		if errors.As(err, &login) {
			p.auth = true // verify exits 3: the login was refused or never answered
		}
		fmt.Fprintf(p.w, "  FAIL  %-16s %v\n", "discovery db", err)
		fmt.Fprintf(p.w, "        %-16s hint: check discovery.account/user and MODECRAWL_DISCOVERY_PASSWORD (or private_key_path), and that role %s may use warehouse %s\n",
			"", cfg.Discovery.Role, cfg.Discovery.Warehouse)
		return
	}
	defer db.Close()
	caps := db.Check(ctx)
	present := make([]string, 0, len(caps.Tables))
	for t, ok := range caps.Tables {
		if ok {
			present = append(present, t)
		}
	}
	sort.Strings(present)
	ids := "numeric ids"
	if caps.IDsAreTokens {
		ids = "12-hex tokens"
	}
	p.ok("discovery db", fmt.Sprintf("logged in; tables present: %s; ids are %s", strings.Join(present, ", "), ids))
	if caps.Freshness != nil {
		p.ok("freshness", "latest report view "+caps.Freshness.UTC().Format(time.RFC3339))
	}
	if len(caps.Missing) > 0 {
		p.warn("discovery db", "missing (features that need them are skipped): "+strings.Join(caps.Missing, ", "),
			"ask Mode support whether the share includes these, or grant the role access to them")
	}
}
