package lineage

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fuzzDefinitions gives fuzzed SQL real definitions to expand, including a
// cycle, so template paths are exercised as well as the parser.
var fuzzDefinitions = map[string]string{
	"orders_clean": `SELECT * FROM raw.orders WHERE NOT is_test\n-- note`,
	"nested":       "SELECT o.id FROM {{ @orders_clean AS o }}",
	"loop":         "SELECT * FROM {{ @loop }}",
}

// FuzzAnalyze runs the whole pipeline (definitions, form, Liquid, dialect,
// parser, resolver) on arbitrary text. Nothing may panic (a recovered panic
// shows up as an "internal error" warning) and results must be well formed.
// Seeds come from the corpus, so `go test` runs them all.
func FuzzAnalyze(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.SQL, e.Dialect)
	}
	seeds := []struct{ sql, dialect string }{
		{"SELECT a FROM {{ @nested AS n }} WHERE d > '{{ start }}'\n{% form %}\nstart:\n  default: 2024-01-01\n{% endform %}", "jdbc:snowflake"},
		{"SELECT {% for i in (1..3) %}c{{ i }},{% endfor %} 1 FROM t", "postgres"},
		{"{% if x %}SELECT 1{% else %}SELECT {{ @loop }}{% endif", "generic"},
		{"{% form %}\n: [\n{% endform %}SELECT 1", "jdbc:oracle"},
		{"WITH a AS (SELECT * FROM b) SELECT * FROM a; SELECT x FROM [dbo].[T]", "tsql"},
		{"SELECT `p.d.t`.x FROM `p.d.t`", "bigquery"},
		{"", ""},
		{"((((((((((((((((((((((((((((((", "mysql"},
	}
	for _, s := range seeds {
		f.Add(s.sql, s.dialect)
	}
	opts := Options{Timeout: 2 * time.Second, Now: fixedNow}
	f.Fuzz(func(t *testing.T, sql, dialect string) {
		out := Analyze(context.Background(), Input{ID: "fuzz", Dialect: dialect, SQL: sql, Definitions: fuzzDefinitions}, opts)
		for _, w := range out.Warnings {
			if strings.HasPrefix(w, "internal error") {
				t.Fatalf("pipeline panicked: %s", w)
			}
		}
		if out.Confidence < 0 || out.Confidence > 1 {
			t.Fatalf("confidence %v out of [0,1]", out.Confidence)
		}
		for _, c := range out.Columns {
			if c.Sources == nil {
				t.Fatalf("column %q has nil sources", c.Name)
			}
		}
		for _, tb := range out.Tables {
			if tb.Name == "" {
				t.Fatal("empty table name")
			}
		}
		// Chart configs are untrusted JSON too.
		_ = ChartFields(json.RawMessage(sql), json.RawMessage(sql), []string{"a", "*"})
	})
}
