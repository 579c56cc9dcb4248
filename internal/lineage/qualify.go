package lineage

import (
	"strings"

	"github.com/modecrawl/modecrawl/internal/sqllineage"
)

// Qualify completes a table name with the data source's database and the
// platform's default schema where that is certain (docs/lineage.md,
// "qualified"). parts are the name's identifier parts, quotes removed; an
// empty result means the full name is not certain.
//
// BigQuery callers pass the data source host as database: Mode's BigQuery
// connections carry the literal "default" as database and the project in
// host.
func Qualify(dialect sqllineage.Dialect, parts []string, database string) string {
	n := len(parts)
	if n == 0 {
		return ""
	}
	for _, p := range parts {
		if p == "" {
			// "db..t" (T-SQL default schema) and similar: not certain.
			return ""
		}
	}
	name := strings.Join(parts, ".")
	withDB := func(rest string) string {
		if database == "" {
			return ""
		}
		return database + "." + rest
	}
	switch dialect {
	case "snowflake", "bigquery":
		// Snowflake's default schema is a user setting, BigQuery has no
		// default dataset: a 1-part name can't be completed.
		switch n {
		case 2:
			return withDB(name)
		case 3:
			return name
		}
	case "postgres", "redshift":
		switch n {
		case 1:
			return withDB("public." + name)
		case 2:
			return withDB(name)
		case 3:
			return name
		}
	case "tsql":
		switch n {
		case 1:
			return withDB("dbo." + name)
		case 2:
			return withDB(name)
		case 3, 4:
			return name
		}
	case "mysql":
		// MySQL databases are schemas: db.table is complete.
		switch n {
		case 1:
			return withDB(name)
		case 2:
			return name
		}
	case "databricks", "trino":
		// catalog.schema.table is complete; nothing is ever added.
		if n == 3 {
			return name
		}
	}
	return ""
}

// splitName splits a dotted table name into its parts. It is the fallback
// for names that reach modecrawl without their parser parts.
func splitName(name string) []string {
	if name == "" {
		return nil
	}
	return strings.Split(name, ".")
}
