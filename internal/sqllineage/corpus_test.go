package sqllineage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// corpusEntry is one golden lineage case from testdata/lineage/corpus (format
// in docs/lineage.md).
type corpusEntry struct {
	ID          string              `yaml:"id"`
	Dialect     string              `yaml:"dialect"`
	Definitions map[string]string   `yaml:"definitions"`
	Params      map[string]any      `yaml:"params"`
	Schema      map[string][]string `yaml:"schema"`
	SQL         string              `yaml:"sql"`
	Expect      struct {
		Tables  []string `yaml:"tables"`
		Columns []struct {
			Name       string   `yaml:"name"`
			Sources    []string `yaml:"sources"`
			Ambiguous  bool     `yaml:"ambiguous"`
			Candidates []string `yaml:"candidates"`
		} `yaml:"columns"`
	} `yaml:"expect"`
}

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

// needsRendering reports corpus entries that only the Liquid/definitions
// stage of internal/lineage can run.
func needsRendering(e *corpusEntry) bool {
	return len(e.Definitions) > 0 || len(e.Params) > 0 || strings.Contains(e.SQL, "{{") || strings.Contains(e.SQL, "{%")
}

func setKey(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func srcStrings(list []Source) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Table + "." + s.Column
	}
	return out
}

// diffEntry returns the differences between the analysis and the entry.
func diffEntry(e *corpusEntry, res Result) []string {
	var diffs []string
	var got []string
	for _, t := range res.Tables {
		got = append(got, t.Name)
	}
	if setKey(got) != setKey(e.Expect.Tables) {
		diffs = append(diffs, fmt.Sprintf("tables: got [%s], want [%s]", setKey(got), setKey(e.Expect.Tables)))
	}
	if len(res.Columns) != len(e.Expect.Columns) {
		var names []string
		for _, c := range res.Columns {
			names = append(names, c.Name)
		}
		diffs = append(diffs, fmt.Sprintf("columns: got %d %v, want %d", len(res.Columns), names, len(e.Expect.Columns)))
		return diffs
	}
	for i, w := range e.Expect.Columns {
		g := res.Columns[i]
		if g.Name != w.Name {
			diffs = append(diffs, fmt.Sprintf("column %d name: got %q, want %q", i, g.Name, w.Name))
		}
		if setKey(srcStrings(g.Sources)) != setKey(w.Sources) {
			diffs = append(diffs, fmt.Sprintf("column %s sources: got [%s], want [%s]", w.Name, setKey(srcStrings(g.Sources)), setKey(w.Sources)))
		}
		if g.Ambiguous != w.Ambiguous || setKey(srcStrings(g.Candidates)) != setKey(w.Candidates) {
			diffs = append(diffs, fmt.Sprintf("column %s ambiguity: got %v [%s], want %v [%s]", w.Name, g.Ambiguous,
				setKey(srcStrings(g.Candidates)), w.Ambiguous, setKey(w.Candidates)))
		}
	}
	return diffs
}

func loadCorpus(t *testing.T) []*corpusEntry {
	t.Helper()
	return loadCorpusFrom(t, "../../testdata/lineage/corpus")
}

// loadCorpusFrom reads every entry under dir/<dialect>/*.yaml.
func loadCorpusFrom(t *testing.T, dir string) []*corpusEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
	require.NoError(t, err)
	var out []*corpusEntry
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		e := &corpusEntry{}
		require.NoError(t, yaml.Unmarshal(b, e), f)
		out = append(out, e)
	}
	return out
}

// TestCorpus runs the golden corpus entries that need no template rendering
// through Analyze and requires the exact-match rate docs/lineage.md sets.
//
// SQLLINEAGE_CORPUS=dir runs another directory in the same layout instead
// (the unseen sets while they are being written).
func TestCorpus(t *testing.T) {
	entries := loadCorpus(t)
	if dir := os.Getenv("SQLLINEAGE_CORPUS"); dir != "" {
		entries = loadCorpusFrom(t, dir)
	}
	if len(entries) == 0 {
		t.Skip("no corpus entries yet")
	}
	exact, total := 0, 0
	for _, e := range entries {
		if needsRendering(e) {
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
