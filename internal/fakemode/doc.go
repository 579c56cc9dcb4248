// Package fakemode is a faithful, in-process fake of Mode's REST API plus a
// seeded generator of synthetic workspaces.
//
// The model types (Workspace, Space, Report, Query, Chart, DataSource,
// Definition, User) describe a workspace independently of modecrawl's client
// wire types, so that a shape mismatch between client and fake shows up in
// tests instead of being hidden by shared structs. The same model seeds the
// fake Discovery Database.
//
// Server reproduces the behaviour documented in mode-api.md: Basic auth on
// every request, HAL envelopes with Mode's exact _embedded keys (datasets are
// listed under "reports"), site-relative links that say "collections",
// page/per_page paging with several misbehaving variants, a sliding-window
// rate limit per Basic-auth username with X-RateLimit-* headers, 404s for
// deleted objects and users who left, and fault injection (status codes,
// delays, truncated bodies, reset connections).
//
// Generate is deterministic: the same GenOptions give byte-identical
// responses. Sample returns the small hand-shaped workspace behind
// `modecrawl demo`.
package fakemode
