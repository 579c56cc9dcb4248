#!/usr/bin/env bash
# make bench: runs modecrawl's benchmarks and writes a report (default bench.out).
# The crawl rate-plan benchmark runs the fake Mode at 400 requests per 10 s with
# --rate-limit 40 (Mode's limit scaled x10 in time), so it takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench.out}
run() { echo; echo "\$ $*"; "$@"; }
{
  echo "# modecrawl benchmark report"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(go version) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  run go test -run '^$' -bench 'BenchmarkCrawlRatePlan' -benchtime 1x -timeout 30m ./internal/crawl/
  run go test -run '^$' -bench 'BenchmarkSyncMemory' -benchtime 1x -timeout 30m ./internal/cli/
  run go test -run '^$' -bench 'BenchmarkCrawlMemory50k' -benchtime 1x -timeout 30m ./internal/crawl/
  run go test -run '^$' -bench 'BenchmarkPipeline' -benchtime 40x -benchmem -cpu 1 ./internal/lineage/
  run go test -run '^$' -bench . -benchmem -cpu 1 ./internal/sqllineage/
  run go test -run '^$' -bench 'BenchmarkPopularity' -benchtime 1x -benchmem -timeout 30m ./internal/discoverydb/
  run go test -run '^$' -bench . -benchmem ./internal/modeapi/ ./internal/fakemode/
} 2>&1 | tee "$out"
echo "report written to $out"
