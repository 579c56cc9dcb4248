package fakemode

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// view is the per-request state a handler renders with.
type view struct {
	s       *Server
	ws      *Workspace
	deleted map[string]bool
	r       *http.Request
}

// deletedSnapshot copies the deleted set under one lock, so a handler
// filtering thousands of objects does not take the lock per object.
func (s *Server) deletedSnapshot() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.deleted) == 0 {
		return nil
	}
	out := make(map[string]bool, len(s.deleted))
	for k := range s.deleted {
		out[k] = true
	}
	return out
}

// route dispatches an authenticated GET/HEAD to its endpoint.
func (s *Server) route(r *http.Request) response {
	p, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		return notFound("resource")
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	v := &view{s: s, ws: s.ws, deleted: s.deletedSnapshot(), r: r}
	ws := s.ws.Slug
	if len(segs) == 1 {
		switch seg := segs[0]; seg {
		case "verify":
			return jsonResponse(http.StatusOK, verifyJSON{
				Workspace: ws, WorkspaceToken: s.ws.Token,
				Links: links{"self": {Href: "/api/" + ws}},
			})
		case ws:
			return jsonResponse(http.StatusOK, v.account())
		default:
			// /api/account is "Not Supported" with workspace tokens.
			u := s.idx.users[seg]
			if u == nil || u.Left {
				return notFound("user " + seg)
			}
			return jsonResponse(http.StatusOK, v.user(u))
		}
	}
	if segs[0] != ws {
		return notFound("workspace " + segs[0])
	}
	rest := segs[1:]
	switch rest[0] {
	case "spaces", "collections":
		return v.spaces(rest[1:])
	case "reports":
		return v.reports(rest[1:])
	case "datasets":
		return v.datasets(rest[1:])
	case "data_sources":
		return v.dataSources(rest[1:])
	case "definitions":
		return v.definitionsRoute(rest[1:])
	case "memberships":
		if len(rest) == 1 {
			return v.memberships()
		}
	}
	return notFound("resource")
}

// api is the site-relative API prefix of the workspace.
func (v *view) api() string { return "/api/" + v.ws.Slug }

func (v *view) spaceVisible(sp *Space) bool {
	return sp != nil && !sp.HiddenFromAPI && !v.deleted[sp.Token]
}

func (v *view) reportVisible(r *Report) bool {
	return r != nil && !v.deleted[r.Token] && v.spaceVisible(v.s.idx.spaces[r.SpaceToken])
}

// spaces serves /spaces, /spaces/{s}, /spaces/{s}/reports|datasets.
func (v *view) spaces(rest []string) response {
	ix := v.s.idx
	switch len(rest) {
	case 0:
		filter := v.r.URL.Query().Get("filter")
		var out []any
		for _, sp := range v.ws.Spaces {
			if !v.spaceVisible(sp) {
				continue
			}
			switch filter {
			case "all":
			case "custom":
				if sp.SpaceType != SpaceCustom {
					continue
				}
			default:
				// Without filter=all Mode hides other users' personal
				// collections; a workspace token owns none.
				if sp.SpaceType == SpacePrivate {
					continue
				}
			}
			out = append(out, v.space(sp))
		}
		return v.anyList("spaces", v.api()+"/collections", out, true)
	case 1, 2:
		sp := ix.spaces[rest[0]]
		if !v.spaceVisible(sp) {
			return notFound("collection " + rest[0])
		}
		if len(rest) == 1 {
			return jsonResponse(http.StatusOK, v.space(sp))
		}
		var src []*Report
		switch rest[1] {
		case "reports":
			src = ix.spaceReports[sp.Token]
		case "datasets":
			src = ix.spaceDatasets[sp.Token]
		default:
			return notFound("resource")
		}
		items, ok := v.filterReports(src)
		if !ok {
			return errorResponse(http.StatusBadRequest, "bad_request", "invalid filter")
		}
		// Datasets are listed under "reports" too.
		return v.reportList(v.api()+"/collections/"+sp.Token+"/"+rest[1], items, true)
	}
	return notFound("resource")
}

// filterReports applies visibility, filter and order to a report list.
// filter is "all" or {created_at|updated_at}.{gt|lt}.{ISO8601}.
func (v *view) filterReports(src []*Report) ([]*Report, bool) {
	q := v.r.URL.Query()
	var field, op string
	var at time.Time
	if f := q.Get("filter"); f != "" && f != "all" {
		parts := strings.SplitN(f, ".", 3)
		if len(parts) != 3 || (parts[0] != "created_at" && parts[0] != "updated_at") ||
			(parts[1] != "gt" && parts[1] != "lt") {
			return nil, false
		}
		t, err := time.Parse(time.RFC3339Nano, parts[2])
		if err != nil {
			return nil, false
		}
		field, op, at = parts[0], parts[1], t
	}
	kept := make([]*Report, 0, len(src))
	for _, r := range src {
		if !v.reportVisible(r) {
			continue
		}
		if field != "" {
			t := reportTime(r, field)
			if t == nil || (op == "gt" && !t.After(at)) || (op == "lt" && !t.Before(at)) {
				continue
			}
		}
		kept = append(kept, r)
	}
	if by := q.Get("order_by"); by == "created_at" || by == "updated_at" {
		desc := q.Get("order") == "desc"
		slices.SortStableFunc(kept, func(a, b *Report) int {
			ta, tb := reportTime(a, by), reportTime(b, by)
			c := compareTimes(ta, tb)
			if desc {
				return -c
			}
			return c
		})
	}
	return kept, true
}

