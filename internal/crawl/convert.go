package crawl

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// urls builds the web URLs written in records. They come from the
// configured workspace and base URL, never from /api/verify.
type urls struct {
	base string // e.g. https://app.mode.com
	ws   string
}

func (u urls) space(tok string) string   { return u.base + "/" + u.ws + "/spaces/" + tok }
func (u urls) report(tok string) string  { return u.base + "/" + u.ws + "/reports/" + tok }
func (u urls) dataset(tok string) string { return u.base + "/" + u.ws + "/datasets/" + tok }
func (u urls) query(r, q string) string {
	return u.base + "/" + u.ws + "/reports/" + r + "/details/queries/" + q
}
func (u urls) chart(r, c string) string { return u.base + "/" + u.ws + "/reports/" + r + "/viz/" + c }

// webHref prefers Mode's own web link (absolute on reports) and resolves a
// site-relative one against the base URL.
func (u urls) webHref(href, fallback string) string {
	switch {
	case href == "":
		return fallback
	case strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://"):
		return href
	case strings.HasPrefix(href, "/"):
		return u.base + href
	default:
		return fallback
	}
}

// usernameFromHref turns a creator link ("/api/jdoe", possibly absolute)
// into the username. Mode gives creators only as links.
func usernameFromHref(href string) string {
	if href == "" {
		return ""
	}
	if pu, err := url.Parse(href); err == nil {
		href = pu.Path
	}
	href = strings.TrimRight(href, "/")
	if i := strings.LastIndexByte(href, '/'); i >= 0 {
		href = href[i+1:]
	}
	if s, err := url.PathUnescape(href); err == nil {
		href = s
	}
	return href
}

func num(n *modeapi.Number) *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

func spaceRecord(s *modeapi.Space, u urls) record.Space {
	return record.Space{
		Token:       s.Token,
		ID:          int64(s.ID),
		Name:        s.Name,
		Description: s.Description,
		SpaceType:   s.SpaceType,
		Personal:    s.SpaceType == "private",
		// Mode's restricted flag is known to be always false; the access
		// level is the reliable signal.
		Restricted: s.Restricted || strings.EqualFold(s.DefaultAccessLevel, "restricted"),
		URL:        u.webHref(s.Links.Href("web"), u.space(s.Token)),
	}
}

func reportRecord(r *modeapi.Report, dataset bool, u urls) record.Report {
	imported := make([]string, 0, len(r.ImportedDatasets))
	for _, d := range r.ImportedDatasets {
		if d.Token != "" {
			imported = append(imported, d.Token)
		}
	}
	space := r.SpaceToken
	if space == "" {
		space = r.CollectionToken
	}
	rec := record.Report{
		Token:                 r.Token,
		ID:                    int64(r.ID),
		Name:                  r.Name,
		Description:           r.Description,
		SpaceToken:            space,
		CreatedAt:             r.CreatedAt,
		UpdatedAt:             r.UpdatedAt,
		EditedAt:              r.EditedAt,
		LastRunAt:             r.LastRunAt,
		LastSuccessfullyRunAt: r.LastSuccessfullyRunAt,
		Archived:              r.Archived,
		ViewCount:             num(r.ViewCount),
		URL:                   u.webHref(r.Links.Href("web"), u.report(r.Token)),
		ImportedDatasetTokens: imported,
		Source:                record.SourceREST,
	}
	if dataset {
		// Datasets' web link is /datasets/<token>; the report form of the
		// URL would open the wrong page.
		rec.URL = u.dataset(r.Token)
	}
	if c := usernameFromHref(r.Links.Href("creator")); c != "" {
		rec.Creator = &c
	}
	return rec
}

func queryRecord(q *modeapi.Query, parent string, parentKind string, u urls) record.Query {
	return record.Query{
		Token:        q.Token,
		ID:           int64(q.ID),
		Name:         q.Name,
		ParentToken:  parent,
		ParentKind:   parentKind,
		DataSourceID: num(q.DataSourceID),
		RawSQL:       q.RawQuery,
		CreatedAt:    q.CreatedAt,
		UpdatedAt:    q.UpdatedAt,
		URL:          u.query(parent, q.Token),
		Source:       record.SourceREST,
	}
}

