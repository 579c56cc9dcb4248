// Package discoverydb reads Mode's Discovery Database, the Snowflake share
// of a workspace's usage data, through github.com/snowflakedb/gosnowflake
// and database/sql.
//
// It gives modecrawl what the REST API cannot: reports in personal
// collections (with their queries' SQL, so lineage covers them), report
// popularity over a window ending at the crawl time (views, distinct
// viewers, last view, manual and scheduled runs, rank and percentile), query
// usage (runs, failed runs, last run, median runtime) and member details.
//
// All figures are computed in SQL on the warehouse side, one statement per
// metric family; the window bounds are bind parameters. The SQL is plain
// Snowflake SQL with fully qualified "DATABASE"."SCHEMA"."TABLE" names and
// only functions SQLite shares (window functions instead of MEDIAN), so the
// same statements run in tests on internal/fakesnowflake.
//
// Mode documents little about the share (docs/discovery-db.md): the tables
// and columns come from Mode's template SQL, and whether ids are 12-hex
// tokens or numbers is unconfirmed. Open therefore runs Check, which lists
// the tables and columns present and samples the id style; every feature
// then degrades on its own (a *MissingError, matching ErrUnavailable)
// instead of failing the crawl.
//
// The gosnowflake import is confined to this package because the driver is
// heavy to build.
package discoverydb
