package modeapi

import (
	"strings"
	"testing"
)

// FuzzResolve: whatever href Mode (or a hostile proxy) puts in _links, the
// resolved URL stays on the configured site, so the Basic credentials can
// never be sent to another host.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"/api/acme/reports/abc", "https://evil.example/api/x", "//evil.example/api/x",
		"jdoe", "api/jdoe", "/acme/reports/x?page=2", "http://u:p@evil.example:81/x",
		"\\\\evil.example/x", "/api/../../x", "%2F%2Fevil.example", "", "?page=1",
	} {
		f.Add(s)
	}
	c, err := New("https://app.mode.com", testCreds)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		u, err := c.resolve(ref)
		if err != nil {
			return
		}
		if u.Scheme != "https" || u.Host != "app.mode.com" || u.User != nil {
			t.Fatalf("resolve(%q) left the site: %s", ref, u)
		}
		if !strings.HasPrefix(u.Path, "/api") {
			t.Fatalf("resolve(%q) = %s is outside /api", ref, u)
		}
	})
}

// FuzzDecodePage: no body makes the pager's decoder panic.
func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`{"_embedded":{"reports":[{"token":"a","id":"12","query_count":3}]},"pagination":{"total_pages":"2"}}`,
		`{"_embedded":{}}`, `{"_embedded":null}`, `{"_embedded":{"reports":null}}`, `[]`, `null`, `{"_links":{"next_page":{"href":7}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, env, err := decodePage[Report](body, "reports")
		if err == nil && env == nil {
			t.Fatalf("nil envelope without error (%d items)", len(items))
		}
		if err == nil {
			_, _ = totals(env.Pagination)
			_, _ = nextPage(env.Links, 1)
		}
	})
}
