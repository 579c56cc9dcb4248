package lineage

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// fixedNow is the clock of every test: golden files must not change daily.
func fixedNow() time.Time { return time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC) }

// golden compares got (a string as is, anything else as indented JSON) with testdata/name,
// rewriting the file under -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	if s, ok := got.(string); ok {
		buf.WriteString(s)
	} else {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(got))
	}
	data := buf.Bytes()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./internal/lineage -update")
	assert.Equal(t, string(want), string(data), "golden %s differs; rerun with -update if intended", name)
}

func TestExpandDefinitions(t *testing.T) {
	defs := map[string]string{
		"orders_clean": "SELECT * FROM raw.orders WHERE NOT is_test",
		"nested":       "SELECT o.id FROM {{ @orders_clean AS o }}",
		"escaped":      `SELECT a\n-- trailing comment\nFROM t\twhere x`,
		"commented":    "SELECT 1 FROM t -- trailing",
		"loop_a":       "SELECT * FROM {{ @loop_b }}",
		"loop_b":       "SELECT * FROM {{ @loop_a }}",
		"Mixed_Case":   "SELECT 2 FROM m",
	}
	// A 12-deep chain exceeds the depth limit of 10.
	for i := 0; i < 12; i++ {
		defs["chain"+string(rune('a'+i))] = "SELECT * FROM {{ @chain" + string(rune('a'+i+1)) + " }}"
	}
	tests := []struct {
		name     string
		sql      string
		want     string
		used     []string
		warnings int
	}{
		{"plain", "SELECT * FROM {{ @orders_clean }}", "SELECT * FROM (SELECT * FROM raw.orders WHERE NOT is_test\n)", []string{"orders_clean"}, 0},
		{"alias upper AS", "FROM {{@orders_clean AS o}}", "FROM (SELECT * FROM raw.orders WHERE NOT is_test\n) AS o", []string{"orders_clean"}, 0},
		{"alias odd spacing", "FROM {{  @orders_clean    as      rental  }}", "FROM (SELECT * FROM raw.orders WHERE NOT is_test\n) AS rental", []string{"orders_clean"}, 0},
		{"alias mixed case As", "FROM {{ @orders_clean As x }}", "FROM (SELECT * FROM raw.orders WHERE NOT is_test\n) AS x", []string{"orders_clean"}, 0},
		{"nested", "FROM {{ @nested AS n }}", "FROM (SELECT o.id FROM (SELECT * FROM raw.orders WHERE NOT is_test\n) AS o\n) AS n", []string{"nested", "orders_clean"}, 0},
		{"escapes unescaped", "{{ @escaped }}", "(SELECT a\n-- trailing comment\nFROM t\twhere x\n)", []string{"escaped"}, 0},
		{"trailing comment kept off the paren", "{{ @commented AS c }}", "(SELECT 1 FROM t -- trailing\n) AS c", []string{"commented"}, 0},
		{"unknown", "FROM {{ @missing AS m }} JOIN {{ @gone }}", "FROM missing AS m JOIN gone", nil, 2},
		{"cycle", "FROM {{ @loop_a }}", "FROM (SELECT * FROM (SELECT * FROM loop_a\n)\n)", []string{"loop_a", "loop_b"}, 1},
		{"case-insensitive lookup", "FROM {{ @mixed_case }}", "FROM (SELECT 2 FROM m\n)", []string{"mixed_case"}, 0},
		{"no references", "SELECT 1", "SELECT 1", nil, 0},
		{"liquid left alone", "SELECT {{ x }} FROM t", "SELECT {{ x }} FROM t", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, used, warnings := ExpandDefinitions(tc.sql, defs)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.used, used)
			assert.Len(t, warnings, tc.warnings, "warnings: %v", warnings)
		})
	}
	t.Run("depth limit", func(t *testing.T) {
		got, used, warnings := ExpandDefinitions("FROM {{ @chaina }}", defs)
		require.Len(t, warnings, 1)
		assert.Contains(t, warnings[0], "deeper than 10")
		assert.Len(t, used, 10)
		assert.Equal(t, 10, strings.Count(got, "(SELECT"))
	})
}

