package sqllineage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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
