// Package cli wires modecrawl's commands (cobra) and configuration (viper).
// Commands are thin: RunE copies flags into an options struct and calls a
// run function; the work is done by the packages below. This is the only
// package that maps errors to exit codes and prints hints.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/modecrawl/modecrawl/internal/config"
)

// streams are the command's standard streams; tests pass buffers.
type streams struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// globalOptions are the persistent flags shared by every command.
type globalOptions struct {
	configFile string
	logLevel   string
	logFormat  string
}

// Execute runs modecrawl with args and returns the process exit code.
func Execute(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	s := streams{in: in, out: out, err: errw}
	root := newRootCommand(s)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	err := root.ExecuteContext(ctx)
	code, hint := exitCode(err)
	switch {
	case code == ExitInterrupted:
		fmt.Fprintln(errw, "modecrawl: interrupted")
	case code == ExitPartial:
		fmt.Fprintf(errw, "modecrawl: partial: %v\n", err)
	case err != nil:
		fmt.Fprintf(errw, "modecrawl: error: %v\n", err)
		if hint != "" {
			fmt.Fprintf(errw, "hint: %s\n", hint)
		}
	}
	return code
}

func newRootCommand(s streams) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "modecrawl",
		Short: "Extract metadata, lineage and popularity from a Mode workspace",
		Long: `modecrawl crawls a Mode (mode.com) workspace through its REST API, read-only and within
Mode's rate limit, optionally reads the Mode Discovery Database for 90-day popularity, resolves
lineage from warehouse tables and columns to queries, charts and reports, and writes normalized
JSON Lines plus a manifest.

Configuration comes from flags, then MODECRAWL_* environment variables, then the config file
(--config, default ./modecrawl.yaml), then defaults.

` + exitStatusHelp,
		Example: `  # Try it without credentials against the embedded sample workspace
  modecrawl demo

  # Crawl a workspace
  export MODECRAWL_TOKEN=<key id> MODECRAWL_SECRET=<secret>
  modecrawl sync --workspace acme --out ./mode-metadata

  # Check what the token can see
  modecrawl verify --workspace acme`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &usageError{fmt.Errorf("unknown command %q", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&g.configFile, "config", "", "config file (default ./modecrawl.yaml when present)")
	pf.StringVar(&g.logLevel, "log-level", "", "log level: debug, info, warn, error (default info)")
	pf.StringVar(&g.logFormat, "log-format", "", "log format: text or json (default text)")

	root.AddCommand(
		newSyncCommand(s, g, nil),
		newVerifyCommand(s, g, nil),
		newDemoCommand(s, g, nil),
		newLineageCommand(s, g, nil),
		newVersionCommand(s),
	)
	return root
}

// flagBinding ties a flag to a config key.
type flagBinding struct {
	flag string
	key  string
}

// connectionFlags are the flags of every command that talks to Mode.
func addConnectionFlags(fs *pflag.FlagSet) []flagBinding {
	fs.String("token", "", "Mode API token Key ID (env MODECRAWL_TOKEN; the secret comes from MODECRAWL_SECRET or the config file)")
	fs.String("workspace", "", "workspace slug, the name after app.mode.com/ (env MODECRAWL_WORKSPACE)")
	fs.String("base-url", config.DefaultBaseURL, "Mode base URL")
	fs.Float64("rate-limit", config.DefaultRateLimit, "Mode's rate limit for the token in requests per second; modecrawl paces just under it")
	fs.Duration("timeout", config.DefaultTimeout, "per-request timeout")
	fs.Int("max-retries", config.DefaultMaxRetries, "retries of a failed request (429, 5xx, reset, timeout) before its item is reported failed")
	return []flagBinding{
		{"token", "token"}, {"workspace", "workspace"}, {"base-url", "base_url"},
		{"rate-limit", "rate_limit"}, {"timeout", "timeout"}, {"max-retries", "max_retries"},
	}
}

func addDiscoveryFlags(fs *pflag.FlagSet) []flagBinding {
	fs.String("discovery-account", "", "Discovery Database Snowflake account (enables popularity)")
	fs.String("discovery-user", "", "Discovery Database user (password from MODECRAWL_DISCOVERY_PASSWORD)")
	fs.String("discovery-private-key-path", "", "Discovery Database key-pair auth: PEM private key file")
	fs.String("discovery-role", config.DefaultDiscoveryRole, "Discovery Database role")
	fs.String("discovery-warehouse", config.DefaultDiscoveryWarehouse, "Discovery Database warehouse")
	fs.String("discovery-database", config.DefaultDiscoveryDatabase, "Discovery Database database")
	fs.String("discovery-schema", config.DefaultDiscoverySchema, "Discovery Database schema")
	fs.String("discovery-host", "", "Discovery Database host override (PrivateLink, custom endpoints)")
	fs.Int("discovery-port", 0, "Discovery Database port override")
	fs.String("discovery-protocol", "", "Discovery Database protocol override (https or http)")
	fs.Int("popularity-window-days", config.DefaultPopularityWindowDays, "popularity window in days, ending at crawl time")
	return []flagBinding{
		{"discovery-account", "discovery.account"}, {"discovery-user", "discovery.user"},
		{"discovery-private-key-path", "discovery.private_key_path"}, {"discovery-role", "discovery.role"},
		{"discovery-warehouse", "discovery.warehouse"}, {"discovery-database", "discovery.database"},
		{"discovery-schema", "discovery.schema"}, {"discovery-host", "discovery.host"},
		{"discovery-port", "discovery.port"}, {"discovery-protocol", "discovery.protocol"},
		{"popularity-window-days", "discovery.popularity_window_days"},
	}
}

// loadConfig builds a fresh viper (defaults, env, file) with the command's
// flags bound, and decodes it.
func loadConfig(cmd *cobra.Command, g *globalOptions, bindings []flagBinding) (config.Config, error) {
	v := viper.New()
	config.SetDefaults(v)
	for _, b := range bindings {
		f := cmd.Flags().Lookup(b.flag)
		if f == nil {
			return config.Config{}, fmt.Errorf("internal: flag --%s is not defined", b.flag)
		}
		if err := v.BindPFlag(b.key, f); err != nil {
			return config.Config{}, fmt.Errorf("bind flag --%s: %w", b.flag, err)
		}
	}
	if g.logLevel != "" {
		v.Set("log_level", g.logLevel)
	}
	if g.logFormat != "" {
		v.Set("log_format", g.logFormat)
	}
	if err := config.ReadFile(v, g.configFile); err != nil {
		return config.Config{}, err
	}
	return config.Load(v)
}

// newLogger builds the stderr logger. Secrets never reach it: configs log
// through their redacting LogValue.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
