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
// # Design
//
//   - token.go: one tokenizer; a dialect struct (dialect.go) switches quoting,
//     string escapes, comment forms, T-SQL GO batches and similar details.
//   - parser*.go: one parser producing one small AST (ast.go) that keeps only
//     relations, column references, subqueries and the source text of select
//     items. Everything else is folded into opaque nodes. Unsupported syntax
//     inside function arguments (and MATCH_RECOGNIZE) is skipped locally;
//     anything else fails the statement, and parsing resumes at the next
//     statement. A failed or unknown statement is salvaged only for what is
//     certain: the subqueries that parse on their own (never mistaking the
//     CTE names it defines for tables) and the name of a table it creates.
//   - resolve.go: scopes for CTEs (with shadowing; long WITH lists are
//     indexed by name so thousands of CTEs resolve in linear time), USING and
//     NATURAL join columns, derived tables, table
//     functions, PIVOT/UNPIVOT, tables created earlier in the same text,
//     correlated subqueries and lateral alias references; star expansion and
//     the per-dialect naming of output columns. A "*" over physical tables
//     with unknown columns passes any name through (grouped per set-operation
//     branch or INSERT, so a name reads every branch and is ambiguous only
//     within a branch over several tables).
//   - analyze.go: the statement loop, confidence and warnings, and the result.
//
// Analyze never panics and never guesses: what cannot be known is reported as
// unknown, with a warning and a lower confidence. It checks ctx and the
// deadline every few hundred tokens and nodes, and holds no shared mutable
// state, so it may be called concurrently.
package sqllineage
