package corpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiff(t *testing.T) {
	e := &Entry{Expect: Result{
		Tables: []string{"Raw.Orders", "raw.customers"},
		Columns: []Column{
			{Name: "ORDER_ID", Sources: []string{"raw.orders.id"}},
			{Name: "REGION", Ambiguous: true, Candidates: []string{"raw.orders.region", "raw.customers.region"}},
		},
	}}
	exact := Result{
		Tables: []string{"raw.customers", "raw.orders", "RAW.ORDERS"},
		Columns: []Column{
			{Name: "ORDER_ID", Sources: []string{"RAW.ORDERS.ID"}},
			{Name: "REGION", Ambiguous: true, Candidates: []string{"raw.customers.region", "raw.orders.region"}},
		},
	}
	assert.Empty(t, Diff(e, exact), "case-insensitive sets, duplicates ignored")

	tests := []struct {
		name   string
		mutate func(*Result)
		want   string
	}{
		{"missing table", func(r *Result) { r.Tables = []string{"raw.orders"} }, "tables"},
		{"extra table", func(r *Result) { r.Tables = append(r.Tables, "raw.items") }, "tables"},
		{"name case", func(r *Result) { r.Columns[0].Name = "order_id" }, "name"},
		{"missing source", func(r *Result) { r.Columns[0].Sources = nil }, "sources"},
		{"not ambiguous", func(r *Result) { r.Columns[1].Ambiguous = false }, "ambiguous"},
		{"wrong candidates", func(r *Result) { r.Columns[1].Candidates = r.Columns[1].Candidates[:1] }, "candidates"},
		{"column count", func(r *Result) { r.Columns = r.Columns[:1] }, "columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Result{Tables: append([]string(nil), exact.Tables...), Columns: append([]Column(nil), exact.Columns...)}
			tt.mutate(&got)
			d := Diff(e, got)
			require.NotEmpty(t, d)
			assert.Contains(t, d[0], tt.want)
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "postgres"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "postgres", "b.yaml"),
		[]byte("id: b\ndialect: postgres\nsql: select 1\nexpect:\n  tables: []\n  columns: []\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "postgres", "a.yaml"),
		[]byte("id: a\ndialect: postgres\nsql: select {{ x }}\nexpect: {tables: [t]}\n"), 0o600))
	entries, err := Load(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "a", entries[0].ID, "sorted by id")
	assert.True(t, entries[0].NeedsRendering())
	assert.False(t, entries[1].NeedsRendering())

	none, err := Load(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	assert.Empty(t, none)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "postgres", "bad.yaml"), []byte("id: [\n"), 0o600))
	_, err = Load(dir)
	assert.ErrorContains(t, err, "bad.yaml")
}
