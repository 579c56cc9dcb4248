// Package fakesnowflake is an in-process stand-in for Mode's Discovery
// Database: an HTTP server that speaks the subset of Snowflake's client
// protocol the gosnowflake driver uses (login, query, abort, telemetry,
// session delete) and executes the statements it receives on an embedded
// pure-Go SQLite database loaded with Discovery-Database-shaped tables.
//
// The point is that modecrawl's production SQL runs unchanged in tests and
// in the demo, through the real driver. Where SQLite lacks what Snowflake
// has, the server translates (see Translate): three-part names
// "DB"."SCHEMA"."TABLE" lose their database and schema, INFORMATION_SCHEMA
// views are emulated, and a few Snowflake functions are mapped.
//
// Timestamps are stored as fixed-width UTC text (see FormatTime) so that
// SQLite compares them in time order, and are returned to the driver as
// TIMESTAMP_NTZ values.
//
// This package deliberately does not import gosnowflake: it is a server,
// and keeping the driver out keeps a protocol mismatch visible in the
// driver-level tests of internal/discoverydb.
package fakesnowflake
