package crawl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/pkg/record"
)

// Result is the outcome of a crawl that ran to the end (possibly with
// failed items; see Manifest.Status).
type Result struct {
	// Manifest describes the crawl. Counts are the records handed to the
	// Sink; output.Writer.Commit recomputes them from the lines written.
	Manifest record.Manifest
}

// Partial reports whether some items failed (the CLI exits 4).
func (r *Result) Partial() bool { return r.Manifest.Status == record.StatusPartial }

// item is a report or dataset waiting for its queries. Only the compact
// output record is kept, never Mode's wire object with its many links.
type item struct {
	rec     record.Report
	dataset bool
}

func (it *item) kind() string {
	if it.dataset {
		return record.KindDataset
	}
	return record.KindReport
}

// crawler is the state of one Run.
type crawler struct {
	client   Client
	sink     Sink
	opts     Options
	log      *slog.Logger
	u        urls
	ws       string
	analyzer Analyzer
	disc     discovered

	mu       sync.Mutex // guards errs, warns, counts, creators, seen
	errs     []record.Issue
	warns    []record.Issue
	counts   map[string]int
	creators map[string]string // username → creator href
	seen     map[string]bool   // report and dataset tokens written

	// kept and skipped are the collections the filters kept and dropped.
	kept, skipped map[string]bool
	// spaceByName maps a listed collection's name to its token ("" when
	// several collections share the name).
	spaceByName map[string]string
}

// Run crawls the workspace opts.Workspace through client and streams every
// record into sink. It returns an error only when the crawl had to stop:
// ErrAuth for refused credentials, a context error when ctx ended, a
// listing of the collections that failed, or a Sink error. Item failures
// are in the returned manifest instead.
func Run(ctx context.Context, client Client, sink Sink, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	c := &crawler{
		client:   client,
		sink:     sink,
		opts:     opts,
		log:      opts.Logger,
		u:        urls{base: strings.TrimRight(opts.BaseURL, "/"), ws: opts.Workspace},
		ws:       opts.Workspace,
		counts:   map[string]int{},
		creators: map[string]string{},
		seen:     map[string]bool{},
	}
	if c.ws == "" {
		return nil, errors.New("crawl: no workspace configured")
	}
	started := opts.Now().UTC()

	if err := c.verify(ctx); err != nil {
		return nil, err
	}
	defs, sources, err := c.sourcesAndDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	c.analyzer = opts.Lineage.Analyzer(defs, sources)
	c.loadDiscovery(ctx, sources)

	spaces, skipSpaces, err := c.spaces(ctx)
	if err != nil {
		return nil, err
	}
	c.kept, c.skipped = map[string]bool{}, skipSpaces
	for _, s := range spaces {
		c.kept[s.Token] = true
	}
	if err := c.reports(ctx, spaces, skipSpaces); err != nil {
		return nil, err
	}
	if err := c.discoveryOnly(ctx); err != nil {
		return nil, err
	}
	if err := c.users(ctx); err != nil {
		return nil, err
	}

	st := client.Stats()
	m := record.Manifest{
		SchemaVersion: record.SchemaVersion,
		ToolVersion:   opts.ToolVersion,
		Workspace:     c.ws,
		BaseURL:       c.u.base,
		StartedAt:     started,
		FinishedAt:    opts.Now().UTC(),
		Status:        record.StatusComplete,
		Requests:      record.Requests{Total: st.Total, Retried: st.Retried, RateLimited: st.RateLimited},
		Errors:        c.errs,
		Warnings:      c.warns,
		Counts:        c.counts,
	}
	if len(m.Errors) > 0 {
		m.Status = record.StatusPartial
	}
	if opts.Discovery != nil {
		info := c.disc.info
		m.Discovery = &info
	}
	sortIssues(m.Errors)
	sortIssues(m.Warnings)
	c.log.Info("crawl finished", "status", m.Status, "requests", st.Total,
		"errors", len(m.Errors), "warnings", len(m.Warnings))
	return &Result{Manifest: m}, nil
}

func sortIssues(is []record.Issue) {
	slices.SortFunc(is, func(a, b record.Issue) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Token, b.Token), cmp.Compare(a.Message, b.Message))
	})
}

