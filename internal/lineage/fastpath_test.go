package lineage

import (
	"context"
	"fmt"
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
			in, opts := entryInput(e), entryOptions(e)
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

// undefinedVariablesRegexp is the regexp formulation undefinedVariables
// replaced; the byte scan must give the same warnings.
func undefinedVariablesRegexp(src string, bindings map[string]any) []string {
	src = liquidVerbatim.ReplaceAllString(src, "")
	assigned := map[string]bool{"forloop": true, "tablerowloop": true}
	for _, m := range liquidAssigned.FindAllStringSubmatch(src, -1) {
		assigned[m[1]] = true
	}
	seen := map[string]bool{}
	var warnings []string
	for _, m := range liquidOutput.FindAllStringSubmatch(src, -1) {
		root := liquidRootVar.FindString(m[1])
		if root == "" || liquidKeywords[root] || assigned[root] || seen[root] {
			continue
		}
		if _, ok := bindings[root]; ok {
			continue
		}
		if strings.Contains(m[1], "default") {
			continue
		}
		seen[root] = true
		warnings = append(warnings, fmt.Sprintf("undefined variable %q rendered as empty", root))
	}
	return warnings
}

// TestUndefinedVariablesScan checks the byte scan against the regexps on
// the corpus, the large benchmark template and tricky spellings.
func TestUndefinedVariablesScan(t *testing.T) {
	srcs := []string{
		"{{ a }} {{- b -}} {{c}} {{ d | default: 1 }} {{ true }} {{ e.f }} {{ g-h }}",
		"{% assign x = 1 %}{{ x }}{%- capture y -%}1{% endcapture %}{{ y }}{% format z %}{{ z }}",
		"{%for i in (1..3)%}{{ i }}{{ forloop.index }}{% endfor %}{{ i }}",
		"{% raw %}{{ hidden }}{% endraw %}{% COMMENT %}{{ gone }}{% endcomment %}{{ shown }}",
		"{{ a {{ b }} {{ c", "{{-}} {{}} {{ }} {{ -}} {{--x}} {{\n  multi\n  line }}",
		"{%raw{{ q }}", "{{ \t_u9 }} {{ 9x }} {% cycle c1 %}{{ c1 }}{%\tincrement n %}{{ n }}",
		"raw.refunds {{ r }} comment {{ r }}",
	}
	for _, e := range loadCorpus(t) {
		srcs = append(srcs, e.SQL)
	}
	big, _ := bigTemplate(1 << 16)
	srcs = append(srcs, big)
	bindings := map[string]any{"a": 1, "start": "x"}
	for i, src := range srcs {
		assert.Equal(t, undefinedVariablesRegexp(src, bindings), undefinedVariables(src, bindings), "source %d: %q", i, oneLine(src))
	}
}

// FuzzRenderFastPaths checks the byte scans and the engine-free renderer
// against the regexps and the Liquid engine on arbitrary templates.
func FuzzRenderFastPaths(f *testing.F) {
	for _, s := range []string{"SELECT '{{ s }}'", "{{ a }}}{{ n}}", "{% assign x = 1 %}{{ x }}", "{{- a -}}{{ b | default: 1 }}"} {
		f.Add(s)
	}
	bindings := map[string]any{"s": "v", "n": 3, "b": true, "a": "x"}
	r := newRenderer(fixedNow)
	f.Fuzz(func(t *testing.T, src string) {
		assert.Equal(t, undefinedVariablesRegexp(src, bindings), undefinedVariables(src, bindings))
		got, ok := renderSimple(context.Background(), src, bindings)
		if !ok {
			return
		}
		want, err := r.renderLiquid(context.Background(), src, bindings)
		if assert.NoError(t, err, "fast path accepted a template Liquid rejects") {
			assert.Equal(t, want, got)
		}
	})
}
