package modeapi

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

// TestLimiterPacingSimulated checks the default pacing arithmetic on a
// simulated clock: with always-ready workers, no 10-s window ever holds more
// than Mode's 40 requests, and the long-run rate is ≥ 90% of 4/s.
func TestLimiterPacingSimulated(t *testing.T) {
	tests := []struct {
		name   string
		rps    float64
		window time.Duration
		limit  int
	}{
		{"mode default 40 per 10s", DefaultRateLimit, 10 * time.Second, 40},
		{"scaled 100 per 1s", 100, time.Second, 100},
		{"half rate 20 per 10s", 2, 10 * time.Second, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := limiterFor(tt.rps)
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := start
			const n = 2000
			sent := make([]time.Time, 0, n)
			for range n {
				r := lim.ReserveN(now, 1)
				require.True(t, r.OK())
				now = now.Add(r.DelayFrom(now))
				sent = append(sent, now)
			}
			// Max requests in any sliding window (two pointers).
			maxIn, lo := 0, 0
			for hi := range sent {
				for sent[hi].Sub(sent[lo]) >= tt.window {
					lo++
				}
				maxIn = max(maxIn, hi-lo+1)
			}
			assert.LessOrEqual(t, maxIn, tt.limit)
			achieved := float64(n-1) / sent[n-1].Sub(sent[0]).Seconds()
			assert.GreaterOrEqual(t, achieved, 0.9*tt.rps)
		})
	}
}

// TestRateLimitScaled runs concurrent work against fakemode enforcing a
// sliding window of 100 requests per 2 s (Mode's 40 per 10 s, scaled 5× in
// time and 2.5× in count) with the client told the same limit (50/s): no
// 429, no window over the limit, and at least 90% of the allowed rate.
//
// Safety (no 429, no window over the limit) must hold on every run. The
// throughput figure depends on the machine: a slot is 20 ms here, so a
// loaded CI box that deschedules the process for longer costs throughput
// the client cannot recover without bursting. The measurement is therefore
// taken up to three times and must reach 90% at least once.
func TestRateLimitScaled(t *testing.T) {
	if testing.Short() {
		t.Skip("4 s of paced traffic")
	}
	const rps = 50.0
	var best float64
	for attempt := 1; attempt <= 3 && best < 0.9*rps; attempt++ {
		achieved := scaledRun(t, rps, 100, 2*time.Second, 200)
		t.Logf("attempt %d: achieved %.1f req/s of %.0f allowed", attempt, achieved, rps)
		best = max(best, achieved)
	}
	assert.GreaterOrEqual(t, best, 0.9*rps, "≥ 90% of the allowed rate")
}

// scaledRun sends total requests from 8 workers through one client paced at
// rps against a fake limit of limit per window, checks safety and returns
// the achieved rate seen by the server.
func scaledRun(t testing.TB, rps float64, limit int, window time.Duration, total int64) float64 {
	t.Helper()
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 5, Spaces: 2, Reports: 20})
	srv := fakemode.NewServer(ws, fakemode.WithRateLimit(limit, window))
	defer srv.Close()
	var holds atomic.Int64
	c, err := New(srv.URL(), fakeCreds, WithRateLimit(rps), WithRetry(3, 10*time.Millisecond, 50*time.Millisecond),
		withHoldHook(func(d time.Duration) time.Duration { holds.Add(1); return d }))
	require.NoError(t, err)

	const workers = 8
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= total {
				if _, err := c.Verify(context.Background()); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()

	require.Zero(t, failed.Load())
	st := srv.Stats()
	reqs := srv.Requests()
	t.Logf("server: %d requests, max in window %d, 429s %d; client holds after Remaining=0: %d",
		st.Total, st.MaxInWindow, st.RateLimited, holds.Load())
	assert.Zero(t, st.RateLimited, "no 429")
	assert.LessOrEqual(t, st.MaxInWindow, limit, "never over the limit in any window")
	assert.Equal(t, Stats{Total: total}, c.Stats())
	require.Len(t, reqs, int(total))
	span := reqs[len(reqs)-1].At.Sub(reqs[0].At).Seconds()
	return float64(total-1) / span
}

// BenchmarkScaledPacing reports the pacing figures at 100/s against a fake
// limit of 100 per 1 s (10 ms slots): achieved req/s and the fraction of the
// allowed rate. Safety is asserted as in TestRateLimitScaled.
//
//	go test ./internal/modeapi -run '^$' -bench ScaledPacing -benchtime 1x
func BenchmarkScaledPacing(b *testing.B) {
	var achieved float64
	for b.Loop() {
		achieved = scaledRun(b, 100, 100, time.Second, 300)
	}
	b.ReportMetric(achieved, "req/s")
	b.ReportMetric(achieved/100, "of-limit")
}

