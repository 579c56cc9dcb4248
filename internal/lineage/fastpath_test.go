package lineage

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// liquidOnlyAnalyze runs the pipeline with every fast path off: all
// templates go through the Liquid engine.
func liquidOnlyAnalyze(ctx context.Context, in Input, opts Options) Output {
	opts = opts.withDefaults()
	r := newRenderer(opts.Now)
	r.liquidOnly = true
	a := &Analyzer{opts: opts, render: r}
	return a.analyze(ctx, in, in.Definitions)
}

// TestFastPathMatchesLiquidOnCorpus requires the fast paths and the plain
// Liquid engine to give the same Output for every corpus entry, and the fast
// path to be taken for the plain-variable templates the corpus has.
func TestFastPathMatchesLiquidOnCorpus(t *testing.T) {
	entries := loadCorpus(t)
	if len(entries) == 0 {
		t.Skip("no corpus under testdata/lineage/corpus yet")
	}
	ctx := context.Background()
	fast := 0
	for _, e := range entries {
		t.Run(e.ID, func(t *testing.T) {
			in, opts := e.input(), e.options()
			assert.Equal(t, liquidOnlyAnalyze(ctx, in, opts), Analyze(ctx, in, opts))

			// Count the entries whose body is rendered without the engine.
			r := newRenderer(fixedNow)
			sql, _, _ := ExpandDefinitions(in.SQL, in.Definitions)
			sql, params, _ := r.extractForms(ctx, sql)
			bindings, _ := bindParams(params, in.Params)
			if _, ok := renderSimple(ctx, sql, bindings); ok && strings.Contains(sql, "{{") {
				fast++
			}
		})
	}
	t.Logf("%d of %d corpus entries rendered by the fast path", fast, len(entries))
	assert.GreaterOrEqual(t, fast, 20, "the fast path should cover the corpus's plain {{ var }} templates")
}

// TestRenderSimple checks the engine-free renderer against the Liquid engine:
// where it accepts a template the output must be identical; templates it
// cannot render exactly must be declined.
func TestRenderSimple(t *testing.T) {
	bindings := map[string]any{
		"s": "2024-01-01", "n": 42, "neg": -7, "yes": true, "no": false,
		"f": 1.5, "list": []any{"EU", "US"}, "m": map[string]any{"a": 1},
		"and": "x", "true": "x", "in": "x", "empty": "x", "with_digit9": "d", "_u": "u",
	}
	tests := []struct {
		name   string
		src    string
		accept bool
	}{
		{"string", "SELECT * FROM t WHERE d >= '{{ s }}'", true},
		{"int", "SELECT {{n}}, {{ neg }}", true},
		{"bool", "SELECT {{ yes }}, {{ no }}", true},
		{"undefined renders empty", "SELECT '{{ missing }}' AS x", true},
		{"tabs and spaces", "SELECT {{\tn \t}}", true},
		{"digits and underscores", "SELECT '{{ with_digit9 }}{{ _u }}'", true},
		{"stray closing braces", "SELECT '}}' AS x, '{{ s }}}' AS y", true},
		{"no tags", "SELECT 1", true},
		{"float needs liquid", "SELECT {{ f }}", false},
		{"list needs liquid", "SELECT {{ list }}", false},
		{"map needs liquid", "SELECT {{ m }}", false},
		{"filter", "SELECT '{{ s | upcase }}'", false},
		{"whitespace control", "SELECT\n  {{- s -}}  ", false},
		{"dotted", "SELECT {{ m.a }}", false},
		{"dash in name", "SELECT {{ a-b }}", false},
		{"operator word", "SELECT {{ and }}", false},
		{"in keyword", "SELECT {{ in }}", false},
		{"literal keyword", "SELECT {{ true }}", false},
		{"empty keyword", "SELECT {{ empty }}", false},
		{"line break inside", "SELECT {{ s\n}}", false},
		{"unterminated", "SELECT {{ s FROM t", false},
		{"triple braces", "SELECT {{{ s }}}", false},
		{"empty output", "SELECT {{ }}", false},
		{"block tag", "SELECT {% if yes %}1{% endif %}", false},
		{"comment tag", "SELECT 1 {% comment %}{{ s }}{% endcomment %}", false},
	}
	ctx := context.Background()
	r := newRenderer(fixedNow)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := renderSimple(ctx, tc.src, bindings)
			require.Equal(t, tc.accept, ok, "fast path acceptance")
			if !ok {
				return
			}
			want, err := r.renderLiquid(ctx, tc.src, bindings)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// TestRenderSimpleCancelled declines a cancelled render, so the engine path
// reports the time limit as it always has.
func TestRenderSimpleCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok := renderSimple(ctx, "SELECT '{{ s }}'", map[string]any{"s": "x"})
	assert.False(t, ok)
}
