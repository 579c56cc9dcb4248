package sqllineage

import (
	"context"
	"strings"
	"testing"
)

// fuzzSeeds cover every dialect's quoting and the constructs most likely to
// trip a hand-written parser.
var fuzzSeeds = []string{
	typicalQuery,
	"SELECT a FROM t",
	"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
	"SELECT * EXCEPT (a) REPLACE (b + 1 AS b) FROM `p.d.t`, UNNEST(arr) AS x WITH OFFSET o",
	"SELECT v:a.b::string, f.value FROM t, LATERAL FLATTEN(input => t.v) f QUALIFY ROW_NUMBER() OVER (ORDER BY 1) = 1",
	"SELECT TOP 5 [a] INTO #t FROM [dbo].[x] WITH (NOLOCK)\nGO\nSELECT * FROM #t",
	"SELECT id FROM a LATERAL VIEW OUTER explode(a.items) it AS item",
	"SELECT $$x$$, E'\\'', 'a''b', \"q\"\"q\" FROM t /* c /* n */ */ -- x",
	"SELECT * FROM (SELECT m, amt FROM s) PIVOT (SUM(amt) FOR m IN ('a' AS a, 'b'))",
	"SELECT CASE WHEN a IS NOT NULL AND b BETWEEN 1 AND 2 THEN c END, x IN (SELECT y FROM z) FROM t",
	"MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v",
	"SELECT ((((1)))); SELECT (SELECT (SELECT 1))",
	"CREATE TEMP TABLE x AS SELECT 1 AS a; INSERT INTO x SELECT b FROM y; SELECT a FROM x",
	"SELECT a FROM t WHERE",
	"'unterminated",
	"SELECT transform(a, x -> x + 1), filter(b, (k, v) -> v > 0) FROM t",
	"SELECT $1:a, t.$2, METADATA$FILENAME FROM @s/p/ (PATTERN => '.*') t, IDENTIFIER('d.s.t') i // c",
	"SELECT LEVEL, PRIOR a FROM t START WITH p IS NULL CONNECT BY NOCYCLE PRIOR id = p ORDER SIBLINGS BY a",
	"SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a PATTERN (x+) DEFINE x AS b > 0) m",
	"FROBNICATE WITH c AS (SELECT a FROM t) SELECT * FROM c; WITH d AS (SELECT a FROM u) SELECT a FROM d WHERE (",
	"SELECT a FROM t JOIN u USING (a) NATURAL JOIN v; SELECT @x := 1, b @> c INTO @y FROM w",
}

// FuzzAnalyze checks that Analyze never fails internally and that its
// output keeps the documented invariants, for every dialect.
func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(0))
	}
	dialects := []Dialect{Generic, Snowflake, BigQuery, Postgres, Redshift, MySQL, Databricks, Trino, TSQL}
	f.Fuzz(func(t *testing.T, sql string, di uint8) {
		d := dialects[int(di)%len(dialects)]
		res := Analyze(context.Background(), sql, Options{Dialect: d})
		checkInvariants(t, res)
	})
}

func checkInvariants(t *testing.T, res Result) {
	t.Helper()
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "internal error") {
			t.Fatalf("internal error: %s", w)
		}
	}
	if res.Confidence < 0 || res.Confidence > 1 {
		t.Fatalf("confidence %v out of range", res.Confidence)
	}
	if res.Confidence < 1 && len(res.Warnings) == 0 {
		t.Fatalf("confidence %v without a warning", res.Confidence)
	}
	known := map[string]bool{}
	for i, tb := range res.Tables {
		if tb.Name == "" || len(tb.Parts) == 0 {
			t.Fatalf("empty table %+v", tb)
		}
		if i > 0 && strings.ToLower(res.Tables[i-1].Name) > strings.ToLower(tb.Name) {
			t.Fatalf("tables not sorted: %q before %q", res.Tables[i-1].Name, tb.Name)
		}
		known[tb.Name] = true
	}
	for _, c := range res.Columns {
		for _, s := range append(append([]Source(nil), c.Sources...), c.Candidates...) {
			if !known[s.Table] {
				t.Fatalf("column %q source table %q is not among the tables", c.Name, s.Table)
			}
		}
		if !c.Ambiguous && len(c.Candidates) > 0 {
			t.Fatalf("column %q has candidates but is not ambiguous", c.Name)
		}
	}
}

func TestFuzzSeedsInvariants(t *testing.T) {
	for _, s := range fuzzSeeds {
		for _, d := range []Dialect{Generic, Snowflake, BigQuery, Postgres, Redshift, MySQL, Databricks, Trino, TSQL} {
			t.Run(string(d), func(t *testing.T) {
				checkInvariants(t, Analyze(context.Background(), s, Options{Dialect: d}))
			})
		}
	}
}
