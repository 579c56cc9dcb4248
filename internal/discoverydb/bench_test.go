package discoverydb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
)

// syntheticWorkspace has reports reports of one query each and users users.
func syntheticWorkspace(reports, users int) *fakemode.Workspace {
	ws := &fakemode.Workspace{Slug: "bench", Now: testNow,
		Spaces: []*fakemode.Space{{Token: "5ace00000001", Name: strPtr("All"), SpaceType: fakemode.SpaceCustom}}}
	for i := 0; i < users; i++ {
		ws.Users = append(ws.Users, &fakemode.User{Username: fmt.Sprintf("user%d", i), ID: int64(i + 1),
			Token: fmt.Sprintf("%012x", 0xa00000000000+i), Email: fmt.Sprintf("user%d@example.com", i)})
	}
	for i := 0; i < reports; i++ {
		tok := fmt.Sprintf("%012x", 0xb00000000000+i)
		ws.Reports = append(ws.Reports, &fakemode.Report{Token: tok, ID: int64(i + 1), Type: fakemode.TypeReport,
			SpaceToken: "5ace00000001", Name: strPtr("Report " + tok),
			Queries: []*fakemode.Query{{Token: fmt.Sprintf("%012x", 0xc00000000000+i), ID: int64(i + 1), RawQuery: "SELECT 1"}}})
	}
	return ws
}

// BenchmarkPopularity50kReports5MViews computes popularity for 50,000
// reports over 5,000,000 in-window view events (plus ~1.3M older ones and
// the runs of 50,000 queries) in the embedded engine, through the real
// driver and the fake endpoint.
func BenchmarkPopularity50kReports5MViews(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 6M rows; skipped with -short")
	}
	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx)
	require.NoError(b, err)
	defer lite.Close()
	seedStart := time.Now()
	require.NoError(b, fakesnowflake.Seed(ctx, lite, syntheticWorkspace(50_000, 500), testNow,
		fakesnowflake.SeedOptions{Seed: 1, ViewsPerReport: 100}))
	var views int64
	require.NoError(b, lite.QueryRow(`SELECT COUNT(*) FROM REPORT_VIEWS`).Scan(&views))
	b.Logf("seeded %d view events in %s", views, time.Since(seedStart).Round(time.Millisecond))
	srv := fakesnowflake.NewServer(lite)
	defer srv.Close()
	db, err := Open(ctx, Config{Host: srv.Host(), Port: srv.Port(), Protocol: "http", User: "u", Password: "p"})
	require.NoError(b, err)
	defer db.Close()
	b.ResetTimer()
	before := db.RoundTrips()
	for i := 0; i < b.N; i++ {
		pop, err := db.Popularity(ctx, testNow, 90)
		if err != nil {
			b.Fatal(err)
		}
		if len(pop) != 50_000 {
			b.Fatalf("got %d reports, want 50000", len(pop))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(db.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(views), "view_events")
}
