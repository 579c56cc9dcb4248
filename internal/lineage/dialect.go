package lineage

import (
	"strings"

	"github.com/modecrawl/modecrawl/internal/sqllineage"
)

// adapterInfo is what modecrawl knows about one Mode adapter.
type adapterInfo struct {
	dialect  sqllineage.Dialect
	platform string
}

// adapters maps a Mode adapter (without its "jdbc:" prefix) to a parser
// dialect and a warehouse platform name (docs/lineage.md has the table).
// Adapters parsed as generic SQL still get their own platform name, so
// table edges say where the table lives.
var adapters = map[string]adapterInfo{
	"snowflake":      {"snowflake", "snowflake"},
	"bigquery":       {"bigquery", "bigquery"},
	"postgresql":     {"postgres", "postgres"},
	"postgres":       {"postgres", "postgres"},
	"redshift":       {"redshift", "redshift"},
	"mysql":          {"mysql", "mysql"},
	"databricks":     {"databricks", "databricks"},
	"spark":          {"databricks", "spark"},
	"hive":           {"databricks", "hive"},
	"impala":         {"databricks", "impala"},
	"trino":          {"trino", "trino"},
	"presto":         {"trino", "presto"},
	"athena":         {"trino", "athena"},
	"treasuredata":   {"trino", "treasuredata"},
	"sqlserver":      {"tsql", "sqlserver"},
	"tsql":           {"tsql", "sqlserver"},
	"oracle":         {"generic", "oracle"},
	"oracleadb":      {"generic", "oracle"},
	"vertica":        {"generic", "vertica"},
	"clickhouse":     {"generic", "clickhouse"},
	"druid":          {"generic", "druid"},
	"denodo":         {"generic", "denodo"},
	"teradata":       {"generic", "teradata"},
	"generic":        {"generic", ""},
	"salesforce":     {"generic", "salesforce"},
	"modedatasets":   {"generic", "mode"},
	"arrowflightsql": {"generic", "arrowflightsql"},
}

// genericWarn lists the adapters the parser has no dialect for: their SQL is
// parsed as generic, with a warning naming the adapter.
var genericWarn = map[string]bool{
	"oracle": true, "oracleadb": true, "vertica": true, "clickhouse": true, "druid": true,
	"denodo": true, "teradata": true, "salesforce": true, "modedatasets": true, "arrowflightsql": true,
}

// platformOf names the warehouse platform of each parser dialect, used when
// the caller gave a dialect rather than an adapter.
var platformOf = map[sqllineage.Dialect]string{
	"snowflake": "snowflake", "bigquery": "bigquery", "postgres": "postgres", "redshift": "redshift",
	"mysql": "mysql", "databricks": "databricks", "trino": "trino", "tsql": "sqlserver",
}

// ResolveDialect maps a Mode adapter ("jdbc:snowflake") or a dialect name
// ("snowflake") to a parser dialect and platform name. Unknown or empty
// input gives the generic dialect and a warning.
func ResolveDialect(s string) (dialect sqllineage.Dialect, platform, warning string) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.TrimPrefix(key, "jdbc:")
	if key == "" {
		return "generic", "", "no data source dialect known: parsed as generic SQL"
	}
	if info, ok := adapters[key]; ok {
		if genericWarn[key] {
			warning = "adapter " + s + " has no dedicated dialect: parsed as generic SQL"
		}
		return info.dialect, info.platform, warning
	}
	if d, ok := sqllineage.ParseDialect(key); ok {
		return d, platformOf[d], ""
	}
	return "generic", strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "jdbc:"),
		"unknown adapter " + s + ": parsed as generic SQL"
}