// chartConfig is the part of a chart configuration that names the chart.
type chartConfig struct {
	// view_vegas (view_version 2)
	Title     *string `json:"title"`
	ChartType *string `json:"chartType"`
	// legacy view (view_version 1)
	ChartTitle    *string `json:"chartTitle"`
	SelectedChart *string `json:"selectedChart"`
}

func decodeChartConfig(raw json.RawMessage) chartConfig {
	var c chartConfig
	if len(raw) == 0 {
		return c
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		// Some payloads wrap the configuration in a JSON string.
		var s string
		if json.Unmarshal(raw, &s) == nil {
			_ = json.Unmarshal([]byte(s), &c)
		}
	}
	return c
}

func nonEmpty(ps ...*string) *string {
	for _, p := range ps {
		if p != nil && *p != "" {
			return p
		}
	}
	return nil
}

// chartRecord names a chart from view_vegas (new charts) or the legacy
// view. Which one is live depends on view_version; the other is usually
// "{}" but old charts converted to vegas keep stale legacy blocks, so the
// live one is read first and the other is only a fallback.
func chartRecord(c *modeapi.Chart, queryToken, reportToken string, u urls) record.Chart {
	vegas := decodeChartConfig(c.ViewVegas)
	legacy := decodeChartConfig(c.View)
	var title, typ *string
	if c.ViewVersion != nil && *c.ViewVersion == 1 {
		title = nonEmpty(legacy.ChartTitle, vegas.Title)
		typ = nonEmpty(legacy.SelectedChart, vegas.ChartType)
	} else {
		title = nonEmpty(vegas.Title, legacy.ChartTitle)
		typ = nonEmpty(vegas.ChartType, legacy.SelectedChart)
	}
	return record.Chart{
		Token:       c.Token,
		QueryToken:  queryToken,
		ReportToken: reportToken,
		Title:       title,
		ChartType:   typ,
		URL:         u.chart(reportToken, c.Token),
	}
}

// platforms maps Mode adapters to warehouse platforms where the name
// differs from the adapter without its "jdbc:" prefix.
var platforms = map[string]string{
	"jdbc:postgresql": "postgres",
	"jdbc:spark":      "databricks",
	"jdbc:hive":       "databricks",
}

// Platform returns the warehouse platform of a Mode data source adapter,
// e.g. "jdbc:postgresql" → "postgres", "jdbc:spark" → "databricks".
func Platform(adapter string) string {
	a := strings.ToLower(strings.TrimSpace(adapter))
	if p, ok := platforms[a]; ok {
		return p
	}
	return strings.TrimPrefix(a, "jdbc:")
}

func dataSourceRecord(d *modeapi.DataSource) record.DataSource {
	return record.DataSource{
		ID:       int64(d.ID),
		Token:    d.Token,
		Name:     nonEmpty(d.Name, d.DisplayName),
		Adapter:  d.Adapter,
		Platform: Platform(d.Adapter),
		Database: d.Database,
		Host:     d.Host,
	}
}

// unescapeSQL turns the literal "\n"/"\t" text Mode has been seen serving
// in definition sources into real newlines and tabs.
var unescapeSQL = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\t`, "\t")

func definitionRecord(d *modeapi.Definition) record.Definition {
	return record.Definition{
		Token:        d.Token,
		ID:           int64(d.ID),
		Name:         d.Name,
		DataSourceID: num(d.DataSourceID),
		SQL:          unescapeSQL.Replace(d.Source),
	}
}

func userRecord(u *modeapi.User, username string) record.User {
	name := u.Username
	if name == "" {
		name = username
	}
	return record.User{Username: name, Name: u.Name, Email: u.Email}
}

func edge(srcKind, src, dstKind, dst string) record.Edge {
	return record.Edge{
		Source: record.Node{Kind: srcKind, ID: src},
		Target: record.Node{Kind: dstKind, ID: dst},
		Origin: record.OriginModeAPI,
	}
}
