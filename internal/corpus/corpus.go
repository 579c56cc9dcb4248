// Package corpus reads modecrawl's lineage corpora (testdata/lineage/*, one
// YAML entry per query; the format is in docs/lineage.md) and compares an
// analysis with an entry by the contract's "exact" rule. The lineage and
// sqllineage tests share it, so both judge answers the same way.
package corpus

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Column is one expected (or analysed) output column. Sources and
// candidates are "table.column" strings, split at the last dot.
type Column struct {
	Name       string   `yaml:"name"`
	Sources    []string `yaml:"sources"`
	Ambiguous  bool     `yaml:"ambiguous"`
	Candidates []string `yaml:"candidates"`
}

// Entry is one corpus query with its expected answer.
type Entry struct {
	ID          string              `yaml:"id"`
	Dialect     string              `yaml:"dialect"`
	Description string              `yaml:"description"`
	Definitions map[string]string   `yaml:"definitions"`
	Params      map[string]any      `yaml:"params"`
	Schema      map[string][]string `yaml:"schema"`
	SQL         string              `yaml:"sql"`
	Expect      Result              `yaml:"expect"`
	// Path is the file the entry was read from.
	Path string `yaml:"-"`
}

// Result is an answer in comparable form: table names and output columns.
type Result struct {
	Tables  []string `yaml:"tables"`
	Columns []Column `yaml:"columns"`
}

// NeedsRendering reports whether the entry needs the Mode template stage
// (definitions, parameters or Liquid tags) before its SQL can be parsed.
func (e *Entry) NeedsRendering() bool {
	return len(e.Definitions) > 0 || len(e.Params) > 0 ||
		strings.Contains(e.SQL, "{{") || strings.Contains(e.SQL, "{%")
}

// Load reads every .yaml entry below dir, sorted by id. A missing
// directory gives no entries.
func Load(dir string) ([]Entry, error) {
	var entries []Entry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".yaml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var e Entry
		if err := yaml.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("parse corpus entry %s: %w", path, err)
		}
		e.Path = path
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	return entries, nil
}

// foldSet lower-cases, dedupes and sorts: tables, sources and candidates
// compare as case-insensitive sets.
func foldSet(refs []string) string {
	seen := map[string]bool{}
	out := []string{}
	for _, r := range refs {
		k := strings.ToLower(r)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return "[" + strings.Join(out, ", ") + "]"
}

// Diff compares got with the entry's expectation by the "exact" rule of
// docs/lineage.md: tables as a case-insensitive set; columns in order, names
// exactly, sources and candidates as case-insensitive sets, the ambiguous
// flag. It returns the differences; none means exact.
func Diff(e *Entry, got Result) []string {
	var diffs []string
	if g, w := foldSet(got.Tables), foldSet(e.Expect.Tables); g != w {
		diffs = append(diffs, fmt.Sprintf("tables: got %s, want %s", g, w))
	}
	if len(got.Columns) != len(e.Expect.Columns) {
		names := func(cs []Column) []string {
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = c.Name
			}
			return out
		}
		return append(diffs, fmt.Sprintf("columns: got %d %v, want %d %v",
			len(got.Columns), names(got.Columns), len(e.Expect.Columns), names(e.Expect.Columns)))
	}
	for i, w := range e.Expect.Columns {
		g := got.Columns[i]
		if g.Name != w.Name {
			diffs = append(diffs, fmt.Sprintf("column %d: name %q, want %q", i, g.Name, w.Name))
		}
		if gs, ws := foldSet(g.Sources), foldSet(w.Sources); gs != ws {
			diffs = append(diffs, fmt.Sprintf("column %s: sources %s, want %s", w.Name, gs, ws))
		}
		if g.Ambiguous != w.Ambiguous {
			diffs = append(diffs, fmt.Sprintf("column %s: ambiguous %v, want %v", w.Name, g.Ambiguous, w.Ambiguous))
		}
		if gc, wc := foldSet(g.Candidates), foldSet(w.Candidates); gc != wc {
			diffs = append(diffs, fmt.Sprintf("column %s: candidates %s, want %s", w.Name, gc, wc))
		}
	}
	return diffs
}
