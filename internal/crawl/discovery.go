package crawl

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// discovered is what the Discovery Database gave, loaded once before the
// REST crawl so every report can be merged as it is written. All maps are
// read-only after loading.
type discovered struct {
	// popularity is nil when the Discovery Database is not configured or
	// failed; reports then fall back to Mode's lifetime view_count.
	popularity map[string]record.Popularity
	usage      map[string]record.QueryUsage
	// reports holds the tokens of every report the database knows.
	reports map[string]bool
	// onlyReports and onlyQueries are the database's reports and queries,
	// kept until the REST crawl says which of them it could not see.
	onlyReports []record.Report
	onlyQueries []record.Query
	users       []record.User
	info        record.DiscoveryInfo
}

// loadDiscovery reads everything the crawl needs from the Discovery
// Database. It is optional enrichment: each failure is a warning and the
// crawl continues on REST data alone. The four reads run concurrently, so an
// unreachable warehouse costs one query timeout, not four.
func (c *crawler) loadDiscovery(ctx context.Context, sources []record.DataSource) {
	d := c.opts.Discovery
	if d == nil {
		return
	}
	now, window := c.opts.Now(), c.opts.PopularityWindowDays
	var (
		wg                   sync.WaitGroup
		pop                  map[string]record.Popularity
		usage                map[string]record.QueryUsage
		reports              []record.Report
		queries              []record.Query
		users                []record.User
		popErr, useErr       error
		reportsErr, usersErr error
	)
	wg.Add(4)
	go func() { defer wg.Done(); pop, popErr = d.Popularity(ctx, now, window) }()
	go func() { defer wg.Done(); usage, useErr = d.QueryUsage(ctx, now, window) }()
	go func() { defer wg.Done(); reports, queries, reportsErr = d.Reports(ctx, sources) }()
	go func() { defer wg.Done(); users, usersErr = d.Users(ctx) }()
	wg.Wait()

	ok := 0
	check := func(what string, err error) bool {
		if err != nil {
			c.warn(record.KindDiscovery, "", what+": "+err.Error())
			return false
		}
		ok++
		return true
	}
	if check("read popularity", popErr) {
		c.disc.popularity = pop
		if c.disc.popularity == nil {
			c.disc.popularity = map[string]record.Popularity{}
		}
	}
	if check("read query usage", useErr) {
		c.disc.usage = usage
	}
	if check("read reports", reportsErr) {
		c.disc.reports = make(map[string]bool, len(reports))
		for _, r := range reports {
			c.disc.reports[r.Token] = true
		}
		c.disc.onlyReports, c.disc.onlyQueries = reports, queries
	}
	if check("read users", usersErr) {
		c.disc.users = users
	}
	c.disc.info = d.Info(ctx)
	if ok == 0 {
		c.disc.info.Used = false
		if c.disc.info.Message == "" {
			c.disc.info.Message = "every read failed (see warnings); popularity is Mode's lifetime view_count"
		}
	}
	c.log.Info("discovery database read", "reads_ok", ok, "popularity", len(c.disc.popularity),
		"reports", len(c.disc.reports), "users", len(c.disc.users))
}

// popularity returns a report's popularity: the Discovery Database's
// windowed figures when it was read, else Mode's lifetime view_count.
func (c *crawler) popularity(rec *record.Report) *record.Popularity {
	if c.disc.popularity == nil {
		return &record.Popularity{Source: record.PopularityRESTViewCount, Views: rec.ViewCount}
	}
	if p, ok := c.disc.popularity[rec.Token]; ok {
		return &p
	}
	// Absent from the window's view events: nobody viewed it in the window.
	var zero int64
	window := c.opts.PopularityWindowDays
	return &record.Popularity{Source: record.PopularityDiscoveryDB, WindowDays: &window, Views: &zero, Viewers: &zero}
}

// discoveryOnly writes the reports (and their queries) that only the
// Discovery Database knows, e.g. those in other users' personal
// collections. Their queries go through the lineage stage too.
func (c *crawler) discoveryOnly(ctx context.Context) error {
	if len(c.disc.onlyReports) == 0 {
		return nil
	}
	only := map[string]bool{}
	n := 0
	for i := range c.disc.onlyReports {
		r := c.disc.onlyReports[i]
		if r.SpaceToken == "" && r.SpaceName != nil {
			// A collection the API listed, by its unique name.
			r.SpaceToken = c.spaceByName[*r.SpaceName]
		}
		if c.seen[r.Token] || !c.keepDiscoverySpace(&r) {
			continue
		}
		if !c.keepReport(&item{rec: r}) {
			continue
		}
		only[r.Token] = true
		r.Source = record.SourceDiscoveryDB
		r.Popularity = c.popularity(&r)
		if err := c.sink.AddReport(r); err != nil {
			return err
		}
		n++
	}
	c.count(record.KindReport, n)

	queries := c.disc.onlyQueries
	slices.SortFunc(queries, func(a, b record.Query) int { return cmp.Compare(a.Token, b.Token) })
	g, gctx := c.group(ctx)
	for i := range queries {
		if !only[queries[i].ParentToken] {
			continue
		}
		g.Go(func() error {
			q := queries[i]
			q.Source = record.SourceDiscoveryDB
			if q.ParentKind == "" {
				q.ParentKind = record.ParentReport
			}
			if u, ok := c.disc.usage[q.Token]; ok {
				q.Usage = &u
			}
			c.analyzer.Query(gctx, &q)
			if err := c.sink.AddQuery(q); err != nil {
				return err
			}
			edges := c.analyzer.Edges(&q, nil)
			for _, e := range edges {
				if err := c.sink.AddEdge(e); err != nil {
					return err
				}
			}
			c.count(record.KindQuery, 1)
			c.count(record.KindLineage, len(edges))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	c.disc.onlyReports, c.disc.onlyQueries = nil, nil
	c.log.Info("reports only the discovery database sees", "reports", n)
	return nil
}

// keepDiscoverySpace applies the collection filters to a report found only
// in the Discovery Database. A collection the API listed decides by its
// token; otherwise the Discovery Database's collection name and type are
// filtered like a listed collection's. With filters on and neither known,
// the report is dropped: it cannot be shown to pass them.
func (c *crawler) keepDiscoverySpace(r *record.Report) bool {
	if r.SpaceToken != "" && (c.kept[r.SpaceToken] || c.skipped[r.SpaceToken]) {
		return c.kept[r.SpaceToken]
	}
	filtered := !c.opts.IncludePersonal || len(c.opts.IncludeCollections) > 0 || len(c.opts.ExcludeCollections) > 0
	if r.SpaceName == nil && r.SpaceType == "" {
		return !filtered
	}
	personal := r.SpaceType == "personal" || (r.SpaceName != nil && *r.SpaceName == "Personal")
	return c.keepSpace(record.Space{Name: r.SpaceName, Personal: personal})
}
