package lineage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/sqllineage"
	"github.com/modecrawl/modecrawl/pkg/record"
)

func TestResolveDialect(t *testing.T) {
	tests := []struct {
		in       string
		dialect  sqllineage.Dialect
		platform string
		warn     bool
	}{
		{"jdbc:snowflake", "snowflake", "snowflake", false},
		{"jdbc:bigquery", "bigquery", "bigquery", false},
		{"jdbc:postgresql", "postgres", "postgres", false},
		{"jdbc:redshift", "redshift", "redshift", false},
		{"jdbc:mysql", "mysql", "mysql", false},
		{"jdbc:databricks", "databricks", "databricks", false},
		{"jdbc:spark", "databricks", "spark", false},
		{"jdbc:hive", "databricks", "hive", false},
		{"jdbc:impala", "databricks", "impala", false},
		{"jdbc:trino", "trino", "trino", false},
		{"jdbc:presto", "trino", "presto", false},
		{"jdbc:athena", "trino", "athena", false},
		{"jdbc:treasuredata", "trino", "treasuredata", false},
		{"jdbc:sqlserver", "tsql", "sqlserver", false},
		{"jdbc:oracle", "generic", "oracle", true},
		{"jdbc:vertica", "generic", "vertica", true},
		{"jdbc:clickhouse", "generic", "clickhouse", true},
		{"jdbc:teradata", "generic", "teradata", true},
		{"jdbc:brandnew", "generic", "brandnew", true},
		{"JDBC:Snowflake", "snowflake", "snowflake", false},
		{"snowflake", "snowflake", "snowflake", false},
		{"tsql", "tsql", "sqlserver", false},
		{"mssql", "tsql", "sqlserver", false},
		{"generic", "generic", "", false},
		{"", "generic", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, p, w := ResolveDialect(tc.in)
			assert.Equal(t, tc.dialect, d)
			assert.Equal(t, tc.platform, p)
			assert.Equal(t, tc.warn, w != "", "warning %q", w)
		})
	}
}

func TestQualify(t *testing.T) {
	tests := []struct {
		name     string
		dialect  sqllineage.Dialect
		parts    []string
		database string
		want     string
	}{
		{"snowflake 1 part", "snowflake", []string{"orders"}, "ANALYTICS", ""},
		{"snowflake 2 parts", "snowflake", []string{"raw", "orders"}, "ANALYTICS", "ANALYTICS.raw.orders"},
		{"snowflake 2 parts no db", "snowflake", []string{"raw", "orders"}, "", ""},
		{"snowflake 3 parts", "snowflake", []string{"DB", "raw", "orders"}, "ANALYTICS", "DB.raw.orders"},
		{"bigquery dataset.table gets project", "bigquery", []string{"ds", "t"}, "my-proj", "my-proj.ds.t"},
		{"bigquery 1 part", "bigquery", []string{"t"}, "my-proj", ""},
		{"bigquery 3 parts", "bigquery", []string{"p", "ds", "t"}, "my-proj", "p.ds.t"},
		{"postgres 1 part", "postgres", []string{"orders"}, "shop", "shop.public.orders"},
		{"postgres 2 parts", "postgres", []string{"sales", "orders"}, "shop", "shop.sales.orders"},
		{"postgres no db", "postgres", []string{"orders"}, "", ""},
		{"redshift 1 part", "redshift", []string{"orders"}, "dw", "dw.public.orders"},
		{"tsql 1 part", "tsql", []string{"Orders"}, "Shop", "Shop.dbo.Orders"},
		{"tsql 2 parts", "tsql", []string{"sales", "Orders"}, "Shop", "Shop.sales.Orders"},
		{"tsql 4 parts", "tsql", []string{"srv", "db", "dbo", "t"}, "Shop", "srv.db.dbo.t"},
		{"tsql empty schema", "tsql", []string{"db", "", "t"}, "Shop", ""},
		{"mysql 1 part", "mysql", []string{"orders"}, "shop", "shop.orders"},
		{"mysql 2 parts", "mysql", []string{"other", "orders"}, "shop", "other.orders"},
		{"databricks 2 parts", "databricks", []string{"s", "t"}, "x", ""},
		{"databricks 3 parts", "databricks", []string{"c", "s", "t"}, "x", "c.s.t"},
		{"trino 3 parts", "trino", []string{"hive", "s", "t"}, "x", "hive.s.t"},
		{"generic", "generic", []string{"a", "b", "c"}, "x", ""},
		{"no parts", "snowflake", nil, "x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Qualify(tc.dialect, tc.parts, tc.database))
		})
	}
}

