package sqllineage

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// TestGolden analyses each testdata/golden/*.sql (dialect named on its first
// line, "-- dialect: NAME") and compares the full Result with NAME.json.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".sql"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			src := string(b)
			first, _, _ := strings.Cut(src, "\n")
			name := strings.TrimSpace(strings.TrimPrefix(first, "-- dialect:"))
			d, ok := ParseDialect(name)
			require.True(t, ok, "first line must name the dialect: %q", first)
			res := Analyze(context.Background(), src, Options{Dialect: d})
			got, err := json.MarshalIndent(res, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".sql") + ".json"
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			assert.JSONEq(t, string(want), string(got))
		})
	}
}
