package modeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// envelope is a HAL collection with _embedded kept raw, for keys that
// embeddedLists does not know.
type envelope struct {
	Embedded   map[string]json.RawMessage `json:"_embedded"`
	Links      Links                      `json:"_links"`
	Pagination *Pagination                `json:"pagination"`
}

// embeddedLists names every list key the client reads, so a page decodes
// in one pass (no raw copy of the list and no second scan over it).
type embeddedLists[T any] struct {
	Reports     []T `json:"reports"`
	Spaces      []T `json:"spaces"`
	Queries     []T `json:"queries"`
	Charts      []T `json:"charts"`
	DataSources []T `json:"data_sources"`
	Definitions []T `json:"definitions"`
}

// pick returns the list under key and whether key is a known one.
func (e *embeddedLists[T]) pick(key string) ([]T, bool) {
	switch key {
	case "reports":
		return e.Reports, true
	case "spaces":
		return e.Spaces, true
	case "queries":
		return e.Queries, true
	case "charts":
		return e.Charts, true
	case "data_sources":
		return e.DataSources, true
	case "definitions":
		return e.Definitions, true
	}
	return nil, false
}

// typedPage is a HAL collection decoded in one pass.
type typedPage[T any] struct {
	Embedded   embeddedLists[T] `json:"_embedded"`
	Links      Links            `json:"_links"`
	Pagination *Pagination      `json:"pagination"`
}

// decodePage decodes a HAL page and its _embedded[key] list. A missing
// _embedded or key is an empty page (Mode sends `"_embedded": {}` past the
// end on some endpoints).
func decodePage[T any](body []byte, key string) ([]T, *envelope, error) {
	var tp typedPage[T]
	if err := json.Unmarshal(body, &tp); err == nil {
		if items, ok := tp.Embedded.pick(key); ok {
			return items, &envelope{Links: tp.Links, Pagination: tp.Pagination}, nil
		}
	}
	// Unknown key, or another embedded list that does not fit T: decode
	// only the wanted key.
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, nil, fmt.Errorf("decode page: %w", err)
	}
	raw, ok := env.Embedded[key]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return nil, &env, nil
	}
	var items []T
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, nil, fmt.Errorf("decode _embedded.%s: %w", key, err)
	}
	return items, &env, nil
}

// collector accumulates the items of a listing, dropping tokens already
// seen and detecting pages that repeat an earlier one.
type collector[T any] struct {
	tok   func(*T) string
	items []T
	seen  map[string]struct{}
	pages map[string]int // page signature → first page number with it
}

func newCollector[T any](tok func(*T) string) *collector[T] {
	return &collector[T]{tok: tok, seen: map[string]struct{}{}, pages: map[string]int{}}
}

// add appends the new items of a page. It returns the number of the earlier
// page this one repeats (same set of tokens), or 0; a repeated page adds
// nothing.
func (c *collector[T]) add(page int, items []T) (repeatOf int) {
	toks := make([]string, len(items))
	for i := range items {
		toks[i] = c.tok(&items[i])
	}
	sorted := slices.Sorted(slices.Values(toks))
	sig := strings.Join(sorted, ",")
	if first, ok := c.pages[sig]; ok {
		return first
	}
	c.pages[sig] = page
	for i, t := range toks {
		if t != "" {
			if _, dup := c.seen[t]; dup {
				continue
			}
			c.seen[t] = struct{}{}
		}
		c.items = append(c.items, items[i])
	}
	return 0
}

