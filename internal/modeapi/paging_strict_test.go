package modeapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spacesPage renders a spaces page with tokens first..first+n-1.
func spacesPage(first, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"token":"%012x","id":%d,"space_type":"custom","name":"S%d"}`, first+i, first+i, first+i)
	}
	return `{"_links":{"self":{"href":"/api/acme/spaces"}},"_embedded":{"spaces":[` + strings.Join(items, ",") + `]}}`
}

// TestListingSurvivesStrictServers: a server that rejects the page size or
// only knows the pages it recorded still yields every item it has.
func TestListingSurvivesStrictServers(t *testing.T) {
	tests := []struct {
		name      string
		handler   func(w http.ResponseWriter, r *http.Request)
		want      int
		perPageOK string
	}{
		{
			name: "rejects per_page 1000, accepts 100",
			handler: func(w http.ResponseWriter, r *http.Request) {
				pp, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				if pp > 100 {
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"id":"bad_request","message":"per_page must be at most 100"}`))
					return
				}
				switch page {
				case 1:
					_, _ = w.Write([]byte(spacesPage(1, 100)))
				case 2:
					_, _ = w.Write([]byte(spacesPage(101, 20)))
				default:
					_, _ = w.Write([]byte(spacesPage(0, 0)))
				}
			},
			want: 120, perPageOK: "100",
		},
		{
			name: "rejects any per_page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("per_page") {
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"id":"bad_request","message":"unknown parameter per_page"}`))
					return
				}
				if r.URL.Query().Get("page") == "1" {
					_, _ = w.Write([]byte(spacesPage(1, 30)))
					return
				}
				_, _ = w.Write([]byte(spacesPage(0, 0)))
			},
			want: 30, perPageOK: "",
		},
		{
			name: "404 past the recorded first page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("page") != "1" {
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(`{"id":"not_found","message":"no such page"}`))
					return
				}
				_, _ = w.Write([]byte(spacesPage(1, 30)))
			},
			want: 30,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var lastOK string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := httptest.NewRecorder()
				tt.handler(rec, r)
				if rec.Code == http.StatusOK {
					mu.Lock()
					lastOK = r.URL.Query().Get("per_page")
					mu.Unlock()
				}
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL)
			spaces, err := c.Spaces(t.Context(), "acme", "all")
			require.NoError(t, err)
			assert.Len(t, spaces, tt.want)
			if tt.perPageOK != "" || tt.name == "rejects any per_page" {
				mu.Lock()
				assert.Equal(t, tt.perPageOK, lastOK)
				mu.Unlock()
			}
		})
	}
}

// TestFirstPage404StillFails: a 404 on the first page is a real error (the
// workspace or collection does not exist), not an empty listing.
func TestFirstPage404StillFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"id":"not_found","message":"no such workspace"}`))
	}))
	defer srv.Close()
	_, err := newTestClient(t, srv.URL).Spaces(t.Context(), "acme", "all")
	require.Error(t, err)
	assert.True(t, IsNotFound(err))
}
