package modeapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkTolerance(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"object", `{"self":{"href":"/api/a"}}`, "/api/a"},
		{"array of links", `{"self":[{"href":"/api/a"},{"href":"/api/b"}]}`, "/api/a"},
		{"empty array", `{"self":[]}`, ""},
		{"bare string", `{"self":"/api/a"}`, "/api/a"},
		{"null", `{"self":null}`, ""},
		{"number", `{"self":42}`, ""},
		{"bad object", `{"self":{"href":42}}`, ""},
		{"templated", `{"self":{"href":"/api/a/{id}","templated":true}}`, "/api/a/{id}"},
		{"escaped href", `{"self":{"href":"/api/a?q=\"x\""}}`, `/api/a?q="x"`},
		{"spaced object", `{"self": { "href" : "/api/a" }}`, "/api/a"},
		{"extra keys", `{"self":{"href":"/api/a","title":"A"}}`, "/api/a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var links Links
			require.NoError(t, json.Unmarshal([]byte(tt.in), &links))
			assert.Equal(t, tt.want, links.Href("self"))
		})
	}
}

func TestNumberTolerance(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Number
	}{
		{`42`, 42}, {`"42"`, 42}, {`42.9`, 42}, {`"7.0"`, 7}, {`null`, 0}, {`""`, 0},
		{`"n/a"`, 0}, {`true`, 0}, {`{}`, 0}, {`-3`, -3},
	} {
		var n Number
		require.NoError(t, json.Unmarshal([]byte(tt.in), &n), tt.in)
		assert.Equal(t, tt.want, n, tt.in)
	}
}

// TestReportPageWithOddFields decodes a report whose links and counts are
// not in the usual shape: the report is still read.
func TestReportPageWithOddFields(t *testing.T) {
	page := `{"token":"9c1f2e3d4b5a","id":"2934237","name":null,"view_count":"n/a",
	  "imported_datasets":[{"token":"d5d5d5d5d5d5","_links":{"report":[{"href":"/api/acme/reports/d5d5d5d5d5d5"}]}}],
	  "_links":{"creator":[{"href":"/api/jdoe"}],"web":{"href":"https://app.mode.com/acme/reports/9c1f2e3d4b5a"}}}`
	var r Report
	require.NoError(t, json.Unmarshal([]byte(page), &r))
	assert.Equal(t, "9c1f2e3d4b5a", r.Token)
	assert.Equal(t, Number(2934237), r.ID)
	assert.Equal(t, "/api/jdoe", r.Links.Href("creator"))
	require.NotNil(t, r.ViewCount)
	assert.Equal(t, Number(0), *r.ViewCount)
	assert.Equal(t, "d5d5d5d5d5d5", r.ImportedDatasets[0].Token)
}
