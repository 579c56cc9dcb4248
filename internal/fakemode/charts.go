package fakemode

import (
	"encoding/json"
	"fmt"
)

// chartStyle is one of the chart shapes the generator emits.
type chartStyle int

const (
	legacyBar chartStyle = iota
	legacyPivot
	vegasBar
	vegasLine
	vegasTable
	numChartStyles
)

// chartView builds a chart configuration for a query's result columns.
// Legacy charts (view_version 1) keep the config in "view" with
// selectedChart/chartTitle and plain column names; vegas charts
// (view_version 2) keep it in "view_vegas" with encoding channels whose
// formulas are "[column]", fieldFormats keyed by "[column]" and
// format.flatTable.columns[].id. It returns the version, view and view_vegas.
func chartView(t sqlTemplate, style chartStyle) (int, json.RawMessage, json.RawMessage) {
	dim := t.dims[0]
	measure := t.measures[0]
	var view, vegas any
	version := 1
	switch style {
	case legacyBar:
		view = map[string]any{
			"selectedChart": "bar",
			"chartTitle":    t.title,
			"chartIcon":     "bar",
			"bar": map[string]any{
				"xAxis":  map[string]any{"column": dim},
				"yAxis":  []any{map[string]any{"column": measure, "aggregation": "sum"}},
				"series": []any{},
			},
		}
	case legacyPivot:
		values := make([]any, len(t.measures))
		for i, m := range t.measures {
			values[i] = m
		}
		rows := []any{dim}
		var cols []any
		if len(t.dims) > 1 {
			cols = []any{t.dims[1]}
		} else {
			cols = []any{}
		}
		view = map[string]any{
			"selectedChart": "pivotTable",
			"chartTitle":    t.title + " (pivot)",
			"chartIcon":     "pivot",
			"pivotTable": map[string]any{
				"rows":         rows,
				"columns":      cols,
				"values":       values,
				"filters":      []any{},
				"filterValues": map[string]any{},
			},
		}
	default:
		version = 2
		view = map[string]any{}
		chartType := map[chartStyle]string{vegasBar: "bar", vegasLine: "line", vegasTable: "table"}[style]
		enc := map[string]any{
			"x":     []any{channel(0, dim, "DISCRETE")},
			"y":     []any{channel(1, measure, "CONTINUOUS")},
			"color": []any{}, "filter": []any{}, "value": []any{},
		}
		if len(t.dims) > 1 {
			enc["color"] = []any{channel(2, t.dims[1], "DISCRETE")}
		}
		if style == vegasTable {
			vals := make([]any, 0, len(t.cols()))
			for i, c := range t.cols() {
				typ := "DISCRETE"
				if i >= len(t.dims) {
					typ = "CONTINUOUS"
				}
				vals = append(vals, channel(3+i, c, typ))
			}
			enc = map[string]any{"x": []any{}, "y": []any{}, "color": []any{}, "filter": []any{}, "value": vals}
		}
		formats := map[string]any{}
		flat := make([]any, 0, len(t.cols()))
		for _, c := range t.cols() {
			formats["["+c+"]"] = map[string]any{}
			flat = append(flat, map[string]any{"id": c, "width": 160})
		}
		vegas = map[string]any{
			"title":                t.title,
			"description":          "",
			"chartType":            chartType,
			"encoding":             enc,
			"fieldFormats":         formats,
			"fieldColors":          map[string]any{},
			"format":               map[string]any{"flatTable": map[string]any{"columns": flat}},
			"isAutoUpdateDisabled": false,
		}
	}
	return version, mustJSON(view), mustJSON(vegas)
}

// channel is one encoding entry of a vegas chart.
func channel(n int, col, typ string) map[string]any {
	return map[string]any{
		"id":       fmt.Sprintf("%04x", 0xa1b0+n),
		"formula":  "[" + col + "]",
		"variable": map[string]any{"type": typ},
	}
}

// mustJSON marshals values built from maps and strings, which cannot fail.
// A nil value becomes {} (Mode sends an empty object for the unused config).
func mustJSON(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakemode: marshal chart view: %v", err))
	}
	return b
}
