package lineage

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/corpus"
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
	unseen4Dir = filepath.Join("..", "..", "testdata", "lineage", "unseen4")
	rulesDir   = filepath.Join("..", "..", "testdata", "lineage", "rules")
)

// Corpus thresholds from docs/lineage.md and the project's test bar.
const (
	corpusMinEntries = 150
	corpusMinExact   = 0.98
)

// corpusEntry is one corpus query (format in docs/lineage.md).
type corpusEntry = corpus.Entry

// entryInput and entryOptions run an entry the way the batch command does.
func entryInput(e corpusEntry) Input {
	return Input{ID: e.ID, Dialect: e.Dialect, SQL: e.SQL, Definitions: e.Definitions, Params: stringParams(e.Params)}
}

func entryOptions(e corpusEntry) Options {
	o := Options{Now: fixedNow, Timeout: 10 * time.Second}
	if len(e.Schema) > 0 {
		o.Schema = NewSchema(e.Schema)
	}
	return o
}

// loadCorpus reads every golden corpus entry, sorted by id.
func loadCorpus(tb testing.TB) []corpusEntry {
	tb.Helper()
	return loadCorpusDir(tb, corpusDir)
}

// loadCorpusDir reads every entry under dir, sorted by id.
func loadCorpusDir(tb testing.TB, dir string) []corpusEntry {
	tb.Helper()
	entries, err := corpus.Load(dir)
	require.NoError(tb, err)
	return entries
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
	got := corpus.Result{Tables: make([]string, len(out.Tables)), Columns: make([]corpus.Column, len(out.Columns))}
	for i, t := range out.Tables {
		got.Tables[i] = t.Name
	}
	for i, c := range out.Columns {
		got.Columns[i] = corpus.Column{Name: c.Name, Sources: sourceRefs(c.Sources), Ambiguous: c.Ambiguous,
			Candidates: sourceRefs(c.Candidates)}
	}
	return corpus.Diff(&e, got)
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
		{"unseen4", unseen4Dir, 48},
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
		require.Equal(t, e.ID, strings.TrimSuffix(filepath.Base(e.Path), ".yaml"), "id must equal the file name")
		out := Analyze(context.Background(), entryInput(e), entryOptions(e))
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