// list fetches every page of a paged HAL listing at path (query q plus page
// and per_page) and returns the items of _embedded[key], deduped by token.
//
// Mode's paging signals cannot be trusted on their own (they are absent on
// some endpoints and per_page is clamped or ignored on others), so the rules
// are built to never stop early:
//   - stop on an empty page (or a missing key);
//   - a page shorter than per_page is not the end: the server may have
//     clamped or ignored per_page;
//   - _links.next_page, when present, names the next page number;
//   - pagination.total_pages / total_count, when present, end the listing
//     once all of them are reached (so an honoured single page costs one
//     request), and are cross-checked against what was received;
//   - a page repeating an earlier one (a server that clamps out-of-range
//     pages to the last page, or ignores page) ends the listing with the
//     duplicate dropped and a warning;
//   - maxPages is a last guard.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, key string, tok func(*T) string) ([]T, error) {
	col := newCollector(tok)
	page := 1
	perPage := c.perPage
	for n := 0; ; n++ {
		if n >= c.maxPages {
			return nil, fmt.Errorf("list %s: %w (%d pages)", path, ErrTooManyPages, c.maxPages)
		}
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(page))
		if perPage > 0 {
			pq.Set("per_page", strconv.Itoa(perPage))
		}
		body, err := c.get(ctx, path, pq)
		if err != nil {
			var api *APIError
			switch {
			case page == 1 && len(col.items) == 0 && errors.As(err, &api) && api.StatusCode == http.StatusBadRequest && perPage != 0:
				// A server that rejects the page size (Mode's documents
				// disagree on whether 1000 is allowed): ask for 100, then
				// for its default, before giving up on the listing.
				if perPage > 100 {
					perPage = 100
				} else {
					perPage = 0 // the server's default
				}
				c.log.Warn("mode rejected the page size; retrying with a smaller one", "path", path, "per_page", perPage)
				continue
			case page > 1 && len(col.items) > 0 && IsNotFound(err):
				// Mode answers an empty page past the end; a 404 there comes
				// from a server or proxy that only knows the pages it has.
				c.log.Warn("mode answered 404 past the first page; ending this listing",
					"path", path, "page", page, "received", len(col.items))
				return col.items, nil
			}
			return nil, err
		}
		items, env, err := decodePage[T](body, key)
		if err != nil {
			return nil, fmt.Errorf("list %s page %d: %w", path, page, err)
		}
		totalPages, totalCount := totals(env.Pagination)
		if len(items) == 0 {
			if totalPages > 0 && page <= totalPages || totalCount > 0 && len(col.items) < totalCount {
				c.log.Warn("mode listing ended before its announced total",
					"path", path, "page", page, "total_pages", totalPages,
					"total_count", totalCount, "received", len(col.items))
			}
			return col.items, nil
		}
		if first := col.add(page, items); first != 0 {
			c.log.Warn("mode repeated a page; stopping this listing",
				"path", path, "page", page, "repeats_page", first, "received", len(col.items))
			return col.items, nil
		}
		// The announced totals end the listing only when every total that
		// was sent has been reached: a page count alone can be stale when
		// items moved between pages, and then one more (empty) page is the
		// cheap way to be sure.
		next, hasNext := nextPage(env.Links, page)
		announced := totalPages > 0 || totalCount > 0
		pagesDone := totalPages == 0 || page >= totalPages
		countDone := totalCount == 0 || len(col.items) >= totalCount
		if !hasNext && announced && pagesDone && countDone {
			return col.items, nil
		}
		page = next
	}
}

// listUnpaged fetches an endpoint Mode serves as one full list
// (/reports/{r}/queries, .../charts): one request without page parameters,
// following _links.next_page only if the server ever sends one.
func listUnpaged[T any](ctx context.Context, c *Client, path, key string, tok func(*T) string) ([]T, error) {
	col := newCollector(tok)
	ref := path
	for n := 1; ; n++ {
		if n > c.maxPages {
			return nil, fmt.Errorf("list %s: %w (%d pages)", path, ErrTooManyPages, c.maxPages)
		}
		body, err := c.get(ctx, ref, nil)
		if err != nil {
			return nil, err
		}
		items, env, err := decodePage[T](body, key)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", path, err)
		}
		if len(items) == 0 {
			return col.items, nil
		}
		if first := col.add(n, items); first != 0 {
			c.log.Warn("mode repeated a page; stopping this listing", "path", path, "page", n, "repeats_page", first)
			return col.items, nil
		}
		ref = env.Links.Href("next_page")
		if ref == "" {
			return col.items, nil
		}
	}
}

// nextPage returns the page after cur: the page number of _links.next_page
// when it names a later page, else cur+1. hasNext reports whether the server
// sent a next_page link at all.
func nextPage(links Links, cur int) (next int, hasNext bool) {
	href := links.Href("next_page")
	if href == "" {
		return cur + 1, false
	}
	if u, err := url.Parse(href); err == nil {
		if p, err := strconv.Atoi(u.Query().Get("page")); err == nil && p > cur {
			return p, true
		}
	}
	return cur + 1, true
}

// totals reads pagination.total_pages and total_count (0 when absent).
func totals(p *Pagination) (pages, count int) {
	if p == nil {
		return 0, 0
	}
	if p.TotalPages != nil {
		pages = int(*p.TotalPages)
	}
	if p.TotalCount != nil {
		count = int(*p.TotalCount)
	}
	return pages, count
}