func TestRenderQuery(t *testing.T) {
	tests := []struct {
		name      string
		sql       string
		overrides map[string]string
	}{
		{"form date default and now", `SELECT * FROM t WHERE d >= '{{ start }}' AND d < '{{ 'now' | date: "%Y-%m-%d" }}'
{% form %}
start:
  type: date
  default: 2024-01-01
{% endform %}`, nil},
		{"liquid inside a form default", `SELECT '{{ day }}' AS d
{% form %}
day:
  type: date
  default: {{ 'now' | date: '%Y-%m-%d' }}
{% endform %}`, nil},
		{"multiselect join", `SELECT * FROM t WHERE region IN ('{{ regions | join: "','" }}')
{% form %}
regions:
  type: multiselect
  default: [EU, US]
  options: [EU, US, APAC]
{% endform %}`, nil},
		{"multiselect scalar default becomes a list", `SELECT * FROM t WHERE region IN ('{{ regions | join: "','" }}')
{% form %}
regions:
  type: multiselect
  default: EU
{% endform %}`, nil},
		{"override wins", `SELECT * FROM t WHERE n = {{ n }} AND r IN ({{ r | join: ',' }})
{% form %}
n:
  type: number
  default: 5
r:
  type: multiselect
  default: [1]
{% endform %}`, map[string]string{"n": "42", "r": "7,8"}},
		{"select without default takes first option", `SELECT * FROM {{ tbl }}
{% form %}
tbl:
  type: select
  options: [[Orders, shop.orders], [Refunds, shop.refunds]]
{% endform %}`, nil},
		{"several forms, non-greedy, case-insensitive", `SELECT {{ a }} AS a
{% FORM %}
a:
  default: 1
{% ENDFORM %}
UNION ALL SELECT {{ b }} AS a FROM keep_me
{%form%}
b:
  default: 2
{%endform%}`, nil},
		{"if elsif else", `SELECT * FROM {% if grain == 'day' %}daily{% elsif grain == 'week' %}weekly{% else %}monthly{% endif %}
{% form %}
grain:
  type: select
  default: week
  options: [day, week, month]
{% endform %}`, nil},
		{"unless and case", `SELECT * FROM t {% unless all %}WHERE x = 1{% endunless %} ORDER BY {% case s %}{% when 'a' %}a{% else %}b{% endcase %}
{% form %}
all:
  default: false
s:
  default: a
{% endform %}`, nil},
		{"for assign capture", `{% assign cols = "a,b,c" | split: "," %}{% capture tbl %}sch.{{ "orders" }}{% endcapture %}SELECT {% for c in cols %}{{ c }}{% unless forloop.last %}, {% endunless %}{% endfor %} FROM {{ tbl }}`, nil},
		{"comment and raw", `SELECT 1 {% comment %}FROM hidden{% endcomment %}{% raw %}/* {{ not_a_var }} */{% endraw %} FROM shown`, nil},
		{"whitespace control", "SELECT\n  {%- if true -%}\n  a\n  {%- endif -%}\n  FROM t", nil},
		{"default filter", `SELECT * FROM {{ schema | default: 'public' }}.t`, nil},
		{"undefined variable", `SELECT * FROM t WHERE x = '{{ missing }}' AND y = '{{ missing }}'`, nil},
		{"broken liquid falls back", `SELECT {{ a }} FROM t {% if %} WHERE {% endif`, nil},
		{"unknown tag falls back", `SELECT * FROM t {% mode_magic x %} WHERE y = {{ z }}`, nil},
		{"huge loop refused", `SELECT {% for i in (1..100000000) %}{{ i }},{% endfor %} 1`, nil},
		{"bad form yaml is ignored", `SELECT '{{ a }}' AS a
{% form %}
a: [unclosed
{% endform %}`, nil},
		{"no templates", "SELECT a FROM t", nil},
	}
	r := newRenderer(fixedNow)
	got := make(map[string]RenderResult, len(tests))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := r.renderQuery(context.Background(), tc.sql, nil, tc.overrides)
			assert.NotContains(t, res.SQL, "{%", "tags left in rendered SQL")
			assert.NotContains(t, res.SQL, "endform")
			got[tc.name] = res
		})
	}
	golden(t, "render.golden.json", got)

	// Spot checks that hold whatever the golden says.
	assert.Contains(t, got["form date default and now"].SQL, "'2024-01-01'")
	assert.Contains(t, got["form date default and now"].SQL, "'2024-03-15'")
	assert.Contains(t, got["multiselect join"].SQL, "('EU','US')")
	assert.Contains(t, got["override wins"].SQL, "n = 42 AND r IN (7,8)")
	assert.Contains(t, got["several forms, non-greedy, case-insensitive"].SQL, "keep_me")
	assert.Contains(t, got["if elsif else"].SQL, "FROM weekly")
	assert.Contains(t, got["broken liquid falls back"].SQL, "SELECT NULL FROM t")
	assert.True(t, got["broken liquid falls back"].Degraded)
	assert.False(t, got["if elsif else"].Degraded)
	assert.Contains(t, strings.Join(got["undefined variable"].Warnings, "\n"), `undefined variable "missing"`)
	assert.Len(t, got["undefined variable"].Warnings, 1, "one warning per variable")
}

func TestRendererConcurrent(t *testing.T) {
	r := newRenderer(fixedNow)
	src := "SELECT '{{ d }}', {% for i in (1..3) %}{{ i }}{% endfor %} FROM t\n{% form %}\nd:\n  default: {{ 'now' | date: '%Y' }}\n{% endform %}"
	want := r.renderQuery(context.Background(), src, nil, nil).SQL
	results := make(chan string, 64)
	for range 64 {
		go func() { results <- r.renderQuery(context.Background(), src, nil, nil).SQL }()
	}
	for range 64 {
		assert.Equal(t, want, <-results)
	}
	assert.Equal(t, "SELECT '2024', 123 FROM t", want)
}

func TestRenderHonoursContext(t *testing.T) {
	r := newRenderer(fixedNow)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := r.renderQuery(ctx, "SELECT {% for i in (1..50) %}{{ i }}{% endfor %} FROM t", nil, nil)
	assert.True(t, res.Degraded, "a cancelled render must fall back")
	assert.Equal(t, "SELECT NULL FROM t", res.SQL)
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []Param
		wantErr bool
	}{
		{"typed", "a:\n  type: Number\n  default: 3\nb:\n  type: select\n  options: [x, y]\n", []Param{
			{Name: "a", Type: "number", Default: 3, HasDefault: true},
			{Name: "b", Type: "select", Options: []any{"x", "y"}},
		}, false},
		{"shorthand", "a: 2013\n", []Param{{Name: "a", Default: 2013, HasDefault: true}}, false},
		{"empty", "\n", nil, false},
		{"not a mapping", "- a\n- b\n", nil, true},
		{"bad yaml", "a: [\n", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseForm(tc.body)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
