// Package output writes a crawl's records as one output set: a JSON Lines
// file per entity plus manifest.json, as defined by pkg/record.
//
// Two properties matter to users and are guaranteed here rather than by the
// crawl:
//
//   - Determinism: every file is sorted by a stable key (token, id,
//     username; lineage edges by source then target) and exact duplicates are
//     dropped, so the same workspace gives byte-identical files whatever order
//     the records arrived in.
//   - Atomicity: records are spilled to a temporary directory beside the
//     target, sorted there, and the finished set is swapped into place with
//     renames. A killed or failed run leaves the previous set untouched.
//
// Memory is bounded whatever the workspace size: each file buffers at most a
// couple of megabytes of records, sorts them and writes them out as a sorted
// run in the temporary directory; Commit merges the runs (an external merge
// sort), so a 50,000-report workspace never has to fit in RAM.
package output
