package modeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Token accessors for the generic pager's dedupe.
func reportToken(r *Report) string         { return r.Token }
func spaceToken(s *Space) string           { return s.Token }
func queryToken(q *Query) string           { return q.Token }
func chartToken(c *Chart) string           { return c.Token }
func dataSourceToken(d *DataSource) string { return d.Token }
func definitionToken(d *Definition) string { return d.Token }

// getJSON fetches ref and decodes the body into v.
func (c *Client) getJSON(ctx context.Context, ref string, v any) error {
	body, err := c.get(ctx, ref, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", ref, err)
	}
	return nil
}

// Get fetches any API reference (an href from _links, an /api path) and
// decodes the JSON answer into v. It is for endpoints without a typed method.
func (c *Client) Get(ctx context.Context, href string, v any) error {
	return c.getJSON(ctx, href, v)
}

// Verify checks the credentials (GET /api/verify) and names the token's
// workspace.
func (c *Client) Verify(ctx context.Context) (*Verify, error) {
	var v Verify
	if err := c.getJSON(ctx, apiPath("verify"), &v); err != nil {
		return nil, fmt.Errorf("verify credentials: %w", err)
	}
	return &v, nil
}

// Workspace returns the workspace account object (GET /api/{ws}).
func (c *Client) Workspace(ctx context.Context, ws string) (*Workspace, error) {
	var w Workspace
	if err := c.getJSON(ctx, apiPath(ws), &w); err != nil {
		return nil, fmt.Errorf("get workspace %s: %w", ws, err)
	}
	return &w, nil
}

// DataSources lists the workspace's database connections. Peers fetch one
// page; it is paged here in case a large workspace is cut at Mode's default
// page size.
func (c *Client) DataSources(ctx context.Context, ws string) ([]DataSource, error) {
	out, err := list(ctx, c, apiPath(ws, "data_sources"), nil, "data_sources", dataSourceToken)
	if err != nil {
		return nil, fmt.Errorf("list data sources: %w", err)
	}
	return out, nil
}

// Definitions lists the workspace's definitions ({{ @name }} snippets),
// paged like DataSources.
func (c *Client) Definitions(ctx context.Context, ws string) ([]Definition, error) {
	out, err := list(ctx, c, apiPath(ws, "definitions"), nil, "definitions", definitionToken)
	if err != nil {
		return nil, fmt.Errorf("list definitions: %w", err)
	}
	return out, nil
}

// Spaces lists collections with the given filter: "all" (includes personal
// collections) or "custom" (shared ones only). An empty filter means "all":
// Mode has answered requests without a filter with an empty list.
func (c *Client) Spaces(ctx context.Context, ws, filter string) ([]Space, error) {
	if filter == "" {
		filter = "all"
	}
	q := url.Values{"filter": {filter}}
	out, err := list(ctx, c, apiPath(ws, "spaces"), q, "spaces", spaceToken)
	if err != nil {
		return nil, fmt.Errorf("list collections (filter %s): %w", filter, err)
	}
	return out, nil
}

// SpaceReports lists every report of a collection (filter=all, paged).
// space is a token or a collection href (either "spaces" or "collections").
func (c *Client) SpaceReports(ctx context.Context, ws, space string) ([]Report, error) {
	return c.spaceListing(ctx, ws, space, "reports")
}

// SpaceDatasets lists the Mode datasets of a collection (paged). Mode lists
// them under _embedded.reports, not "datasets".
func (c *Client) SpaceDatasets(ctx context.Context, ws, space string) ([]Report, error) {
	return c.spaceListing(ctx, ws, space, "datasets")
}

// spaceListing pages /spaces/{space}/{what} with filter=all. Reports and
// datasets alike come under _embedded.reports.
func (c *Client) spaceListing(ctx context.Context, ws, space, what string) ([]Report, error) {
	tok, err := refToken(space, "spaces", "collections")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	out, err := list(ctx, c, apiPath(ws, "spaces", tok, what), url.Values{"filter": {"all"}}, "reports", reportToken)
	if err != nil {
		return nil, fmt.Errorf("list %s in collection %s: %w", what, tok, err)
	}
	return out, nil
}

// Report returns one report or dataset by token (or report/dataset href).
func (c *Client) Report(ctx context.Context, ws, token string) (*Report, error) {
	tok, err := refToken(token, "reports", "datasets")
	if err != nil {
		return nil, fmt.Errorf("get report: %w", err)
	}
	var r Report
	if err := c.getJSON(ctx, apiPath(ws, "reports", tok), &r); err != nil {
		return nil, fmt.Errorf("get report %s: %w", tok, err)
	}
	return &r, nil
}

// ReportQueries lists the queries of a report or dataset. Mode serves this
// as one unpaginated list (paging parameters are not honoured properly).
func (c *Client) ReportQueries(ctx context.Context, ws, report string) ([]Query, error) {
	tok, err := refToken(report, "reports", "datasets")
	if err != nil {
		return nil, fmt.Errorf("list queries: %w", err)
	}
	out, err := listUnpaged(ctx, c, apiPath(ws, "reports", tok, "queries"), "queries", queryToken)
	if err != nil {
		return nil, fmt.Errorf("list queries of report %s: %w", tok, err)
	}
	return out, nil
}

// QueryCharts lists the charts of one query, as one unpaginated list.
func (c *Client) QueryCharts(ctx context.Context, ws, report, query string) ([]Chart, error) {
	rtok, err := refToken(report, "reports", "datasets")
	if err != nil {
		return nil, fmt.Errorf("list charts: %w", err)
	}
	qtok, err := refToken(query, "queries")
	if err != nil {
		return nil, fmt.Errorf("list charts: %w", err)
	}
	out, err := listUnpaged(ctx, c, apiPath(ws, "reports", rtok, "queries", qtok, "charts"), "charts", chartToken)
	if err != nil {
		return nil, fmt.Errorf("list charts of query %s in report %s: %w", qtok, rtok, err)
	}
	return out, nil
}

// User returns a user from a creator href ("/api/jdoe", absolute or
// site-relative) or a bare username. A 404 usually means the user left the
// workspace.
func (c *Client) User(ctx context.Context, hrefOrUsername string) (*User, error) {
	ref := strings.TrimSpace(hrefOrUsername)
	if ref == "" {
		return nil, fmt.Errorf("get user: empty username")
	}
	if !strings.Contains(ref, "/") {
		ref = apiPath(ref)
	}
	var u User
	if err := c.getJSON(ctx, ref, &u); err != nil {
		return nil, fmt.Errorf("get user %s: %w", hrefOrUsername, err)
	}
	return &u, nil
}
