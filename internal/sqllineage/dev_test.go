package sqllineage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDevScratch(t *testing.T) {
	sql := os.Getenv("SQL")
	if sql == "" {
		t.Skip()
	}
	d, _ := ParseDialect(os.Getenv("D"))
	res := Analyze(context.Background(), sql, Options{Dialect: d})
	b, _ := json.MarshalIndent(res, "", " ")
	fmt.Println(string(b))
}

var liquidTag = regexp.MustCompile(`(?s)\{%\s*form\s*%\}.*?\{%\s*endform\s*%\}|\{%.*?%\}`)
var liquidOut = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

func TestDevCorpusParse(t *testing.T) {
	if os.Getenv("DEVCORPUS") == "" {
		t.Skip()
	}
	for _, e := range loadCorpus(t) {
		sql := liquidTag.ReplaceAllString(e.SQL, "")
		sql = liquidOut.ReplaceAllString(sql, "x_param")
		d, _ := ParseDialect(e.Dialect)
		res := Analyze(context.Background(), sql, Options{Dialect: d})
		if res.Confidence < 1 {
			t.Logf("%s: %v", e.ID, res.Warnings)
		}
	}
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestDevCPU(t *testing.T) {
	if os.Getenv("DEVCPU") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, q := range []struct {
		name string
		sql  string
		n    int
		d    Dialect
	}{{"typical", typicalQuery, 20000, Snowflake}, {"union200KB", unionQuery(2000), 30, Postgres}, {"1MB", bigQuery(1 << 20), 3, Snowflake}, {"256KB", bigQuery(1 << 18), 6, Snowflake}, {"4MB", bigQuery(1 << 22), 1, Snowflake}, {"union800KB", unionQuery(8000), 4, Postgres}} {
		start, wall := threadCPU(), time.Now()
		for i := 0; i < q.n; i++ {
			Analyze(context.Background(), q.sql, Options{Dialect: q.d})
		}
		fmt.Printf("%s: %v CPU/op (wall %v/op)\n", q.name, (threadCPU()-start)/time.Duration(q.n), time.Since(wall)/time.Duration(q.n))
	}
}

func TestDevFile(t *testing.T) {
	path := os.Getenv("QFILE")
	if path == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(path)
	for i, part := range strings.Split(string(b), "=== ")[1:] {
		name, sql, _ := strings.Cut(part, "\n")
		d, _ := ParseDialect(name)
		res := Analyze(context.Background(), sql, Options{Dialect: d})
		var tabs []string
		for _, tb := range res.Tables {
			tabs = append(tabs, tb.Name)
		}
		fmt.Printf("#%d %s conf=%v tables=%v warn=%v\n", i+1, d, res.Confidence, tabs, res.Warnings)
		for _, c := range res.Columns {
			fmt.Printf("   %-20s %v amb=%v %v\n", c.Name, srcStrings(c.Sources), c.Ambiguous, srcStrings(c.Candidates))
		}
	}
}
