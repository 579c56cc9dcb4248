package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

// memChildEnv makes the test binary act as `modecrawl` (see TestMain): the
// memory benchmark runs the real sync command in a child process so that
// the child's peak RSS is modecrawl's alone, without the fake Mode and its
// generated workspace, which stay in the parent.
const memChildEnv = "MODECRAWL_TEST_RUN_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(memChildEnv) != "" {
		args := strings.Split(os.Getenv(memChildEnv), "\x1f")
		os.Exit(Execute(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// BenchmarkSyncMemory runs `modecrawl sync` (lineage on, default
// concurrency, default soft memory limit) in a child process against
// generated workspaces of 5k, 20k and 50k reports served by the fake Mode in
// this process, unthrottled, and reports the child's peak RSS (getrusage
// ru_maxrss). The target is under 200 MB at 50k reports.
func BenchmarkSyncMemory(b *testing.B) {
	if testing.Short() {
		b.Skip("large workspaces")
	}
	exe, err := os.Executable()
	require.NoError(b, err)
	for _, n := range []int{5_000, 20_000, 50_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			ws := fakemode.Generate(fakemode.GenOptions{Seed: 3, Spaces: n / 100, Reports: n, Users: 500})
			srv := fakemode.NewServer(ws, fakemode.WithRateLimit(0, 0), fakemode.WithRequestLog(false))
			defer srv.Close()
			for b.Loop() {
				out := filepath.Join(b.TempDir(), "out")
				args := []string{"sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out,
					"--rate-limit", "1000", "--log-level", "error"}
				cmd := exec.Command(exe)
				cmd.Env = append(os.Environ(), memChildEnv+"="+strings.Join(args, "\x1f"),
					"MODECRAWL_TOKEN=demo-token", "MODECRAWL_SECRET=demo-secret")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				start := time.Now()
				require.NoError(b, cmd.Run(), stderr.String())
				elapsed := time.Since(start)
				ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				require.True(b, ok)
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak_rss_MB") // ru_maxrss is in KiB on Linux
				b.ReportMetric(elapsed.Seconds(), "sync_s")
				b.ReportMetric(float64(n), "reports")
			}
		})
	}
}
