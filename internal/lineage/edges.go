package lineage

import (
	"sort"
	"strings"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// Edges returns the lineage edges of one analysed query: table → query,
// table.column → query.column (origin "sql") and query.column → chart.field
// for each of the query's charts (origin "chart_config"). Tables are
// identified by their qualified name where known, else their name.
// Ambiguous columns give no column edge: their source is unknown.
func Edges(q *record.Query, charts []record.Chart) []record.Edge {
	if q == nil {
		return nil
	}
	queryNode := func(col string) record.Node {
		return record.Node{Kind: record.NodeQuery, ID: q.Token, Column: col}
	}
	tableID := make(map[string]string, len(q.Tables))
	var edges []record.Edge
	for _, t := range q.Tables {
		id := t.Name
		if t.Qualified != "" {
			id = t.Qualified
		}
		tableID[strings.ToLower(t.Name)] = id
		edges = append(edges, record.Edge{
			Source: record.Node{Kind: record.NodeTable, ID: id},
			Target: queryNode(""),
			Origin: record.OriginSQL,
		})
	}
	for _, c := range q.Columns {
		for _, s := range c.Sources {
			id, ok := tableID[strings.ToLower(s.Table)]
			if !ok {
				id = s.Table
			}
			edges = append(edges, record.Edge{
				Source: record.Node{Kind: record.NodeTable, ID: id, Column: s.Column},
				Target: queryNode(c.Name),
				Origin: record.OriginSQL,
			})
		}
	}
	for _, ch := range charts {
		if ch.QueryToken != "" && ch.QueryToken != q.Token {
			continue
		}
		for _, f := range ch.Fields {
			edges = append(edges, record.Edge{
				Source: queryNode(f),
				Target: record.Node{Kind: record.NodeChart, ID: ch.Token, Column: f},
				Origin: record.OriginChart,
			})
		}
	}
	return sortEdges(edges)
}

// sortEdges orders edges deterministically and drops duplicates (one table
// column may feed an output column through several paths).
func sortEdges(edges []record.Edge) []record.Edge {
	key := func(e record.Edge) string {
		return strings.Join([]string{e.Origin, e.Source.Kind, e.Source.ID, e.Source.Column,
			e.Target.Kind, e.Target.ID, e.Target.Column}, "\x00")
	}
	sort.SliceStable(edges, func(i, j int) bool { return key(edges[i]) < key(edges[j]) })
	out := edges[:0]
	for _, e := range edges {
		if len(out) > 0 && key(e) == key(out[len(out)-1]) {
			continue
		}
		out = append(out, e)
	}
	return out
}
