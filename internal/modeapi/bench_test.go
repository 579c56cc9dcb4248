package modeapi

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

// reportPage returns a realistic 1000-report HAL page rendered by fakemode,
// plus the server and collection it came from.
func reportPage(b *testing.B) ([]byte, *fakemode.Server, *fakemode.Workspace, string) {
	b.Helper()
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 1, Spaces: 1, Reports: 1500, Users: 20})
	space, toks := bigSpace(ws)
	require.GreaterOrEqual(b, len(toks), 1000)
	srv := fakemode.NewServer(ws, fakemode.WithRateLimit(0, 0), fakemode.WithRequestLog(false))
	b.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		srv.URL()+"/api/"+ws.Slug+"/spaces/"+space+"/reports?filter=all&per_page=1000&page=1", nil)
	require.NoError(b, err)
	req.SetBasicAuth(fakeCreds.Token, fakeCreds.Secret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	return body, srv, ws, space
}

// BenchmarkDecodeReportPage measures decoding one 1000-report page.
func BenchmarkDecodeReportPage(b *testing.B) {
	body, _, _, _ := reportPage(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, _, err := decodePage[Report](body, "reports")
		if err != nil || len(items) != 1000 {
			b.Fatalf("decoded %d items: %v", len(items), err)
		}
	}
}

// BenchmarkSpaceReports measures a whole listing through the client stack
// (HTTP, limiter, retry layer, paging, decode) against fakemode.
func BenchmarkSpaceReports(b *testing.B) {
	_, srv, ws, space := reportPage(b)
	c, err := New(srv.URL(), fakeCreds, WithRateLimit(0))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		rs, err := c.SpaceReports(context.Background(), ws.Slug, space)
		if err != nil || len(rs) < 1000 {
			b.Fatalf("listed %d reports: %v", len(rs), err)
		}
	}
}
