package lineage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/modecrawl/modecrawl/internal/sqllineage"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// maxBatchLine bounds one JSONL input line; report SQL over 64 MiB is not
// SQL anyone wrote by hand.
const maxBatchLine = 64 << 20

// String summarizes the run for a person.
func (s BatchStats) String() string {
	return fmt.Sprintf("%d queries, %d bad input lines, %d with warnings", s.Lines, s.BadLines, s.WithWarnings)
}

// BatchStats counts what RunBatch did.
type BatchStats struct {
	// Lines is the number of non-empty input lines (one output line each).
	Lines int
	// BadLines is the number of lines that were not a valid input object.
	BadLines int
	// WithWarnings is the number of outputs that carry warnings.
	WithWarnings int
}

// batchInput is one JSONL input line.
type batchInput struct {
	ID          string            `json:"id"`
	Dialect     string            `json:"dialect"`
	SQL         string            `json:"sql"`
	Definitions map[string]string `json:"definitions"`
	Params      map[string]any    `json:"params"`
	Database    string            `json:"database"`
	Host        string            `json:"host"`
}

// batchTable, batchColumn and batchOutput are the JSONL output shape.
type batchTable struct {
	Name string `json:"name"`
	// Qualified is always present: null when nothing certain completes the name.
	Qualified *string `json:"qualified"`
}

type batchColumn struct {
	Name       string                `json:"name"`
	Sources    []record.ColumnSource `json:"sources"`
	Ambiguous  bool                  `json:"ambiguous"`
	Candidates []record.ColumnSource `json:"candidates,omitempty"`
}

type batchOutput struct {
	ID         string        `json:"id"`
	Tables     []batchTable  `json:"tables"`
	Columns    []batchColumn `json:"columns"`
	Confidence float64       `json:"confidence"`
	Warnings   []string      `json:"warnings"`

	bad bool
}

// RunBatch reads JSONL lines {"id","dialect","sql","definitions","params"}
// from r and writes one JSONL line per input to w, in input order. A bad
// line yields an output line with a warning; only read and write errors
// stop the run. Lines are analysed in parallel.
func RunBatch(ctx context.Context, r io.Reader, w io.Writer, opts Options) (BatchStats, error) {
	opts = opts.withDefaults()
	a := &Analyzer{opts: opts, render: newRenderer(opts.Now)}

	type job struct {
		line []byte
		n    int
		out  chan batchOutput
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job)
	// ordered carries results in input order to the writer; its buffer
	// bounds how far workers may run ahead of the writer.
	ordered := make(chan chan batchOutput, 4*workers)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- a.batchLine(ctx, j.line, j.n)
			}
		}()
	}

	var stats BatchStats
	// The writer owns warned and bad until it sends on writeErr.
	var warned, bad int
	writeErr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		var err error
		for ch := range ordered {
			o := <-ch
			if len(o.Warnings) > 0 {
				warned++
			}
			if o.bad {
				bad++
			}
			if err == nil {
				err = enc.Encode(o)
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			err = fmt.Errorf("write batch output: %w", err)
		}
		writeErr <- err
	}()

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxBatchLine)
	n := 0
	var readErr error
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		n++
		if len(line) == 0 {
			continue
		}
		if ctx.Err() != nil {
			readErr = ctx.Err()
			break
		}
		stats.Lines++
		ch := make(chan batchOutput, 1)
		ordered <- ch
		jobs <- job{line: bytes.Clone(line), n: n, out: ch}
	}
	if err := sc.Err(); err != nil && readErr == nil {
		readErr = fmt.Errorf("read batch input line %d: %w", n+1, err)
	}
	close(jobs)
	wg.Wait()
	close(ordered)
	err := <-writeErr
	stats.WithWarnings, stats.BadLines = warned, bad
	if err != nil {
		return stats, err
	}
	return stats, readErr
}

// batchLine analyses one input line.
func (a *Analyzer) batchLine(ctx context.Context, line []byte, n int) batchOutput {
	var in batchInput
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&in); err != nil {
		return batchOutput{
			ID: idFromBadLine(line, n), Tables: []batchTable{}, Columns: []batchColumn{},
			Warnings: []string{fmt.Sprintf("line %d: not a batch input object: %s", n, oneLine(err.Error()))},
			bad:      true,
		}
	}
	if in.ID == "" {
		in.ID = fmt.Sprintf("line-%d", n)
	}
	out := a.analyze(ctx, Input{
		ID: in.ID, Dialect: in.Dialect, SQL: in.SQL, Definitions: in.Definitions,
		Params: stringParams(in.Params), Database: in.Database, Host: in.Host,
	}, in.Definitions)
	return toBatchOutput(out)
}

// idFromBadLine salvages an id from a line that is not a valid input, so
// the output can still be matched to it.
func idFromBadLine(line []byte, n int) string {
	var probe struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(line, &probe) == nil && probe.ID != nil {
		return fmt.Sprint(probe.ID)
	}
	return fmt.Sprintf("line-%d", n)
}

