package sqllineage

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/corpus"
)

// mapSchema adapts a corpus schema; keys match case-insensitively.
type mapSchema map[string][]string

func (m mapSchema) Columns(table string) ([]string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, table) {
			return v, true
		}
	}
	return nil, false
}

func srcStrings(list []Source) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Table + "." + s.Column
	}
	return out
}

// diffEntry compares an analysis with a corpus entry by the contract's
// "exact" rule.
func diffEntry(e *corpus.Entry, res Result) []string {
	got := corpus.Result{Tables: make([]string, len(res.Tables)), Columns: make([]corpus.Column, len(res.Columns))}
	for i, t := range res.Tables {
		got.Tables[i] = t.Name
	}
	for i, c := range res.Columns {
		got.Columns[i] = corpus.Column{Name: c.Name, Sources: srcStrings(c.Sources), Ambiguous: c.Ambiguous,
			Candidates: srcStrings(c.Candidates)}
	}
	return corpus.Diff(e, got)
}

func loadCorpus(t *testing.T, dir string) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load(dir)
	require.NoError(t, err)
	return entries
}

// TestCorpus runs the golden corpus entries that need no template rendering
// through Analyze and requires the exact-match rate docs/lineage.md sets.
//
// SQLLINEAGE_CORPUS=dir runs another directory in the same layout instead
// (the unseen sets while they are being written).
func TestCorpus(t *testing.T) {
	dir := "../../testdata/lineage/corpus"
	if d := os.Getenv("SQLLINEAGE_CORPUS"); d != "" {
		dir = d
	}
	entries := loadCorpus(t, dir)
	if len(entries) == 0 {
		t.Skip("no corpus entries yet")
	}
	exact, total := 0, 0
	for i := range entries {
		e := &entries[i]
		if e.NeedsRendering() {
			continue
		}
		total++
		d, ok := ParseDialect(e.Dialect)
		require.True(t, ok, e.ID)
		opts := Options{Dialect: d}
		if len(e.Schema) > 0 {
			opts.Schema = mapSchema(e.Schema)
		}
		res := Analyze(context.Background(), e.SQL, opts)
		diffs := diffEntry(e, res)
		if len(diffs) == 0 {
			exact++
			continue
		}
		t.Logf("%s: %s (warnings: %v)", e.ID, strings.Join(diffs, "; "), res.Warnings)
	}
	rate := float64(exact) / float64(total)
	t.Logf("corpus: %d/%d exact (%.1f%%)", exact, total, 100*rate)
	assert.GreaterOrEqual(t, rate, 0.98, "exact-match rate over the corpus entries that need no rendering")
}
