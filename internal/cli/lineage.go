package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/lineage"
)

// lineageOptions are the inputs of `modecrawl lineage`.
type lineageOptions struct {
	in          io.Reader
	out         io.Writer
	errOut      io.Writer
	file        string
	batchInput  string
	dialect     string
	definitions string
	params      []string
	schema      string
	database    string
	host        string
	jsonOut     bool
	timeout     time.Duration
}

func newLineageCommand(s streams, _ *globalOptions, runF func(context.Context, *lineageOptions) error) *cobra.Command {
	opts := &lineageOptions{in: s.in, out: s.out, errOut: s.err}
	cmd := &cobra.Command{
		Use:   "lineage [FILE]",
		Short: "Show the tables and columns a Mode query reads (for debugging a report's lineage)",
		Long: `lineage renders a Mode query the way modecrawl sync does (definitions, {% form %} defaults,
Liquid) and resolves the tables and columns it reads, in the dialect given. The SQL comes from FILE,
or standard input when FILE is omitted or "-".

Batch mode (--input FILE.jsonl, "-" for standard input) reads one JSON object per line,
{"id", "dialect", "sql", "definitions": {name: sql}, "params": {name: value}}, and writes one line per
input to standard output: {"id", "tables": [{"name", "qualified"}], "columns": [{"name", "sources":
[{"table", "column"}], "ambiguous"}], "confidence", "warnings"}. A bad line yields an output line with
a warning; it never stops the batch.

Dialects: snowflake, bigquery, postgres, redshift, mysql, databricks, trino, tsql, generic, or a
Mode adapter such as jdbc:snowflake.

` + lineageExitStatusHelp,
		Example: `  modecrawl lineage --dialect snowflake query.sql
  echo 'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id' | modecrawl lineage --dialect postgres --json
  modecrawl lineage --dialect bigquery --definitions defs.yaml --param start_date=2024-01-01 report.sql
  modecrawl lineage --input queries.jsonl > lineage.jsonl`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return &usageError{fmt.Errorf("%s takes at most one FILE, got %d", cmd.CommandPath(), len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.file = args[0]
			}
			if opts.batchInput != "" && opts.file != "" {
				return &usageError{fmt.Errorf("give either --input (batch) or a FILE, not both")}
			}
			if opts.batchInput == "" && opts.dialect == "" {
				return &usageError{fmt.Errorf("--dialect is required (snowflake, bigquery, postgres, redshift, mysql, databricks, trino, tsql, generic, or a Mode adapter like jdbc:snowflake)")}
			}
			if opts.timeout <= 0 {
				return &usageError{fmt.Errorf("--timeout must be positive")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLineage(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.batchInput, "input", "", "batch mode: JSON Lines file of queries (\"-\" for standard input)")
	f.StringVar(&opts.dialect, "dialect", "", "SQL dialect or Mode adapter")
	f.StringVar(&opts.definitions, "definitions", "", "JSON or YAML file of Mode definitions {name: sql}")
	f.StringArrayVar(&opts.params, "param", nil, "override a {% form %} parameter default, k=v (repeatable)")
	f.StringVar(&opts.schema, "schema", "", "JSON or YAML file {table: [columns]} to resolve ambiguous columns and SELECT *")
	f.StringVar(&opts.database, "database", "", "the data source's default database (to qualify table names)")
	f.StringVar(&opts.host, "host", "", "the data source's host (the project for BigQuery)")
	f.BoolVar(&opts.jsonOut, "json", false, "print JSON instead of text")
	f.DurationVar(&opts.timeout, "timeout", config.DefaultLineageTimeout, "parse time limit per query")
	return cmd
}

func runLineage(ctx context.Context, o *lineageOptions) error {
	lopts := lineage.Options{Timeout: o.timeout}
	if o.schema != "" {
		schema, err := lineage.LoadSchema(o.schema)
		if err != nil {
			return &usageError{fmt.Errorf("--schema: %w", err)}
		}
		lopts.Schema = schema
	}
	if o.batchInput != "" {
		r := o.in
		if o.batchInput != "-" {
			f, err := os.Open(o.batchInput)
			if err != nil {
				return &usageError{fmt.Errorf("--input: %w", err)}
			}
			defer f.Close()
			r = f
		}
		stats, err := lineage.RunBatch(ctx, r, o.out, lopts)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.errOut, "modecrawl lineage: %s\n", stats)
		return nil
	}

	sql, err := readSQL(o.in, o.file)
	if err != nil {
		return err
	}
	id := o.file
	if id == "" || id == "-" {
		id = "stdin"
	}
	in := lineage.Input{ID: id, Dialect: o.dialect, SQL: sql, Database: o.database, Host: o.host}
	if o.definitions != "" {
		defs, err := readDefinitions(o.definitions)
		if err != nil {
			return &usageError{fmt.Errorf("--definitions: %w", err)}
		}
		in.Definitions = defs
	}
	if len(o.params) > 0 {
		in.Params = map[string]string{}
		for _, kv := range o.params {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return &usageError{fmt.Errorf("--param %q: want name=value", kv)}
			}
			in.Params[k] = v
		}
	}
	out := lineage.Analyze(ctx, in, lopts)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.jsonOut {
		if out.Warnings == nil {
			out.Warnings = []string{}
		}
		enc := json.NewEncoder(o.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // SQL has < and >; keep it readable
		return enc.Encode(out)
	}
	return lineage.WriteHuman(o.out, out)
}

func readSQL(stdin io.Reader, file string) (string, error) {
	if file == "" || file == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		return string(b), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", &usageError{err}
	}
	return string(b), nil
}

// readDefinitions reads {name: sql} from a JSON or YAML file (JSON is YAML).
func readDefinitions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defs := map[string]string{}
	if err := yaml.Unmarshal(b, &defs); err != nil {
		return nil, fmt.Errorf("parse %s: want a map of definition name to SQL: %w", path, err)
	}
	return defs, nil
}