func TestChartFields(t *testing.T) {
	output := []string{"ORDER_DATE", "Revenue", "region", "customer_id", "first_name", "cnt"}
	tests := []struct {
		name   string
		view   string
		vegas  string
		output []string
		want   []string
	}{
		{"vegas encoding channels", ``, `{"chartType":"bar","encoding":{
			"x":[{"id":"a1b2","formula":"[order_date]","variable":{"type":"DISCRETE"}}],
			"y":[{"id":"c3d4","formula":"SUM([revenue])"}],
			"x2":[],"y2":[{"formula":"[cnt]"}],
			"filter":[{"formula":"[region]","selection":{"selected":["EU"],"mode":"INCLUDE"},"filterType":"x"}],
			"sorts":[{"source":"[customer_id]","byField":"[revenue]"}],
			"marks":{"properties":{"color":{"values":[{"formula":"[first_name]"}]},"tooltip":{"values":[{"formula":"[nope]"}]}}}}}`,
			output, []string{"cnt", "customer_id", "first_name", "ORDER_DATE", "region", "Revenue"}},
		{"fieldFormats and flatTable", ``, `{"chartType":"table","fieldFormats":{"[first_name]":{},"[unknown]":{}},
			"format":{"flatTable":{"columns":[{"id":"customer_id","width":100},{"id":"[cnt]"}]}}}`,
			output, []string{"cnt", "customer_id", "first_name"}},
		{"formula combining columns", ``, `{"encoding":{"value":[{"formula":"[Revenue] / [cnt]"}],"totals":[{"formula":"[region]"}]}}`,
			output, []string{"cnt", "region", "Revenue"}},
		{"legacy pivot table", `{"selectedChart":"pivotTable","chartTitle":"region","pivotTable":{
			"rows":["region"],"columns":["order_date"],"values":[{"column":"revenue","aggregation":"sum"}],
			"filters":["first_name"],"filterValues":{"customer_id":["42"]}}}`, ``,
			output, []string{"customer_id", "first_name", "ORDER_DATE", "region", "Revenue"}},
		{"legacy bar and big number", `{"selectedChart":"bar","bar":{"xAxis":{"column":"order_date","label":"cnt"},"yAxis":[{"column":"revenue"}]},
			"bigNumber":{"valueColumn":"cnt"},"table":{"columns":["first_name"]}}`, ``,
			output, []string{"cnt", "first_name", "ORDER_DATE", "Revenue"}},
		{"title is not a use", `{"chartTitle":"revenue","selectedChart":"region"}`, `{"title":"cnt","description":"[region]"}`,
			output, nil},
		{"config as a JSON string", ``, `"{\"encoding\":{\"x\":[{\"formula\":\"[region]\"}]}}"`, output, []string{"region"}},
		{"empty and invalid", `{}`, `not json`, output, nil},
		{"star output keeps names", ``, `{"encoding":{"x":[{"formula":"[Anything]"}]}}`, []string{"*"}, []string{"Anything"}},
		{"no output columns drops all", ``, `{"encoding":{"x":[{"formula":"[region]"}]}}`, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ChartFields(json.RawMessage(tc.view), json.RawMessage(tc.vegas), tc.output)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEdges(t *testing.T) {
	q := &record.Query{
		Token: "q1",
		Tables: []record.Table{
			{Name: "raw.orders", Qualified: "ANALYTICS.raw.orders"},
			{Name: "stores"},
		},
		Columns: []record.ColumnLineage{
			{Name: "ORDER_DATE", Sources: []record.ColumnSource{{Table: "raw.orders", Column: "created_at"}}},
			{Name: "TOTAL", Sources: []record.ColumnSource{{Table: "RAW.ORDERS", Column: "amount"}, {Table: "raw.orders", Column: "amount"}}},
			{Name: "REGION", Ambiguous: true, Sources: []record.ColumnSource{}, Candidates: []record.ColumnSource{{Table: "raw.orders", Column: "region"}, {Table: "stores", Column: "region"}}},
			{Name: "N", Sources: []record.ColumnSource{}},
		},
	}
	charts := []record.Chart{
		{Token: "c1", QueryToken: "q1", Fields: []string{"ORDER_DATE", "TOTAL"}},
		{Token: "c2", QueryToken: "other", Fields: []string{"TOTAL"}},
	}
	golden(t, "edges.golden.json", Edges(q, charts))
	assert.Nil(t, Edges(nil, nil))
}

func TestLoadSchema(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, body string
		table            string
		want             []string
		wantErr          bool
	}{
		{"json", "s.json", `{"RAW.Orders": ["id", "amount"]}`, "raw.orders", []string{"id", "amount"}, false},
		{"yaml", "s.yaml", "analytics.raw.orders:\n  - id\n  - region\n", "ANALYTICS.RAW.ORDERS", []string{"id", "region"}, false},
		{"wrong shape", "bad.yaml", "- a\n- b\n", "", nil, true},
		{"missing file", "", "", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "missing.json")
			if tc.file != "" {
				path = filepath.Join(dir, tc.file)
				require.NoError(t, os.WriteFile(path, []byte(tc.body), 0o600))
			}
			s, err := LoadSchema(path)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			cols, ok := s.Columns(tc.table)
			assert.True(t, ok)
			assert.Equal(t, tc.want, cols)
			_, ok = s.Columns("nope")
			assert.False(t, ok)
		})
	}
}
