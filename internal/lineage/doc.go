// Package lineage turns a Mode query into warehouse lineage.
//
// Mode stores a query's SQL as a template: definitions ({{ @name AS alias }}),
// a {% form %} block of parameters with defaults, and Liquid tags. The
// pipeline expands definitions, reads the form defaults, renders the Liquid,
// picks the SQL dialect from the query's data source adapter, and hands the
// rendered SQL to internal/sqllineage. It then qualifies table names with the
// data source's database (BigQuery: its host, the project) and maps the
// result onto pkg/record. ChartFields reads the columns a chart uses from its
// configuration, and Edges turns all of it into lineage edges.
//
// docs/lineage.md is the contract for what the right answer is. Everything
// here is pure computation: no I/O apart from the batch and schema helpers
// used by the `modecrawl lineage` command.
package lineage