// reportList renders a paged list of reports; only the page is rendered.
func (v *view) reportList(self string, reports []*Report, pagedByDefault bool) response {
	return v.list("reports", self, len(reports), func(i int) any { return v.report(reports[i]) }, pagedByDefault)
}

// anyList adapts a rendered slice to list.
func (v *view) anyList(key, self string, items []any, pagedByDefault bool) response {
	return v.list(key, self, len(items), func(i int) any { return items[i] }, pagedByDefault)
}

func reportTime(r *Report, field string) *time.Time {
	if field == "created_at" {
		return r.CreatedAt
	}
	return r.UpdatedAt
}

func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// reports serves /reports/{r}[/queries[/{q}[/charts[/{c}]]]].
func (v *view) reports(rest []string) response {
	if len(rest) == 0 {
		return notFound("resource")
	}
	rep := v.s.idx.reports[rest[0]]
	if !v.reportVisible(rep) {
		return notFound("report " + rest[0])
	}
	if len(rest) == 1 {
		return jsonResponse(http.StatusOK, v.report(rep))
	}
	if rest[1] != "queries" {
		return notFound("resource")
	}
	base := v.api() + "/reports/" + rep.Token + "/queries"
	if len(rest) == 2 {
		// Unpaginated: Mode returns the full list and ignores page params.
		var out []any
		for _, q := range rep.Queries {
			if !v.deleted[q.Token] {
				out = append(out, v.query(rep, q))
			}
		}
		return v.fullList("queries", base, out)
	}
	q := findQuery(rep, rest[2])
	if q == nil || v.deleted[q.Token] {
		return notFound("query " + rest[2])
	}
	if len(rest) == 3 {
		return jsonResponse(http.StatusOK, v.query(rep, q))
	}
	if rest[3] != "charts" {
		return notFound("resource")
	}
	if len(rest) == 4 {
		var out []any
		for _, c := range q.Charts {
			if !v.deleted[c.Token] {
				out = append(out, v.chart(rep, q, c))
			}
		}
		return v.fullList("charts", base+"/"+q.Token+"/charts", out)
	}
	if len(rest) == 5 {
		for _, c := range q.Charts {
			if c.Token == rest[4] && !v.deleted[c.Token] {
				return jsonResponse(http.StatusOK, v.chart(rep, q, c))
			}
		}
		return notFound("chart " + rest[4])
	}
	return notFound("resource")
}

func findQuery(r *Report, token string) *Query {
	for _, q := range r.Queries {
		if q.Token == token {
			return q
		}
	}
	return nil
}

// datasets serves /datasets/{d} and /datasets/{d}/reports.
func (v *view) datasets(rest []string) response {
	if len(rest) == 0 || len(rest) > 2 {
		return notFound("resource")
	}
	d := v.s.idx.reports[rest[0]]
	if !v.reportVisible(d) || !d.IsDataset() {
		return notFound("dataset " + rest[0])
	}
	if len(rest) == 1 {
		return jsonResponse(http.StatusOK, v.report(d))
	}
	if rest[1] != "reports" {
		return notFound("resource")
	}
	var out []*Report
	for _, r := range v.s.idx.importers[d.Token] {
		if v.reportVisible(r) {
			out = append(out, r)
		}
	}
	return v.reportList(v.api()+"/datasets/"+d.Token+"/reports", out, false)
}

// dataSources serves /data_sources, /data_sources/{t} and its
// reports/datasets lists.
func (v *view) dataSources(rest []string) response {
	if len(rest) == 0 {
		out := make([]any, 0, len(v.ws.DataSources))
		for _, d := range v.ws.DataSources {
			out = append(out, v.dataSource(d))
		}
		return v.anyList("data_sources", v.api()+"/data_sources", out, false)
	}
	d := v.s.idx.dataSources[rest[0]]
	if d == nil {
		return notFound("data source " + rest[0])
	}
	if len(rest) == 1 {
		return jsonResponse(http.StatusOK, v.dataSource(d))
	}
	if len(rest) == 2 && (rest[1] == "reports" || rest[1] == "datasets") {
		wantDataset := rest[1] == "datasets"
		var src []*Report
		for _, r := range v.ws.Reports {
			if r.IsDataset() != wantDataset {
				continue
			}
			for _, q := range r.Queries {
				if q.DataSourceID == d.ID {
					src = append(src, r)
					break
				}
			}
		}
		items, ok := v.filterReports(src)
		if !ok {
			return errorResponse(http.StatusBadRequest, "bad_request", "invalid filter")
		}
		return v.reportList(v.api()+"/data_sources/"+d.Token+"/"+rest[1], items, true)
	}
	return notFound("resource")
}

