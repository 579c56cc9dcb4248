package fakemode

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// result is one decoded answer.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request with the default credentials; it is safe to call from
// goroutines (it never calls t.Fatal) and returns the transport error.
func do(s *Server, method, path string) (result, error) {
	return doAuth(s, method, path, "demo-token", "demo-secret")
}

func doAuth(s *Server, method, path, user, pass string) (result, error) {
	req, err := http.NewRequest(method, s.URL()+path, nil)
	if err != nil {
		return result{}, err
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, err
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &res.body); err != nil {
			return res, err
		}
	}
	return res, nil
}

// get fetches path with GET and fails the test on transport errors.
func get(t *testing.T, s *Server, path string) result {
	t.Helper()
	res, err := do(s, http.MethodGet, path)
	require.NoError(t, err, path)
	return res
}

// embedded returns the list under _embedded[key], and whether the key was
// present.
func embedded(t *testing.T, res result, key string) ([]any, bool) {
	t.Helper()
	emb, ok := res.body["_embedded"].(map[string]any)
	require.True(t, ok, "no _embedded in %s", res.raw)
	list, ok := emb[key]
	if !ok {
		return nil, false
	}
	items, ok := list.([]any)
	require.True(t, ok, "_embedded.%s is not a list", key)
	return items, true
}

// tokens returns the "token" of each item.
func tokens(items []any) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.(map[string]any)["token"].(string))
	}
	return out
}

// href returns _links[name].href of an object.
func href(obj map[string]any, name string) string {
	l, _ := obj["_links"].(map[string]any)
	one, _ := l[name].(map[string]any)
	h, _ := one["href"].(string)
	return h
}

// newTestServer starts a server and closes it with the test.
func newTestServer(t *testing.T, ws *Workspace, opts ...Option) *Server {
	t.Helper()
	s := NewServer(ws, opts...)
	t.Cleanup(s.Close)
	return s
}

// spaceByName finds a collection of ws.
func spaceByName(ws *Workspace, name string, hidden bool) *Space {
	for _, s := range ws.Spaces {
		if s.Name != nil && *s.Name == name && s.HiddenFromAPI == hidden {
			return s
		}
	}
	return nil
}

// reportByName finds a report of ws.
func reportByName(ws *Workspace, name string) *Report {
	for _, r := range ws.Reports {
		if r.Name != nil && *r.Name == name {
			return r
		}
	}
	return nil
}