// stringParams turns JSON parameter values into override strings; lists
// become comma-separated (multiselect overrides).
func stringParams(p map[string]any) map[string]string {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]string, len(p))
	for k, v := range p {
		switch x := v.(type) {
		case string:
			out[k] = x
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = fmt.Sprint(e)
			}
			out[k] = strings.Join(parts, ",")
		case nil:
			out[k] = ""
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

func toBatchOutput(out Output) batchOutput {
	b := batchOutput{
		ID: out.ID, Confidence: out.Confidence, Warnings: out.Warnings,
		Tables: make([]batchTable, len(out.Tables)), Columns: make([]batchColumn, len(out.Columns)),
	}
	if b.Warnings == nil {
		b.Warnings = []string{}
	}
	for i, t := range out.Tables {
		b.Tables[i] = batchTable{Name: t.Name}
		if t.Qualified != "" {
			b.Tables[i].Qualified = &t.Qualified
		}
	}
	for i, c := range out.Columns {
		b.Columns[i] = batchColumn{Name: c.Name, Sources: c.Sources, Ambiguous: c.Ambiguous, Candidates: c.Candidates}
	}
	return b
}

// WriteHuman prints out for a person debugging a report: dialect, the
// tables, then each output column with its sources, then warnings.
func WriteHuman(w io.Writer, out Output) error {
	var b strings.Builder
	fmt.Fprintf(&b, "query %s (dialect %s, confidence %.2f)\n", out.ID, out.Dialect, out.Confidence)
	if len(out.DefinitionsUsed) > 0 {
		fmt.Fprintf(&b, "definitions: %s\n", strings.Join(out.DefinitionsUsed, ", "))
	}
	if len(out.Params) > 0 {
		b.WriteString("params:\n")
		for _, k := range sortedKeys(out.Params) {
			fmt.Fprintf(&b, "  %s = %v\n", k, out.Params[k])
		}
	}
	fmt.Fprintf(&b, "tables (%d):\n", len(out.Tables))
	for _, t := range out.Tables {
		if t.Qualified != "" && t.Qualified != t.Name {
			fmt.Fprintf(&b, "  %s  (%s)\n", t.Name, t.Qualified)
		} else {
			fmt.Fprintf(&b, "  %s\n", t.Name)
		}
	}
	fmt.Fprintf(&b, "columns (%d):\n", len(out.Columns))
	for _, c := range out.Columns {
		switch {
		case c.Ambiguous:
			fmt.Fprintf(&b, "  %s <- ambiguous: one of %s\n", c.Name, joinSources(c.Candidates))
		case len(c.Sources) == 0:
			fmt.Fprintf(&b, "  %s <- (no table column)\n", c.Name)
		default:
			fmt.Fprintf(&b, "  %s <- %s\n", c.Name, joinSources(c.Sources))
		}
	}
	if len(out.Warnings) > 0 {
		b.WriteString("warnings:\n")
		for _, s := range out.Warnings {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write lineage report: %w", err)
	}
	return nil
}

func joinSources(src []record.ColumnSource) string {
	parts := make([]string, len(src))
	for i, s := range src {
		parts[i] = s.Table + "." + s.Column
	}
	return strings.Join(parts, ", ")
}

// Schema is a table → columns map with case-insensitive table lookup,
// read from a schema file by LoadSchema.
type Schema struct {
	tables map[string][]string // lower-cased table name → columns
}

var _ sqllineage.Schema = (*Schema)(nil)

// NewSchema builds a Schema from a {table: [columns]} map.
func NewSchema(tables map[string][]string) *Schema {
	s := &Schema{tables: make(map[string][]string, len(tables))}
	for t, cols := range tables {
		s.tables[strings.ToLower(t)] = cols
	}
	return s
}

// Columns implements sqllineage.Schema; table names match case-insensitively.
func (s *Schema) Columns(table string) ([]string, bool) {
	if s == nil {
		return nil, false
	}
	cols, ok := s.tables[strings.ToLower(table)]
	return cols, ok
}

// ErrSchemaFormat is returned by LoadSchema for a file that is not a
// {table: [columns]} map.
var ErrSchemaFormat = errors.New("schema file must map table names to lists of column names")

// LoadSchema reads a JSON or YAML schema file of the form
// {table: [columns]}. Table keys may be names or qualified names.
func LoadSchema(path string) (sqllineage.Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema file: %w", err)
	}
	var tables map[string][]string
	// YAML is a superset of JSON, so one decoder reads both.
	if err := yaml.Unmarshal(data, &tables); err != nil {
		return nil, fmt.Errorf("parse schema file %s: %w: %w", path, ErrSchemaFormat, err)
	}
	return NewSchema(tables), nil
}
