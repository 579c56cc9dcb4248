package lineage

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// bracketRef matches a column reference inside a chart formula: "[col]".
// Mode writes formulas such as "[created_at]" or "SUM([amount])".
var bracketRef = regexp.MustCompile(`\[([^\[\]]+)\]`)

// vegasRefKeys are view_vegas keys whose string values are formulas or
// column references (sort items carry "source" and "byField").
var vegasRefKeys = map[string]bool{"formula": true, "byfield": true, "source": true, "field": true, "column": true}

// legacyDenyKeys are legacy view keys that hold display text, never column
// names; a title equal to a column name must not count as a use.
var legacyDenyKeys = map[string]bool{
	"charttitle": true, "title": true, "selectedchart": true, "charticon": true, "description": true,
	"label": true, "labels": true, "format": true, "type": true, "colors": true, "color": true,
	"palette": true, "axislabel": true, "xaxislabel": true, "yaxislabel": true, "prefix": true,
	"suffix": true, "caption": true, "subtitle": true, "text": true,
}

// legacyColumnKey reports whether a legacy view key introduces column names
// (pivotTable rows/columns/values/filters, bar.xAxis, bigNumber.valueColumn,
// table.columns, …). Mode's legacy shapes vary by chart type, so the match
// is by key name; the result is filtered to real output columns anyway.
func legacyColumnKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"column", "field", "axis", "rows", "row", "value", "filter", "series",
		"metric", "dimension", "group", "sort", "category", "measure", "size", "x", "y"} {
		if k == s || strings.Contains(k, s) && len(s) > 2 {
			return true
		}
	}
	return false
}

// ChartFields returns the query output columns a chart uses, read from its
// view_vegas (new charts) and legacy view configuration. Names are matched
// case-insensitively to outputColumns and returned in the query's spelling,
// sorted and unique; names that are not output columns are dropped. When
// the output has an unexpanded "*" column the real column list is unknown,
// so names are kept as the chart writes them.
func ChartFields(view, viewVegas json.RawMessage, outputColumns []string) []string {
	var names []string
	if v := decodeConfig(viewVegas); v != nil {
		names = vegasNames(v, "", names)
	}
	if v := decodeConfig(view); v != nil {
		names = legacyNames(v, false, names)
	}
	return matchOutput(names, outputColumns)
}

// decodeConfig decodes a chart configuration. Some payloads carry the
// configuration as a JSON string holding JSON, so one level is unwrapped.
func decodeConfig(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	if s, ok := v.(string); ok {
		var inner any
		if err := json.Unmarshal([]byte(s), &inner); err != nil {
			return nil
		}
		return inner
	}
	return v
}

// vegasNames collects column names from a view_vegas value: every formula
// reference (recursively, which covers all encoding channels, marks
// properties, totals and filters), fieldFormats keys and flatTable column ids.
func vegasNames(v any, key string, out []string) []string {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			lk := strings.ToLower(k)
			switch lk {
			case "fieldformats", "fieldcolors":
				for name := range asMap(val) {
					out = appendRefs(out, name, true)
				}
			case "flattable":
				for _, col := range asList(asMap(val)["columns"]) {
					if id, ok := asMap(col)["id"].(string); ok {
						out = appendRefs(out, id, true)
					}
				}
			}
			out = vegasNames(val, lk, out)
		}
	case []any:
		for _, item := range x {
			out = vegasNames(item, key, out)
		}
	case string:
		if vegasRefKeys[key] {
			out = appendRefs(out, x, key != "formula")
		}
	}
	return out
}

// appendRefs appends the [col] references in s; when there are none and
// bare is set, s itself is taken as a column name.
func appendRefs(out []string, s string, bare bool) []string {
	refs := bracketRef.FindAllStringSubmatch(s, -1)
	if len(refs) == 0 {
		if bare && s != "" {
			out = append(out, s)
		}
		return out
	}
	for _, m := range refs {
		out = append(out, m[1])
	}
	return out
}

// legacyNames collects candidate column names from a legacy view.
func legacyNames(v any, inColumns bool, out []string) []string {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			lk := strings.ToLower(k)
			if legacyDenyKeys[lk] {
				continue
			}
			if lk == "filtervalues" {
				// {column: [selected values]}: the keys are columns, the
				// values are data.
				for name := range asMap(val) {
					out = append(out, name)
				}
				continue
			}
			out = legacyNames(val, inColumns || legacyColumnKey(k), out)
		}
	case []any:
		for _, item := range x {
			out = legacyNames(item, inColumns, out)
		}
	case string:
		if inColumns {
			out = appendRefs(out, x, true)
		}
	}
	return out
}

// matchOutput maps names onto the output columns' spelling.
func matchOutput(names, outputColumns []string) []string {
	if len(names) == 0 {
		return nil
	}
	byFold := make(map[string]string, len(outputColumns))
	star := false
	for _, c := range outputColumns {
		if c == "*" {
			star = true
		}
		if _, dup := byFold[strings.ToLower(c)]; !dup {
			byFold[strings.ToLower(c)] = c
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		c, ok := byFold[strings.ToLower(n)]
		if !ok {
			if !star || n == "" || n == "*" {
				continue
			}
			c = n
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sortFold(out)
	return out
}

// sortFold sorts case-insensitively, then bytewise for a stable order.
func sortFold(s []string) {
	sort.Slice(s, func(i, j int) bool {
		a, b := strings.ToLower(s[i]), strings.ToLower(s[j])
		if a != b {
			return a < b
		}
		return s[i] < s[j]
	})
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
