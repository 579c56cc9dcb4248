package crawl

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/internal/output"
)

// BenchmarkCrawlRatePlan crawls a 50-collection, 2,000-report workspace
// against a fake Mode that enforces Mode's limit scaled ten times in rate
// (400 requests per 10 s) with the client paced at 40 requests per second.
// It reports how close the crawl gets to the minimum request plan and to
// the limit, and what the peer formula would have needed.
func BenchmarkCrawlRatePlan(b *testing.B) {
	if testing.Short() {
		b.Skip("takes minutes: paced at the rate limit")
	}
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 42, Spaces: 50, Reports: 2000,
		QueriesPerReport: 2.5, DatasetsPerSpace: 0.5, Users: 300})
	p := plan(ws, modeapi.DefaultPerPage)
	const limitPerWindow, window, clientRPS = 400, 10 * time.Second, 40.0
	for b.Loop() {
		srv := fakemode.NewServer(ws, fakemode.WithRateLimit(limitPerWindow, window),
			fakemode.WithRequestLog(false))
		client, err := modeapi.New(srv.URL(), modeapi.Credentials{Token: "demo-token", Secret: "demo-secret"},
			modeapi.WithRateLimit(clientRPS))
		require.NoError(b, err)
		opts := DefaultOptions()
		opts.Workspace = ws.Slug
		dir := filepath.Join(b.TempDir(), "out")
		w, err := output.Create(dir)
		require.NoError(b, err)
		start := time.Now()
		res, err := Run(context.Background(), client, w, opts)
		elapsed := time.Since(start)
		require.NoError(b, err)
		require.NoError(b, w.Commit(res.Manifest))
		st := srv.Stats()
		srv.Close()

		limitRPS := float64(limitPerWindow) / window.Seconds()
		b.ReportMetric(float64(st.Total), "requests")
		b.ReportMetric(float64(p.minimum), "min_requests")
		b.ReportMetric(float64(p.extra), "deliberate_extra_requests")
		b.ReportMetric(float64(st.Total)/float64(p.minimum), "ratio")
		b.ReportMetric(float64(st.RateLimited), "429s")
		b.ReportMetric(100*float64(st.Total)/elapsed.Seconds()/limitRPS, "pct_of_limit")
		b.ReportMetric(float64(p.peer), "peer_formula_requests")
		b.ReportMetric(elapsed.Seconds(), "crawl_s")
		b.ReportMetric(float64(st.MaxInWindow), "max_in_window")
	}
}

// BenchmarkCrawlMemory50k crawls a generated 50,000-report workspace (fake
// Mode in-process, unthrottled, default concurrency) and, to show growth,
// 5k and 20k ones. It reports the peak live Go heap during the crawl (split
// into the fake's workspace and the rest) and the process's peak RSS
// (VmHWM, reset before each run; it includes the fake server and its
// workspace). The memlimit case runs with a 160 MiB soft memory limit
// (GOMEMLIMIT), the way a deployment caps RSS.
func BenchmarkCrawlMemory50k(b *testing.B) {
	if testing.Short() {
		b.Skip("large workspaces")
	}
	for _, n := range []int{5_000, 20_000, 50_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) { benchMemory(b, n, 0) })
	}
	b.Run("50k-memlimit", func(b *testing.B) { benchMemory(b, 50_000, 160<<20) })
}

func benchMemory(b *testing.B, reports int, memLimit int64) {
	if memLimit > 0 {
		prev := debug.SetMemoryLimit(memLimit)
		defer debug.SetMemoryLimit(prev)
	}
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 50, Spaces: 50, Reports: reports, Users: 500})
	for b.Loop() {
		srv := fakemode.NewServer(ws, fakemode.WithRateLimit(0, 0), fakemode.WithRequestLog(false))
		client, err := modeapi.New(srv.URL(), modeapi.Credentials{Token: "demo-token", Secret: "demo-secret"},
			modeapi.WithRateLimit(0))
		require.NoError(b, err)
		opts := DefaultOptions()
		opts.Workspace = ws.Slug // default concurrency (8)
		dir := filepath.Join(b.TempDir(), "out")

		// Return freed memory to the OS before resetting the peak, so an
		// earlier, larger run does not inflate this one's VmHWM.
		debug.FreeOSMemory()
		resetHWM()
		base := heapBytes()
		stop := sampleHeap()
		start := time.Now()
		w, err := output.Create(dir)
		require.NoError(b, err)
		res, err := Run(context.Background(), client, w, opts)
		require.NoError(b, err)
		require.NoError(b, w.Commit(res.Manifest))
		elapsed := time.Since(start)
		peak := stop()
		srv.Close()

		b.ReportMetric(float64(peak)/(1<<20), "peak_live_heap_MB")
		b.ReportMetric(float64(base)/(1<<20), "fake_live_heap_MB")
		b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "crawl_live_heap_MB")
		b.ReportMetric(float64(vmHWM())/(1<<20), "peak_rss_MB")
		b.ReportMetric(float64(res.Manifest.Counts["report"]), "reports")
		b.ReportMetric(float64(res.Manifest.Requests.Total), "requests")
		b.ReportMetric(elapsed.Seconds(), "crawl_s")
	}
}

// liveHeap is the heap marked live by the last GC: what the crawl really
// holds, without the garbage GOGC lets accumulate between cycles.
var liveHeap = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

func heapBytes() uint64 {
	s := make([]metrics.Sample, 1)
	copy(s, liveHeap)
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap polls the live heap every 20 ms until the returned func is
// called, which returns the peak seen.
func sampleHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// resetHWM resets the process's peak RSS (Linux: writing 5 to clear_refs),
// so each run measures its own peak.
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// vmHWM returns the process's peak resident set size, 0 where /proc is
// not available.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