// verify checks the credentials and the workspace. Only the configured
// workspace is ever crawled: a different answer from /api/verify (a token
// of another workspace, or a renamed one) is a warning, never a switch.
func (c *crawler) verify(ctx context.Context) error {
	v, err := c.client.Verify(ctx)
	if err != nil {
		if modeapi.IsAuth(err) {
			return fmt.Errorf("%w: %w", ErrAuth, err)
		}
		if modeapi.IsNotFound(err) && ctx.Err() == nil {
			// /api/verify is recent (2024); without it the data source
			// listing, the first workspace call, still checks access.
			c.warn(record.KindWorkspace, c.ws, "GET /api/verify answered 404; access is checked by the first workspace call instead")
			return nil
		}
		return err // the client's error already says "verify credentials"
	}
	if v.Workspace != "" && !strings.EqualFold(v.Workspace, c.ws) {
		c.warn(record.KindWorkspace, c.ws, fmt.Sprintf(
			"credentials belong to workspace %q; crawling the configured workspace %q", v.Workspace, c.ws))
	}
	// The workspace itself is checked by the first workspace-scoped call
	// (the data source listing), not by GET /api/{workspace}: that saves a
	// request and does not depend on an endpoint the crawl has no other use for.
	c.log.Info("credentials verified", "workspace", c.ws)
	return nil
}

// fail applies the failure policy to one item's error and returns a
// non-nil error only when the whole crawl must stop.
func (c *crawler) fail(ctx context.Context, kind, token, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var ae *modeapi.APIError
	switch {
	case errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized:
		// The token was revoked mid-crawl: every further request would
		// fail the same way. The client's error already names the call.
		return fmt.Errorf("%w: %w", ErrAuth, err)
	case modeapi.IsNotFound(err):
		c.warn(kind, token, what+": not found (deleted during the crawl)")
	default:
		// 403 lands here too: Mode answers 403 for a collection deleted a
		// moment ago. The client's error already names the call.
		c.error(kind, token, err.Error())
	}
	return nil
}

func (c *crawler) warn(kind, token, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.warns = append(c.warns, record.Issue{Kind: kind, Token: token, Message: msg})
	c.log.Warn(msg, "kind", kind, "token", token)
}

func (c *crawler) error(kind, token, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, record.Issue{Kind: kind, Token: token, Message: msg})
	c.log.Error(msg, "kind", kind, "token", token)
}

func (c *crawler) count(kind string, n int) {
	c.mu.Lock()
	c.counts[kind] += n
	c.mu.Unlock()
}

// creator remembers a creator link for the users stage.
func (c *crawler) creator(href string) *string {
	name := usernameFromHref(href)
	if name == "" {
		return nil
	}
	c.mu.Lock()
	if _, ok := c.creators[name]; !ok {
		c.creators[name] = href
	}
	c.mu.Unlock()
	return &name
}

func (c *crawler) group(ctx context.Context) (*errgroup.Group, context.Context) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	return g, gctx
}