// TestSharedTokenBacksOff: two jobs share one token, each pacing at the full
// limit. 429s halve each job's pace (and Remaining=0 holds it briefly), so
// the jobs settle near their fair share; every request still succeeds.
func TestSharedTokenBacksOff(t *testing.T) {
	if testing.Short() {
		t.Skip("2 s of paced traffic")
	}
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 5, Spaces: 2, Reports: 20})
	srv := fakemode.NewServer(ws, fakemode.WithRateLimit(50, time.Second))
	t.Cleanup(srv.Close)
	var clients [2]*Client
	for i := range clients {
		c, err := New(srv.URL(), fakeCreds, WithRateLimit(50), WithRetry(8, 20*time.Millisecond, 200*time.Millisecond))
		require.NoError(t, err)
		clients[i] = c
	}
	const perJob = 60
	var failed atomic.Int64
	var wg sync.WaitGroup
	for _, c := range clients {
		for range 4 {
			wg.Go(func() {
				for range perJob / 4 {
					if _, err := c.Verify(context.Background()); err != nil {
						failed.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	st := srv.Stats()
	var held int64
	for _, c := range clients {
		held += c.Stats().RateLimited
	}
	t.Logf("server: %d requests, %d 429s, max in window %d", st.Total, st.RateLimited, st.MaxInWindow)
	assert.Zero(t, failed.Load(), "every request eventually succeeds")
	assert.Equal(t, int64(st.RateLimited), held, "client counted every 429")
	// Without adaptive pacing both jobs keep their full pace and about 40%
	// of all requests draw a 429; halving on each 429 keeps it far lower.
	assert.Less(t, st.RateLimited, 2*perJob/4, "adaptive pacing keeps 429s under 25% of the work")
}

// TestRemainingZeroHoldsWorkers: after a response with X-RateLimit-Remaining
// 0, the next request waits about one slot (window/limit) even though the
// client's own bucket would allow it.
func TestRemainingZeroHoldsWorkers(t *testing.T) {
	tests := []struct {
		name      string
		remaining string
		minGap    time.Duration
		maxGap    time.Duration
	}{
		{"remaining 0 holds one slot", "0", 90 * time.Millisecond, time.Second},
		{"remaining 5 does not", "5", 0, 60 * time.Millisecond},
		{"no header does not", "", 0, 60 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var done time.Time // when the first response was written
			srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// A slow first answer, so the client's bucket refills meanwhile.
				time.Sleep(150 * time.Millisecond)
				if tt.remaining != "" {
					w.Header().Set("X-RateLimit-Remaining", tt.remaining)
				}
				writeJSON(w, http.StatusOK, map[string]string{"workspace": "acme"})
				mu.Lock()
				if done.IsZero() {
					done = time.Now()
				}
				mu.Unlock()
			}))
			// 10 rps: one slot is 100 ms.
			c := newTestClient(t, srv.URL, WithRateLimit(10))
			for range 2 {
				_, err := c.Verify(context.Background())
				require.NoError(t, err)
			}
			reqs := rec.requests()
			require.Len(t, reqs, 2)
			mu.Lock()
			gap := reqs[1].At.Sub(done)
			mu.Unlock()
			assert.GreaterOrEqual(t, gap, tt.minGap)
			assert.LessOrEqual(t, gap, tt.maxGap)
		})
	}
}

func TestAdaptivePacing(t *testing.T) {
	lt := newLimitTransport(nil, 4, &counters{})
	base := paceFactor * 4
	rateNow := func() float64 { return float64(lt.lim.Limit()) }
	require.InDelta(t, base, rateNow(), 1e-9)

	lt.adapt(decreaseOn429)
	assert.InDelta(t, base/2, rateNow(), 1e-9, "a 429 halves the pace")
	for range 10 {
		lt.adapt(decreaseOn429)
	}
	assert.InDelta(t, base*minPaceFraction, rateNow(), 1e-9, "never below the floor")
	for range 100 {
		lt.adapt(increase)
	}
	assert.InDelta(t, base, rateNow(), 1e-9, "recovers to, and never above, the configured pace")

	off := newLimitTransport(nil, 0, &counters{})
	off.adapt(decreaseOn429)
	assert.Equal(t, rate.Inf, off.lim.Limit(), "pacing disabled stays disabled")
}
