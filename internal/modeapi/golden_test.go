package modeapi

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// sampleWalk is everything the client decodes from the sample workspace.
type sampleWalk struct {
	Verify      *Verify
	Workspace   *Workspace
	DataSources []DataSource
	Definitions []Definition
	Spaces      []Space
	Reports     map[string][]Report // by space token
	Datasets    map[string][]Report // by space token
	Queries     map[string][]Query  // by report token
	Charts      map[string][]Chart  // by query token
	Users       map[string]*User    // by creator href
}

// TestGoldenSampleWalk decodes the whole sample workspace and compares the
// typed result with testdata/sample_walk.golden.json, so any change in how
// Mode's fields are decoded (numbers as strings, nulls, links) shows up as a
// reviewed diff. Rewrite with: go test ./internal/modeapi -run Golden -update
func TestGoldenSampleWalk(t *testing.T) {
	srv := startFake(t, fakemode.Sample())
	c := fakeClient(t, srv)
	ctx := context.Background()
	ws := srv.Workspace().Slug

	var w sampleWalk
	var err error
	w.Verify, err = c.Verify(ctx)
	require.NoError(t, err)
	w.Workspace, err = c.Workspace(ctx, ws)
	require.NoError(t, err)
	w.DataSources, err = c.DataSources(ctx, ws)
	require.NoError(t, err)
	w.Definitions, err = c.Definitions(ctx, ws)
	require.NoError(t, err)
	w.Spaces, err = c.Spaces(ctx, ws, "all")
	require.NoError(t, err)
	w.Reports, w.Datasets = map[string][]Report{}, map[string][]Report{}
	w.Queries, w.Charts, w.Users = map[string][]Query{}, map[string][]Chart{}, map[string]*User{}
	creators := map[string]bool{}
	for _, sp := range w.Spaces {
		rs, err := c.SpaceReports(ctx, ws, sp.Token)
		require.NoError(t, err)
		ds, err := c.SpaceDatasets(ctx, ws, sp.Token)
		require.NoError(t, err)
		w.Reports[sp.Token], w.Datasets[sp.Token] = rs, ds
		for _, r := range append(rs, ds...) {
			creators[r.Links.Href("creator")] = true
			qs, err := c.ReportQueries(ctx, ws, r.Token)
			require.NoError(t, err)
			w.Queries[r.Token] = qs
			for _, q := range qs {
				cs, err := c.QueryCharts(ctx, ws, r.Token, q.Token)
				require.NoError(t, err)
				w.Charts[q.Token] = cs
			}
		}
	}
	for href := range creators {
		u, err := c.User(ctx, href)
		if IsNotFound(err) {
			w.Users[href] = nil // the creator left the workspace
			continue
		}
		require.NoError(t, err)
		w.Users[href] = u
	}

	got, err := json.MarshalIndent(w, "", "  ")
	require.NoError(t, err)
	path := filepath.Join("testdata", "sample_walk.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create the golden file")
	assert.JSONEq(t, string(want), string(got))
}
