package sqllineage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
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
