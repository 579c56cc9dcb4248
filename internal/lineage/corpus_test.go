package lineage

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// corpusDir is the golden lineage corpus at the repository root;
// unseenDir is the generalization set, written independently of the
// parser's tuning (see its README). Both must stay at least 98% exact.
var (
	corpusDir  = filepath.Join("..", "..", "testdata", "lineage", "corpus")
	unseenDir  = filepath.Join("..", "..", "testdata", "lineage", "unseen")
	unseen2Dir = filepath.Join("..", "..", "testdata", "lineage", "unseen2")
	unseen3Dir = filepath.Join("..", "..", "testdata", "lineage", "unseen3")
	rulesDir   = filepath.Join("..", "..", "testdata", "lineage", "rules")
)

// Corpus thresholds from docs/lineage.md and the project's test bar.
const (
	corpusMinEntries = 150
	corpusMinExact   = 0.98
)

type corpusColumn struct {
	Name       string   `yaml:"name"`
	Sources    []string `yaml:"sources"`
	Ambiguous  bool     `yaml:"ambiguous"`
	Candidates []string `yaml:"candidates"`
}

type corpusEntry struct {
	ID          string              `yaml:"id"`
	Dialect     string              `yaml:"dialect"`
	Description string              `yaml:"description"`
	Definitions map[string]string   `yaml:"definitions"`
	Params      map[string]any      `yaml:"params"`
	Schema      map[string][]string `yaml:"schema"`
	SQL         string              `yaml:"sql"`
	Expect      struct {
		Tables  []string       `yaml:"tables"`
		Columns []corpusColumn `yaml:"columns"`
	} `yaml:"expect"`

	path string
}

func (e corpusEntry) input() Input {
	return Input{ID: e.ID, Dialect: e.Dialect, SQL: e.SQL, Definitions: e.Definitions, Params: stringParams(e.Params)}
}

func (e corpusEntry) options() Options {
	o := Options{Now: fixedNow, Timeout: 10 * time.Second}
	if len(e.Schema) > 0 {
		o.Schema = NewSchema(e.Schema)
	}
	return o
}

// loadCorpus reads every corpus entry, sorted by id. A missing corpus
// directory gives an empty list.
func loadCorpus(tb testing.TB) []corpusEntry {
	tb.Helper()
	return loadCorpusDir(tb, corpusDir)
}

// loadCorpusDir reads every entry under dir, sorted by id.
func loadCorpusDir(tb testing.TB, dir string) []corpusEntry {
	tb.Helper()
	var entries []corpusEntry
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
		var e corpusEntry
		if err := yaml.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("parse corpus entry %s: %w", path, err)
		}
		e.path = path
		entries = append(entries, e)
		return nil
	})
	require.NoError(tb, err)
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	return entries
}

func foldSet(refs []string) []string {
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
	return out
}

func sourceRefs(src []record.ColumnSource) []string {
	out := make([]string, len(src))
	for i, s := range src {
		out[i] = s.Table + "." + s.Column
	}
	return out
}

