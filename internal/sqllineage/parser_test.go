package sqllineage

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseAll parses every statement of src and describes each as a short kind
// string, or "error: …" for statements that fail.
func parseAll(t *testing.T, src string, d Dialect) []string {
	t.Helper()
	toks, err := tokenize(src, dialectFor(d))
	require.NoError(t, err)
	p := &parser{src: src, d: dialectFor(d), toks: toks, lim: &limiter{ctx: context.Background()}}
	var out []string
	for p.peek().kind != tkEOF {
		if p.acceptOp(";") {
			continue
		}
		st, err := p.parseOne()
		if err != nil {
			out = append(out, "error: "+err.Error())
			for !p.atEnd() {
				p.next()
			}
			continue
		}
		out = append(out, stmtKind(st))
	}
	return out
}

func stmtKind(st stmt) string {
	switch s := st.(type) {
	case *queryStmt:
		return "query:" + queryKind(s.q)
	case *createStmt:
		if s.q == nil {
			return fmt.Sprintf("create(%d cols)", len(s.cols))
		}
		return "create:" + queryKind(s.q)
	case *insertStmt:
		if s.q == nil {
			return "insert"
		}
		return "insert:" + queryKind(s.q)
	case *dmlStmt:
		return strings.ToLower(s.verb)
	case *skipStmt:
		if s.harmful {
			return "unknown " + s.verb
		}
		return "skip " + s.verb
	}
	return "?"
}

func queryKind(q query) string {
	switch x := q.(type) {
	case *withQuery:
		return fmt.Sprintf("with%d(%s)", len(x.ctes), queryKind(x.body))
	case *selectQuery:
		return fmt.Sprintf("select%d", len(x.items))
	case *setQuery:
		return strings.ToLower(x.op) + "(" + queryKind(x.left) + "," + queryKind(x.right) + ")"
	case *parenQuery:
		return "(" + queryKind(x.q) + ")"
	case *valuesQuery:
		return fmt.Sprintf("values%d", len(x.rows))
	}
	return "?"
}

func TestParseStatements(t *testing.T) {
	cases := []struct {
		name string
		d    Dialect
		src  string
		want []string
	}{
		{"select", Generic, "SELECT a, b FROM t", []string{"query:select2"}},
		{"with", Generic, "WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", []string{"query:with2(select1)"}},
		{"union chain is left-deep", Generic, "SELECT 1 UNION SELECT 2 EXCEPT SELECT 3", []string{"query:except(union(select1,select1),select1)"}},
		{"parenthesised set", Generic, "(SELECT 1) UNION ALL (SELECT 2)", []string{"query:union((select1),(select1))"}},
		{"values", Postgres, "VALUES (1, 2), (3, 4)", []string{"query:values2"}},
		{"ctas variants", Snowflake, "CREATE OR REPLACE TEMPORARY TABLE x AS SELECT 1; CREATE TABLE y (a int, b text, PRIMARY KEY (a)); CREATE VIEW v (c) AS SELECT 1",
			[]string{"create:select1", "create(2 cols)", "create:select1"}},
		{"ctas parenthesised", BigQuery, "CREATE TEMP TABLE x AS (SELECT 1)", []string{"create:(select1)"}},
		{"select into", TSQL, "SELECT a INTO #t FROM s", []string{"create:select1"}},
		{"insert forms", Generic, "INSERT INTO t (a) VALUES (1); INSERT INTO t SELECT 1; INSERT OVERWRITE TABLE t SELECT 2",
			[]string{"insert:values1", "insert:select1", "insert:select1"}},
		{"with insert", Postgres, "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c", []string{"insert:with1(select1)"}},
		{"dml", Generic, "UPDATE t SET a = 1 WHERE b = 2; DELETE FROM t WHERE x; MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN DELETE",
			[]string{"update", "delete", "merge"}},
		{"harmless", Snowflake, "USE ROLE analyst; ALTER SESSION SET QUERY_TAG = 'x'; SHOW TABLES; BEGIN; COMMIT",
			[]string{"skip USE", "skip ALTER", "skip SHOW", "skip BEGIN", "skip COMMIT"}},
		{"create other", Snowflake, "CREATE SCHEMA IF NOT EXISTS s; CREATE FUNCTION f() RETURNS int AS $$ 1 $$", []string{"skip CREATE SCHEMA", "skip CREATE FUNCTION"}},
		{"unknown", Generic, "CALL refresh_all()", []string{"unknown CALL"}},
		{"tsql batch without semicolons", TSQL, "DECLARE @x int\nSET @x = 1\nSELECT a FROM t\nSELECT b FROM u",
			[]string{"skip DECLARE", "skip SET", "query:select1", "query:select1"}},
		{"error then recovery", Generic, "SELECT FROM; SELECT 1", []string{"error: at offset 7: unexpected \"FROM\"", "query:select1"}},
		{"trailing garbage", Generic, "SELECT 1 FROM t )", []string{"error: at offset 16: unexpected \")\""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, parseAll(t, tc.src, tc.d))
		})
	}
}

// TestParseRejects lists syntax that must fail cleanly (and be reported)
// rather than be half-understood.
func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name, src, msg string
	}{
		{"missing paren", "SELECT (a FROM t", `expected ")"`},
		{"dangling join", "SELECT a FROM t JOIN", "expected a table name"},
		{"unbalanced match recognize", "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a", "MATCH_RECOGNIZE"},
		{"case without end", "SELECT CASE WHEN a THEN b FROM t", "expected END"},
		{"deep nesting", "SELECT " + strings.Repeat("(", maxDepth+10) + "1" + strings.Repeat(")", maxDepth+10), "nesting deeper"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseAll(t, tc.src, Generic)
			require.NotEmpty(t, got)
			assert.True(t, strings.HasPrefix(got[0], "error: "), got[0])
			assert.Contains(t, got[0], tc.msg)
		})
	}
}
