package fakemode

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigSpace returns a workspace whose first collection holds more than 30
// visible reports, and that collection's visible report tokens in order.
func bigSpace(t *testing.T) (*Workspace, *Space, []string) {
	t.Helper()
	ws := Generate(GenOptions{Seed: 5, Spaces: 1, Reports: 80, DatasetsPerSpace: -1, Users: 50})
	sp := ws.Spaces[0]
	var want []string
	for _, r := range ws.Reports {
		if r.SpaceToken == sp.Token && !r.IsDataset() {
			want = append(want, r.Token)
		}
	}
	require.Greater(t, len(want), 45)
	return ws, sp, want
}

func TestPagingModes(t *testing.T) {
	ws, sp, want := bigSpace(t)
	n := len(want)
	path := "/api/acme/spaces/" + sp.Token + "/reports"
	pages := func(size int) int { return (n + size - 1) / size }
	cases := []struct {
		name        string
		mode        PagingMode
		query       string // extra query for page 1 (page=k is added)
		wantSize    int    // items on page 1
		wantMeta    bool   // pagination + next_page expected
		pastEnd     string // "empty", "absent" or "repeat"
		perPageSent bool
	}{
		{"honour", PagingHonour, "per_page=20", 20, true, "empty", true},
		{"honour without params", PagingHonour, "", 30, false, "empty", false},
		{"honour caps at 1000", PagingHonour, "per_page=5000", n, true, "empty", true},
		{"ignore per_page", PagingIgnorePerPage, "per_page=20", 30, true, "empty", true},
		{"clamp", PagingClamp(10), "per_page=20", 10, true, "empty", true},
		{"clamp default size", PagingClamp(10), "", 10, false, "empty", false},
		{"no links", PagingNoLinks, "per_page=20", 20, false, "empty", true},
		{"absent key", PagingAbsentKey, "per_page=20", 20, true, "absent", true},
		{"repeat last", PagingRepeatLast, "per_page=20", 20, true, "repeat", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ws, WithPaging(tc.mode), WithRateLimit(0, 0))
			url := func(page int) string {
				q := tc.query
				if q != "" {
					q += "&"
				}
				return path + "?" + q + "page=" + strconv.Itoa(page)
			}
			if !tc.perPageSent {
				// No paging parameter at all: only page 1 is reachable.
				res := get(t, s, path)
				items, _ := embedded(t, res, "reports")
				assert.Len(t, items, tc.wantSize)
				assert.NotContains(t, res.body, "pagination")
				assert.Empty(t, href(res.body, "next_page"))
				assert.Equal(t, want[:tc.wantSize], tokens(items))
				return
			}
			var got []string
			last := pages(tc.wantSize)
			var lastPage []string
			for p := 1; p <= last; p++ {
				res := get(t, s, url(p))
				require.Equal(t, 200, res.status)
				items, ok := embedded(t, res, "reports")
				require.True(t, ok)
				got = append(got, tokens(items)...)
				lastPage = tokens(items)
				if tc.wantMeta {
					pag := res.body["pagination"].(map[string]any)
					assert.EqualValues(t, p, pag["page"])
					assert.EqualValues(t, n, pag["total_count"])
					assert.EqualValues(t, last, pag["total_pages"])
					if p < last {
						assert.Contains(t, href(res.body, "next_page"), "page="+strconv.Itoa(p+1))
					} else {
						assert.Empty(t, href(res.body, "next_page"))
					}
					if p > 1 {
						assert.Contains(t, href(res.body, "prev_page"), "page="+strconv.Itoa(p-1))
					}
				} else {
					assert.NotContains(t, res.body, "pagination")
					assert.Empty(t, href(res.body, "next_page"))
				}
			}
			assert.Equal(t, want, got, "walking every page yields every report once, in order")
			past := get(t, s, url(last+1))
			items, ok := embedded(t, past, "reports")
			switch tc.pastEnd {
			case "empty":
				assert.True(t, ok)
				assert.Empty(t, items)
				assert.Equal(t, "[]", string(mustJSON(items)), "an empty list, not null")
			case "absent":
				assert.False(t, ok, "past the end the key is absent")
			case "repeat":
				assert.Equal(t, lastPage, tokens(items))
			}
		})
	}
}

