package sqllineage

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// sqliteSchema is the warehouse the naming test runs against; the same
// columns are given to Analyze as a Schema so that * expands.
var sqliteSchema = map[string][]string{
	"orders":    {"id", "customer_id", "amount", "status", "created_at"},
	"customers": {"id", "name", "region"},
	"events":    {"user_id", "kind", "ts"},
}

// TestNamingAgainstSQLite runs generic-dialect queries on a real SQLite
// database and checks that Analyze predicts exactly the column names (and
// column count) the database returns. SQLite names columns the way the
// generic dialect documents: aliases, column names for references, and the
// expression text as written otherwise.
func TestNamingAgainstSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	for table, cols := range sqliteSchema {
		stmt := "CREATE TABLE " + table + " ("
		for i, c := range cols {
			if i > 0 {
				stmt += ", "
			}
			stmt += c
		}
		_, err := db.ExecContext(ctx, stmt+")")
		require.NoError(t, err)
	}
	queries := []string{
		"SELECT id, amount AS total, o.status FROM orders o",
		"SELECT COUNT(*), SUM(amount), amount+1, amount * 2 FROM orders",
		"SELECT * FROM orders",
		"SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
		"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id",
		"WITH x AS (SELECT id AS oid, amount FROM orders) SELECT * FROM x",
		"WITH x(a, b) AS (SELECT id, amount FROM orders) SELECT b, a FROM x",
		"SELECT region, n FROM (SELECT region, COUNT(*) AS n FROM customers GROUP BY region) s",
		"SELECT id FROM orders UNION ALL SELECT user_id FROM events",
		"SELECT (SELECT MAX(ts) FROM events e WHERE e.user_id = c.id) AS last_seen, name FROM customers c",
		"SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END AS size FROM orders",
		`SELECT "id", "name" AS "Customer Name" FROM customers`,
		"SELECT kind, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM events",
		"SELECT c.region, COUNT(DISTINCT o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.region",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n",
		"SELECT id, name FROM customers WHERE id IN (SELECT customer_id FROM orders) ORDER BY 2 LIMIT 5",
		"VALUES (1, 'a'), (2, 'b')",
	}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			rows, err := db.QueryContext(ctx, q)
			require.NoError(t, err, "the test query must be valid SQL")
			got, err := rows.Columns()
			require.NoError(t, err)
			require.NoError(t, rows.Close())

			res := Analyze(ctx, q, Options{Dialect: Generic, Schema: mapSchema(sqliteSchema)})
			assert.Equal(t, 1.0, res.Confidence, res.Warnings)
			var names []string
			for _, c := range res.Columns {
				names = append(names, c.Name)
			}
			assert.Equal(t, got, names)
		})
	}
}
