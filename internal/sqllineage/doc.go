// Package sqllineage is modecrawl's own SQL analyzer: a dialect-aware tokenizer,
// one recursive-descent parser for the lineage-relevant subset of SQL shared by
// every supported warehouse, and a scope resolver that reports the physical
// tables a query reads and, for the last row-returning statement, where each
// output column comes from.
//
// The rules for what counts as the right answer live in docs/lineage.md
// (sections Tables, Columns, Confidence); this package follows them exactly.
// Input SQL must already be rendered (no Mode Liquid or definitions left);
// internal/lineage does that before calling Analyze.
//
// The parser is deliberately tolerant: anything outside the supported subset
// is skipped with a warning and a lower confidence, never guessed, and Analyze
// never panics.
package sqllineage