// diffEntry compares an output with a corpus expectation per the "exact"
// rule of docs/lineage.md and returns the differences (none = exact).
func diffEntry(e corpusEntry, out Output) []string {
	var diffs []string
	gotTables := make([]string, len(out.Tables))
	for i, t := range out.Tables {
		gotTables[i] = t.Name
	}
	if g, w := foldSet(gotTables), foldSet(e.Expect.Tables); strings.Join(g, ",") != strings.Join(w, ",") {
		diffs = append(diffs, fmt.Sprintf("tables: got %v, want %v", g, w))
	}
	if len(out.Columns) != len(e.Expect.Columns) {
		got := make([]string, len(out.Columns))
		for i, c := range out.Columns {
			got[i] = c.Name
		}
		want := make([]string, len(e.Expect.Columns))
		for i, c := range e.Expect.Columns {
			want[i] = c.Name
		}
		return append(diffs, fmt.Sprintf("columns: got %d %v, want %d %v", len(got), got, len(want), want))
	}
	for i, w := range e.Expect.Columns {
		g := out.Columns[i]
		if g.Name != w.Name {
			diffs = append(diffs, fmt.Sprintf("column %d: name %q, want %q", i, g.Name, w.Name))
		}
		if gs, ws := foldSet(sourceRefs(g.Sources)), foldSet(w.Sources); strings.Join(gs, ",") != strings.Join(ws, ",") {
			diffs = append(diffs, fmt.Sprintf("column %s: sources %v, want %v", w.Name, gs, ws))
		}
		if g.Ambiguous != w.Ambiguous {
			diffs = append(diffs, fmt.Sprintf("column %s: ambiguous %v, want %v", w.Name, g.Ambiguous, w.Ambiguous))
		}
		if gc, wc := foldSet(sourceRefs(g.Candidates)), foldSet(w.Candidates); strings.Join(gc, ",") != strings.Join(wc, ",") {
			diffs = append(diffs, fmt.Sprintf("column %s: candidates %v, want %v", w.Name, gc, wc))
		}
	}
	return diffs
}

// TestCorpus runs the whole pipeline over the golden corpus and the
// unseen set and requires 98% of each to be exact.
func TestCorpus(t *testing.T) {
	for _, c := range []struct {
		name string
		dir  string
		min  int
	}{
		{"corpus", corpusDir, corpusMinEntries},
		{"unseen", unseenDir, 90},
		{"unseen2", unseen2Dir, 80},
		{"unseen3", unseen3Dir, 96},
		{"rules", rulesDir, 48},
	} {
		t.Run(c.name, func(t *testing.T) { runCorpus(t, c.dir, c.min) })
	}
}

func runCorpus(t *testing.T, dir string, minEntries int) {
	entries := loadCorpusDir(t, dir)
	if len(entries) == 0 {
		t.Skipf("no entries under %s", dir)
	}
	type score struct{ total, exact int }
	scores := map[string]*score{}
	var failures []string
	ids := map[string]bool{}
	for _, e := range entries {
		require.False(t, ids[e.ID], "duplicate corpus id %s", e.ID)
		ids[e.ID] = true
		require.Equal(t, e.ID, strings.TrimSuffix(filepath.Base(e.path), ".yaml"), "id must equal the file name")
		out := Analyze(context.Background(), e.input(), e.options())
		s := scores[e.Dialect]
		if s == nil {
			s = &score{}
			scores[e.Dialect] = s
		}
		s.total++
		if d := diffEntry(e, out); len(d) > 0 {
			failures = append(failures, fmt.Sprintf("%s:\n    %s\n    warnings: %v", e.ID, strings.Join(d, "\n    "), out.Warnings))
			continue
		}
		s.exact++
	}

	var b strings.Builder
	total, exact := 0, 0
	fmt.Fprintf(&b, "\n%-12s %6s %6s %7s\n", "dialect", "total", "exact", "exact%")
	for _, d := range sortedKeys(scores) {
		s := scores[d]
		total += s.total
		exact += s.exact
		fmt.Fprintf(&b, "%-12s %6d %6d %6.1f%%\n", d, s.total, s.exact, 100*float64(s.exact)/float64(s.total))
	}
	ratio := float64(exact) / float64(total)
	fmt.Fprintf(&b, "%-12s %6d %6d %6.1f%%\n", "all", total, exact, 100*ratio)
	t.Log(b.String())
	for i, f := range failures {
		if i == 10 {
			t.Logf("… and %d more failing entries", len(failures)-10)
			break
		}
		t.Logf("FAIL %s", f)
	}

	if total < minEntries {
		t.Errorf("%s has %d entries, want at least %d", dir, total, minEntries)
	}
	if ratio < corpusMinExact {
		t.Errorf("%d of %d corpus entries exact (%.1f%%), want at least %.0f%%", exact, total, 100*ratio, 100*corpusMinExact)
	}
}
