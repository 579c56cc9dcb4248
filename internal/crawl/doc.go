// Package crawl orchestrates one read-only crawl of a Mode workspace.
//
// The order is fixed: verify the credentials → data sources and
// definitions → collections (filter=all) → per collection, reports and
// datasets → imported datasets not listed in any collection → per report
// and dataset, its queries → per query, its charts → creators. Optional
// stages plug in through small interfaces declared here: Lineage (SQL
// lineage per query, chart fields) and Discovery (Mode's Discovery
// Database: windowed popularity, query usage, reports the REST API cannot
// see, members).
//
// Work fans out through errgroups bounded by Options.Concurrency; all
// requests share the Mode client's single rate limiter, so concurrency only
// hides latency and never raises the request rate. Records stream into a
// Sink (normally an *output.Writer) as they are produced; the Sink, not the
// crawl, makes the output order deterministic.
//
// Failure policy: 401/403 while verifying or reading the workspace aborts
// with an error matching ErrAuth (and modeapi.IsAuth); a 401 later aborts too
// (the token was revoked). A 404 on an item is a warning (it was deleted
// mid-crawl). Any other error, after the client's retries, fails that item
// only: it is listed in the manifest's errors, the crawl goes on and the
// status becomes "partial".
package crawl