// sourcesAndDefinitions reads the workspace's connections and definitions
// (both needed before any query can be analysed).
func (c *crawler) sourcesAndDefinitions(ctx context.Context) ([]record.Definition, []record.DataSource, error) {
	var defs []record.Definition
	var sources []record.DataSource
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		list, err := c.client.DataSources(gctx, c.ws)
		if err != nil {
			if gctx.Err() == nil && (modeapi.IsAuth(err) || modeapi.IsNotFound(err)) {
				// The first workspace-scoped call: a 404 means no workspace of
				// that slug is visible to the token, a 401/403 no access to it.
				return fmt.Errorf("workspace %q is not found or not readable with this token (list data sources): %w: %w",
					c.ws, ErrAuth, err)
			}
			return c.fail(gctx, record.KindDataSource, "", "list data sources", err)
		}
		for i := range list {
			d := dataSourceRecord(&list[i])
			c.creator(list[i].Links.Href("creator"))
			sources = append(sources, d)
			if err := c.sink.AddDataSource(d); err != nil {
				return err
			}
		}
		c.count(record.KindDataSource, len(list))
		return nil
	})
	g.Go(func() error {
		list, err := c.client.Definitions(gctx, c.ws)
		if err != nil {
			return c.fail(gctx, record.KindDefinition, "", "list definitions", err)
		}
		for i := range list {
			d := definitionRecord(&list[i])
			c.creator(list[i].Links.Href("creator"))
			defs = append(defs, d)
			if err := c.sink.AddDefinition(d); err != nil {
				return err
			}
		}
		c.count(record.KindDefinition, len(list))
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	c.log.Info("data sources and definitions read", "data_sources", len(sources), "definitions", len(defs))
	return defs, sources, nil
}

// spaces lists every collection, personal ones included (filter=all: without
// an explicit filter Mode has been seen returning nothing), and applies the
// collection filters. It returns the kept collections and the tokens of the
// ones filtered out.
func (c *crawler) spaces(ctx context.Context) ([]record.Space, map[string]bool, error) {
	list, err := c.client.Spaces(ctx, c.ws, "all")
	if err != nil {
		if modeapi.IsAuth(err) {
			return nil, nil, fmt.Errorf("list collections: %w: %w", ErrAuth, err)
		}
		// Without the collection list there is nothing to crawl; writing an
		// empty output set over a good one would be worse than stopping.
		return nil, nil, fmt.Errorf("list collections: %w", err)
	}
	kept := make([]record.Space, 0, len(list))
	skipped := map[string]bool{}
	c.spaceByName = map[string]string{}
	for i := range list {
		s := spaceRecord(&list[i], c.u)
		if s.Name != nil {
			if _, dup := c.spaceByName[*s.Name]; dup {
				c.spaceByName[*s.Name] = "" // not unique: a name cannot say which
			} else {
				c.spaceByName[*s.Name] = s.Token
			}
		}
		if !c.keepSpace(s) {
			skipped[s.Token] = true
			continue
		}
		c.creator(list[i].Links.Href("creator"))
		kept = append(kept, s)
		if err := c.sink.AddSpace(s); err != nil {
			return nil, nil, err
		}
	}
	c.count(record.KindSpace, len(kept))
	c.log.Info("collections listed", "listed", len(list), "kept", len(kept))
	return kept, skipped, nil
}

func (c *crawler) keepSpace(s record.Space) bool {
	if s.Personal && !c.opts.IncludePersonal {
		return false
	}
	name := ""
	if s.Name != nil {
		name = *s.Name
	}
	if len(c.opts.IncludeCollections) > 0 && !slices.ContainsFunc(c.opts.IncludeCollections,
		func(re *regexp.Regexp) bool { return re.MatchString(name) }) {
		return false
	}
	return !slices.ContainsFunc(c.opts.ExcludeCollections, func(re *regexp.Regexp) bool { return re.MatchString(name) })
}

// keepReport applies the archived and exclude filters. Excluded reports
// are warnings so a user can see what the output lacks.
func (c *crawler) keepReport(it *item) bool {
	if it.rec.Archived && !c.opts.IncludeArchived {
		return false
	}
	for _, x := range c.opts.ExcludeReports {
		if x == it.rec.Token || (it.rec.Name != nil && x == *it.rec.Name) {
			c.warn(it.kind(), it.rec.Token, "skipped: matches exclude_reports")
			return false
		}
	}
	return true
}

// maxListers bounds the collection listings in flight. A listing page holds
// up to 1,000 reports (the biggest responses of a crawl), so a few at a
// time keep memory flat while the detail workers keep the limiter busy.
const maxListers = 2

// importPair is one "report imports dataset" reference; its lineage edge is
// written once it is known whether the dataset still exists.
type importPair struct{ dataset, report string }

// reports lists the reports and datasets of every kept collection and
// streams them to Concurrency detail workers as each listing arrives, so
// the whole workspace is never held in memory. Then it fetches imported
// datasets no listing contained and writes the dataset → report edges.
func (c *crawler) reports(ctx context.Context, spaces []record.Space, skipSpaces map[string]bool) error {
	var mu sync.Mutex // guards listed and imports
	listed := map[string]bool{}
	var imports []importPair

	g, gctx := errgroup.WithContext(ctx)
	work := make(chan *item, c.opts.Concurrency)
	send := func(list []modeapi.Report, fromDatasets bool) error {
		// Convert the whole page to compact records first so the wire
		// objects (with their dozens of links each) are garbage before the
		// lister blocks on busy workers.
		items := make([]*item, 0, len(list))
		for i := range list {
			r := &list[i]
			mu.Lock()
			dup := listed[r.Token]
			listed[r.Token] = true
			mu.Unlock()
			if dup {
				// Listed twice (moved between collections mid-crawl).
				continue
			}
			ds := fromDatasets || r.IsDataset()
			it := &item{rec: reportRecord(r, ds, c.u), dataset: ds}
			it.rec.Creator = c.creator(r.Links.Href("creator"))
			if !c.keepReport(it) {
				continue
			}
			mu.Lock()
			for _, d := range it.rec.ImportedDatasetTokens {
				imports = append(imports, importPair{d, it.rec.Token})
			}
			mu.Unlock()
			items = append(items, it)
		}
		clear(list)
		for _, it := range items {
			select {
			case work <- it:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	}
	g.Go(func() error {
		defer close(work)
		lg, lctx := errgroup.WithContext(gctx)
		lg.SetLimit(min(maxListers, c.opts.Concurrency))
		for _, s := range spaces {
			lg.Go(func() error {
				list, err := c.client.SpaceReports(lctx, c.ws, s.Token)
				if err != nil {
					return c.fail(lctx, record.KindSpace, s.Token, "list reports", err)
				}
				return send(list, false)
			})
			lg.Go(func() error {
				list, err := c.client.SpaceDatasets(lctx, c.ws, s.Token)
				if err != nil {
					return c.fail(lctx, record.KindSpace, s.Token, "list datasets", err)
				}
				return send(list, true)
			})
		}
		return lg.Wait()
	})
	for range c.opts.Concurrency {
		g.Go(func() error {
			for it := range work {
				if err := c.detail(gctx, it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	c.log.Info("reports and datasets read", "listed", len(listed))

	missing, err := c.importedDatasets(ctx, imports, listed, skipSpaces)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range imports {
		if missing[p.dataset] {
			continue
		}
		if err := c.sink.AddEdge(edge(record.NodeDataset, p.dataset, record.NodeReport, p.report)); err != nil {
			return err
		}
		n++
	}
	c.count(record.KindLineage, n)
	return nil
}

// importedDatasets fetches datasets that reports import but no listing
// contained (e.g. in a collection the token cannot list) and crawls them
// like listed ones. A 404 means the dataset was deleted: a warning, and its
// token is returned so no lineage edge points at it.
func (c *crawler) importedDatasets(ctx context.Context, imports []importPair, listed, skipSpaces map[string]bool) (map[string]bool, error) {
	var want []string
	for _, p := range imports {
		if !listed[p.dataset] {
			listed[p.dataset] = true
			want = append(want, p.dataset)
		}
	}
	slices.Sort(want)
	var mu sync.Mutex // guards missing
	missing := map[string]bool{}
	g, gctx := c.group(ctx)
	for _, tok := range want {
		g.Go(func() error {
			r, err := c.client.Report(gctx, c.ws, tok)
			if err != nil {
				if modeapi.IsNotFound(err) && gctx.Err() == nil {
					mu.Lock()
					missing[tok] = true
					mu.Unlock()
					c.warn(record.KindDataset, tok, "imported dataset not found (deleted)")
					return nil
				}
				return c.fail(gctx, record.KindDataset, tok, "get imported dataset", err)
			}
			it := &item{rec: reportRecord(r, true, c.u), dataset: true}
			it.rec.Creator = c.creator(r.Links.Href("creator"))
			if skipSpaces[it.rec.SpaceToken] || !c.keepReport(it) {
				return nil
			}
			return c.detail(gctx, it)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(want) > 0 {
		c.log.Info("imported datasets outside listed collections", "wanted", len(want), "missing", len(missing))
	}
	return missing, nil
}

// detail fetches an item's queries and each query's charts, runs the
// lineage stage and writes the records. Every query's charts are fetched:
// explorations_count == 0 is not proof that a query has no charts.
func (c *crawler) detail(ctx context.Context, it *item) error {
	rec := &it.rec
	parentKind, parentNode := record.ParentReport, record.NodeReport
	if it.dataset {
		parentKind, parentNode = record.ParentDataset, record.NodeDataset
	}
	queries, err := c.client.ReportQueries(ctx, c.ws, rec.Token)
	if err != nil {
		if e := c.fail(ctx, it.kind(), rec.Token, "list queries", err); e != nil {
			return e
		}
		if modeapi.IsNotFound(err) {
			return nil // deleted since it was listed: not part of the snapshot
		}
		// Keep the report; query_tokens null says its queries are unknown.
		rec.QueryTokens = nil
		return c.putReport(it)
	}
	rec.QueryTokens = make([]string, 0, len(queries))
	for i := range queries {
		q := &queries[i]
		ok, err := c.query(ctx, q, rec.Token, parentKind, parentNode)
		if err != nil {
			return err
		}
		if ok {
			rec.QueryTokens = append(rec.QueryTokens, q.Token)
		}
		queries[i] = modeapi.Query{} // drop the SQL text once written
	}
	return c.putReport(it)
}

// query analyses one query, fetches its charts and writes the query, its
// charts and their edges. It reports false when the query was deleted
// mid-crawl.
func (c *crawler) query(ctx context.Context, q *modeapi.Query, parent, parentKind, parentNode string) (bool, error) {
	qr := queryRecord(q, parent, parentKind, c.u)
	c.creator(q.Links.Href("creator"))
	if u, ok := c.disc.usage[q.Token]; ok {
		qr.Usage = &u
	}
	c.analyzer.Query(ctx, &qr)

	charts, err := c.client.QueryCharts(ctx, c.ws, parent, q.Token)
	var recs []record.Chart
	if err != nil {
		if e := c.fail(ctx, record.KindQuery, q.Token, "list charts", err); e != nil {
			return false, e
		}
		if modeapi.IsNotFound(err) {
			return false, nil
		}
	}
	if len(charts) > 0 {
		outCols := make([]string, len(qr.Columns))
		for i, col := range qr.Columns {
			outCols[i] = col.Name
		}
		recs = make([]record.Chart, 0, len(charts))
		for i := range charts {
			ch := &charts[i]
			cr := chartRecord(ch, q.Token, parent, c.u)
			cr.Fields = c.analyzer.ChartFields(ch.View, ch.ViewVegas, outCols)
			c.creator(ch.Links.Href("creator"))
			recs = append(recs, cr)
		}
		// The raw chart JSON is dropped here: only the computed fields are
		// kept (chart configurations are the bulk of a crawl's bytes).
		clear(charts)
	}

	if err := c.sink.AddQuery(qr); err != nil {
		return false, err
	}
	for _, cr := range recs {
		if err := c.sink.AddChart(cr); err != nil {
			return false, err
		}
	}
	edges := make([]record.Edge, 0, 2*len(recs)+1)
	for _, cr := range recs {
		edges = append(edges,
			edge(record.NodeQuery, q.Token, record.NodeChart, cr.Token),
			edge(record.NodeChart, cr.Token, parentNode, parent))
	}
	if parentKind == record.ParentDataset {
		edges = append(edges, edge(record.NodeQuery, q.Token, record.NodeDataset, parent))
	}
	edges = append(edges, c.analyzer.Edges(&qr, recs)...)
	for _, e := range edges {
		if err := c.sink.AddEdge(e); err != nil {
			return false, err
		}
	}
	c.count(record.KindQuery, 1)
	c.count(record.KindChart, len(recs))
	c.count(record.KindLineage, len(edges))
	return true, nil
}

// putReport writes a report or dataset with its popularity.
func (c *crawler) putReport(it *item) error {
	rec := &it.rec
	rec.Popularity = c.popularity(rec)
	if c.disc.reports[rec.Token] {
		rec.Source = record.SourceBoth
	}
	c.mu.Lock()
	c.seen[rec.Token] = true
	c.mu.Unlock()
	var err error
	if it.dataset {
		err = c.sink.AddDataset(*rec)
	} else {
		err = c.sink.AddReport(*rec)
	}
	if err != nil {
		return err
	}
	c.count(it.kind(), 1)
	return nil
}

// users resolves every creator once (Mode gives creators only as links). A
// 404 means the user left the workspace: recorded with left=true, not an
// error. Discovery Database members enrich these and add the rest.
func (c *crawler) users(ctx context.Context) error {
	c.mu.Lock()
	names := make([]string, 0, len(c.creators))
	for name := range c.creators {
		names = append(names, name)
	}
	slices.Sort(names)
	hrefs := make([]string, len(names))
	for i, name := range names {
		hrefs[i] = c.creators[name]
	}
	c.mu.Unlock()

	users := make([]record.User, len(names))
	g, gctx := c.group(ctx)
	for i, name := range names {
		g.Go(func() error {
			u, err := c.client.User(gctx, hrefs[i])
			switch {
			case err == nil:
				users[i] = userRecord(u, name)
			case modeapi.IsNotFound(err) && gctx.Err() == nil:
				users[i] = record.User{Username: name, Left: true}
			default:
				if e := c.fail(gctx, record.KindUser, name, "get user", err); e != nil {
					return e
				}
				// Keep the username: reports still name this creator.
				users[i] = record.User{Username: name}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	byName := make(map[string]int, len(users))
	for i := range users {
		byName[users[i].Username] = i
	}
	for _, du := range c.disc.users {
		i, ok := byName[du.Username]
		if !ok {
			users = append(users, du)
			byName[du.Username] = len(users) - 1
			continue
		}
		u := &users[i]
		u.MembershipState = du.MembershipState
		u.LastEngagedAt = du.LastEngagedAt
		u.Email = cmp.Or(u.Email, du.Email)
		u.Name = cmp.Or(u.Name, du.Name)
	}
	for _, u := range users {
		if err := c.sink.AddUser(u); err != nil {
			return err
		}
	}
	c.count(record.KindUser, len(users))
	c.log.Info("users resolved", "users", len(users))
	return nil
}