// definitionsRoute serves /definitions (with filter=by_tokens&tokens=a,b)
// and /definitions/{t}.
func (v *view) definitionsRoute(rest []string) response {
	switch len(rest) {
	case 0:
		q := v.r.URL.Query()
		var want map[string]bool
		if q.Get("filter") == "by_tokens" {
			want = map[string]bool{}
			for _, t := range strings.Split(q.Get("tokens"), ",") {
				if t = strings.TrimSpace(t); t != "" {
					want[t] = true
				}
			}
		}
		out := make([]any, 0, len(v.ws.Definitions))
		for _, d := range v.ws.Definitions {
			if want == nil || want[d.Token] {
				out = append(out, v.definition(d))
			}
		}
		return v.anyList("definitions", v.api()+"/definitions", out, false)
	case 1:
		d := v.s.idx.definitions[rest[0]]
		if d == nil {
			return notFound("definition " + rest[0])
		}
		return jsonResponse(http.StatusOK, v.definition(d))
	}
	return notFound("resource")
}

// memberships serves /memberships: current members only.
func (v *view) memberships() response {
	out := make([]any, 0, len(v.ws.Users))
	for _, u := range v.ws.Users {
		if !u.Left {
			out = append(out, v.membership(u))
		}
	}
	return v.anyList("memberships", v.api()+"/memberships", out, false)
}

// fullList renders an unpaginated HAL list.
func (v *view) fullList(key, self string, items []any) response {
	if items == nil {
		items = []any{}
	}
	return jsonResponse(http.StatusOK, listJSON{
		Links:    links{"self": {Href: self}},
		Embedded: map[string]any{key: items},
	})
}

// list renders a HAL list, paged according to the paging mode for this
// path. pagedByDefault lists (collections, reports) answer the first 30
// items when no page parameter is sent; the others answer everything.
func (v *view) list(key, self string, total int, item func(i int) any, pagedByDefault bool) response {
	mode := v.s.pagingMode(v.r.URL.Path)
	q := v.r.URL.Query()
	hasParams := q.Has("page") || q.Has("per_page")
	if !hasParams && !pagedByDefault && mode != PagingIgnorePerPage {
		return v.fullList(key, self, render(item, 0, total))
	}
	perPage := 30
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 1000)
	}
	switch {
	case mode == PagingIgnorePerPage:
		perPage = 30
	case mode.clamp() > 0:
		perPage = min(perPage, mode.clamp())
	}
	page := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	totalPages := (total + perPage - 1) / perPage
	lo := (page - 1) * perPage
	absent := false
	if lo >= total {
		switch mode {
		case PagingRepeatLast:
			if totalPages > 0 {
				lo = (totalPages - 1) * perPage
			}
		case PagingAbsentKey:
			absent = true
		}
	}
	lo = min(lo, total)
	hi := min(lo+perPage, total)
	pageItems := render(item, lo, hi)
	out := listJSON{Links: links{"self": {Href: self + encodeQuery(q)}}, Embedded: map[string]any{}}
	if !absent {
		out.Embedded[key] = pageItems
	}
	if hasParams && mode != PagingNoLinks {
		out.Pagination = &paginationJSON{Page: page, PerPage: perPage, Count: len(pageItems),
			TotalPages: totalPages, TotalCount: total}
		if page < totalPages {
			out.Links["next_page"] = link{Href: self + pageQuery(q, page+1, perPage)}
		}
		if page > 1 {
			out.Links["prev_page"] = link{Href: self + pageQuery(q, min(page-1, max(totalPages, 1)), perPage)}
		}
	}
	return jsonResponse(http.StatusOK, out)
}

// render calls item for lo..hi-1; the result is never nil.
func render(item func(i int) any, lo, hi int) []any {
	out := make([]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, item(i))
	}
	return out
}

// pagingMode returns the paging mode for a path.
func (s *Server) pagingMode(path string) PagingMode {
	for _, p := range s.cfg.pagingFor {
		if strings.Contains(path, p.contains) {
			return p.mode
		}
	}
	return s.cfg.paging
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func pageQuery(q url.Values, page, perPage int) string {
	c := url.Values{}
	for k, vs := range q {
		c[k] = vs
	}
	c.Set("page", strconv.Itoa(page))
	c.Set("per_page", strconv.Itoa(perPage))
	return "?" + c.Encode()
}
