package sqllineage

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPostgresUnaliasedNames checks the names Postgres gives unaliased
// expressions (its FigureColname): strong inner names win over a cast's
// type, which Postgres spells in its own canonical form.
func TestPostgresUnaliasedNames(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"count(*)", "count"},
		{"count(*)::int", "count"},
		{"x::date", "x"},
		{"CAST(x AS date)", "x"},
		{"'2024-01-01'::date", "date"},
		{"CAST('1' AS INTEGER)", "int4"},
		{"1::bigint", "int8"},
		{"1.5::double precision", "float8"},
		{"'a'::character varying", "varchar"},
		{"'a'::varchar(20)", "varchar"},
		{"now()::timestamp with time zone", "now"},
		{"'x'::timestamp with time zone", "timestamptz"},
		{"'x'::timestamp without time zone", "timestamp"},
		{"'x'::pg_catalog.text", "text"},
		{"(CASE WHEN a THEN 1 END)::text", "text"},
		{"CASE WHEN a THEN 1 END", "case"},
		{"CURRENT_DATE", "current_date"},
		{"current_timestamp", "current_timestamp"},
		{"ARRAY[a, b]", "array"},
		{"1 + 1", "?column?"},
		{"'literal'", "?column?"},
	}
	for _, d := range []Dialect{Postgres, Redshift} {
		for _, tt := range tests {
			res := Analyze(context.Background(), "SELECT "+tt.expr+" FROM t", Options{Dialect: d})
			if assert.Len(t, res.Columns, 1, "%s %s", d, tt.expr) {
				assert.Equal(t, tt.want, res.Columns[0].Name, "%s %s", d, tt.expr)
			}
		}
	}
}