func TestPagingForSomeEndpoints(t *testing.T) {
	ws, sp, _ := bigSpace(t)
	members := 0
	for _, u := range ws.Users {
		if !u.Left {
			members++
		}
	}
	require.Greater(t, members, 30)
	cases := []struct {
		name     string
		opts     []Option
		path     string
		key      string
		wantSize int
	}{
		{"memberships are unpaged by default", nil, "/api/acme/memberships", "memberships", members},
		{"memberships honour per_page when sent", nil, "/api/acme/memberships?per_page=10&page=1", "memberships", 10},
		{"memberships paging at 30", []Option{WithPagingFor("/memberships", PagingIgnorePerPage)}, "/api/acme/memberships", "memberships", 30},
		{"other endpoints keep the global mode", []Option{WithPagingFor("/memberships", PagingIgnorePerPage)},
			"/api/acme/spaces/" + sp.Token + "/reports?per_page=20", "reports", 20},
		{"first matching rule wins", []Option{WithPagingFor("/reports", PagingClamp(5)), WithPagingFor("/spaces", PagingClamp(7))},
			"/api/acme/spaces/" + sp.Token + "/reports?per_page=20", "reports", 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ws, append(tc.opts, WithRateLimit(0, 0))...)
			items, ok := embedded(t, get(t, s, tc.path), tc.key)
			require.True(t, ok)
			assert.Len(t, items, tc.wantSize)
		})
	}
}

func TestPagingModeString(t *testing.T) {
	assert.Equal(t, "honour", PagingHonour.String())
	assert.Equal(t, "clamp-25", PagingClamp(25).String())
	assert.Equal(t, "repeat-last", PagingRepeatLast.String())
}

func TestFaults(t *testing.T) {
	ws := Sample()
	t.Run("status a given number of times", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{PathContains: "/spaces", Status: 503, Times: 2}))
		assert.Equal(t, 200, get(t, s, "/api/verify").status, "other paths unaffected")
		for range 2 {
			res := get(t, s, "/api/acme/spaces")
			assert.Equal(t, 503, res.status)
			assert.Equal(t, "service_unavailable", res.body["id"])
		}
		assert.Equal(t, 200, get(t, s, "/api/acme/spaces").status)
		assert.Equal(t, 2, s.Stats().ByStatus[503])
	})
	t.Run("match func, unlimited", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{
			Match:  func(r *http.Request) bool { return r.URL.Query().Get("page") == "2" },
			Status: 500,
		}))
		for range 3 {
			assert.Equal(t, 500, get(t, s, "/api/acme/spaces?page=2").status)
		}
		assert.Equal(t, 200, get(t, s, "/api/acme/spaces?page=1").status)
	})
	t.Run("faults apply before auth", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{Status: 502, Times: 1}))
		res, err := doAuth(s, http.MethodGet, "/api/verify", "", "")
		require.NoError(t, err)
		assert.Equal(t, 502, res.status)
	})
	t.Run("delay", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{PathContains: "verify", Delay: 120 * time.Millisecond, Times: 1}))
		start := time.Now()
		assert.Equal(t, 200, get(t, s, "/api/verify").status)
		assert.GreaterOrEqual(t, time.Since(start), 120*time.Millisecond)
	})
	t.Run("latency", func(t *testing.T) {
		s := newTestServer(t, ws, WithLatency(80*time.Millisecond))
		start := time.Now()
		get(t, s, "/api/verify")
		assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	})
	t.Run("truncated body", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{PathContains: "/spaces", Truncate: true, Times: 1}))
		_, err := do(s, http.MethodGet, "/api/acme/spaces?filter=all")
		require.Error(t, err)
		assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "got %v", err)
		assert.Equal(t, 200, get(t, s, "/api/acme/spaces?filter=all").status, "next request is whole")
	})
	t.Run("reset connection", func(t *testing.T) {
		s := newTestServer(t, ws, WithFault(Fault{PathContains: "/data_sources", ResetConn: true, Times: 1}))
		_, err := do(s, http.MethodGet, "/api/acme/data_sources")
		require.Error(t, err)
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, 0, reqs[0].Status)
		assert.Equal(t, "/api/acme/data_sources", reqs[0].Path)
		assert.Equal(t, 200, get(t, s, "/api/acme/data_sources").status)
	})
	t.Run("request log keeps query and user", func(t *testing.T) {
		s := newTestServer(t, ws)
		get(t, s, "/api/acme/spaces?filter=all&page=1")
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "filter=all&page=1", reqs[0].RawQuery)
		assert.Equal(t, "demo-token", reqs[0].Username)
		assert.Equal(t, 200, reqs[0].Status)
		assert.False(t, reqs[0].At.IsZero())
		assert.False(t, strings.Contains(reqs[0].RawQuery, "demo-secret"))
	})
	t.Run("request log off", func(t *testing.T) {
		s := newTestServer(t, ws, WithRequestLog(false))
		get(t, s, "/api/verify")
		assert.Empty(t, s.Requests())
		assert.Equal(t, 1, s.Stats().Total)
	})
}
