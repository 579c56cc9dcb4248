package fakesnowflake

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

// SeedOptions tune Seed. The zero value is usable.
type SeedOptions struct {
	// Seed makes the generated events deterministic (same seed, workspace
	// and now → identical rows).
	Seed int64
	// WindowDays is the window Report.Views90d/Viewers90d describe
	// (default 90): exactly that many views and viewers land strictly
	// inside (now-WindowDays, now].
	WindowDays int
	// HistoryDays is how far back events go (default 180), so there are
	// always events outside the window.
	HistoryDays int
	// ViewsPerReport, when > 0, overrides every report's in-window views
	// (benchmarks use it to reach millions of events).
	ViewsPerReport int
}

func (o *SeedOptions) setDefaults() {
	if o.WindowDays <= 0 {
		o.WindowDays = 90
	}
	if o.HistoryDays <= o.WindowDays {
		o.HistoryDays = max(180, 2*o.WindowDays)
	}
}

// Seed loads db (made by Open) with a Discovery Database derived
// deterministically from ws: users, connections, every report (including
// those in personal collections hidden from the REST API; Mode datasets are
// left out), their queries with SQL, charts, schedules, and view and run
// events over HistoryDays before now. Report.Views90d/Viewers90d become the
// in-window view and distinct-viewer counts (derived from ViewCount when
// the workspace has none). Only the tables and columns present in db are
// filled, so a database opened WithoutTables/WithoutColumns seeds as well,
// and ids follow the database's id style. Everything is inserted in one
// transaction with multi-row INSERTs.
func Seed(ctx context.Context, db *sql.DB, ws *fakemode.Workspace, now time.Time, opts SeedOptions) error {
	opts.setDefaults()
	now = now.UTC()
	shape, err := inspect(ctx, db)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin seed transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	g := &seeder{ctx: ctx, tx: tx, shape: shape, ws: ws, now: now, opts: opts,
		lastSeen: map[string]time.Time{}}
	if err := g.run(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit seed transaction: %w", err)
	}
	return nil
}

// dbShape is which tables and columns a database has, and its id style.
type dbShape struct {
	columns    map[string]map[string]bool
	numericIDs bool
}

func inspect(ctx context.Context, db *sql.DB) (dbShape, error) {
	shape := dbShape{columns: map[string]map[string]bool{}}
	for _, t := range Schema() {
		rows, err := db.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?)`, t.Name)
		if err != nil {
			return shape, fmt.Errorf("inspect table %s: %w", t.Name, err)
		}
		cols := map[string]bool{}
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				rows.Close()
				return shape, fmt.Errorf("inspect table %s: %w", t.Name, err)
			}
			cols[strings.ToUpper(name)] = true
			if t.Name == "REPORTS" && strings.EqualFold(name, "ID") {
				shape.numericIDs = strings.EqualFold(typ, "NUMBER")
			}
		}
		rows.Close()
		if len(cols) > 0 {
			shape.columns[t.Name] = cols
		}
	}
	return shape, nil
}

type seeder struct {
	ctx   context.Context
	tx    *sql.Tx
	shape dbShape
	ws    *fakemode.Workspace
	now   time.Time
	opts  SeedOptions
	// lastSeen is each user's latest event, for LAST_ENGAGED_DATE_UTC.
	lastSeen map[string]time.Time
	eventID  int64
}

// rng returns a generator seeded by the options and a per-item key, so one
// report's events do not depend on the others.
func (g *seeder) rng(key string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return rand.New(rand.NewPCG(uint64(g.opts.Seed), h.Sum64()))
}

func (g *seeder) userID(u *fakemode.User) any {
	if g.shape.numericIDs {
		return u.ID
	}
	if u.Token == "" {
		return fmt.Sprintf("%012x", u.ID)
	}
	return u.Token
}

func (g *seeder) entityID(token string, id int64) any {
	if g.shape.numericIDs {
		return id
	}
	return token
}

func ts(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return FormatTime(*t)
}

func (g *seeder) run() error {
	ws := g.ws
	users := map[string]*fakemode.User{}
	var pool []*fakemode.User
	for _, u := range ws.Users {
		users[u.Username] = u
		if !u.Left {
			pool = append(pool, u)
		}
	}
	if len(pool) == 0 {
		synthetic := &fakemode.User{Username: "viewer", Name: "Viewer", Email: "viewer@example.com", ID: 1, Token: "000000000001"}
		pool = append(pool, synthetic)
		users[synthetic.Username] = synthetic
	}
	creatorID := func(username string) any {
		if u, ok := users[username]; ok {
			return g.userID(u)
		}
		return nil
	}
	creatorEmail := func(username string) any {
		if u, ok := users[username]; ok && u.Email != "" {
			return u.Email
		}
		return nil
	}
	spaces := map[string]*fakemode.Space{}
	for _, s := range ws.Spaces {
		spaces[s.Token] = s
	}
	dsNames := map[int64]string{}
	conns := g.insert("CONNECTIONS", "NAME", "DB_TYPE")
	for _, ds := range ws.DataSources {
		dsNames[ds.ID] = ds.Name
		if err := conns.add(ds.Name, strings.TrimPrefix(ds.Adapter, "jdbc:")); err != nil {
			return err
		}
	}
	if err := conns.flush(); err != nil {
		return err
	}

	reports := g.insert("REPORTS", "ID", "NAME", "DESCRIPTION", "STATE", "COLLECTION_NAME", "COLLECTION_TYPE",
		"CREATED_AT_UTC", "LAST_EDITED_AT_UTC", "CREATOR_ID", "CREATOR_EMAIL", "URL")
	queries := g.insert("QUERIES", "ID", "NAME", "REPORT_ID", "CREATOR_ID", "CONNECTION_NAME", "QUERY", "STATE", "URL")
	views := g.insert("REPORT_VIEWS", "ID", "REPORT_ID", "VIEWER_ID", "VIEWED_AT_UTC", "VIEW_LOCATION")
	runs := g.insert("QUERY_RUNS", "ID", "QUERY_ID", "RUNNER_ID", "STATE", "STARTED_AT_UTC", "IS_SCHEDULED",
		"RUNTIME_IN_SECONDS", "ROWS_RETURNED", "BYTES")
	charts := g.insert("VISUALIZATIONS", "ID", "CREATOR_ID", "CREATED_AT_UTC", "IS_SAVED_EXPLORATION")
	schedules := g.insert("REPORT_SCHEDULES", "ID", "REPORT_ID", "CREATED_AT", "DELETED_AT", "CADENCE")
	subscribers := g.insert("ACTIVE_REPORT_SUBSCRIBERS", "REPORT_ID", "EMAIL_SUBSCRIBER_EMAIL", "SLACK_CHANNEL_ID")

	// Workspaces without 90-day figures get them from the lifetime count.
	haveWindowFigures := false
	for _, r := range ws.Reports {
		if r.Views90d > 0 {
			haveWindowFigures = true
			break
		}
	}
	chartSeq := int64(0)
	for _, r := range ws.Reports {
		if r.IsDataset() {
			continue
		}
		rid := g.entityID(r.Token, r.ID)
		url := fmt.Sprintf("https://app.mode.com/%s/reports/%s", ws.Slug, r.Token)
		collName, collType := any(nil), any(nil)
		if s, ok := spaces[r.SpaceToken]; ok {
			collName, collType = derefOrNil(s.Name), collectionType(s)
		}
		state := "active"
		if r.Archived {
			state = "archived"
		}
		if err := reports.add(rid, derefOrNil(r.Name), derefOrNil(r.Description), state, collName, collType,
			ts(r.CreatedAt), ts(r.EditedAt), creatorID(r.Creator), creatorEmail(r.Creator), url); err != nil {
			return err
		}
		rng := g.rng("report/" + r.Token)
		scheduled := rng.Float64() < 0.25
		if scheduled {
			cadences := []string{"15 minutes", "30 minutes", "hourly", "daily", "weekly", "monthly"}
			created := g.now.Add(-time.Duration(rng.IntN(g.opts.HistoryDays*24)) * time.Hour)
			if err := schedules.add(g.entityID(r.Token+"-s", r.ID*10+1), rid, FormatTime(created), nil,
				cadences[rng.IntN(len(cadences))]); err != nil {
				return err
			}
			if u := pool[rng.IntN(len(pool))]; u.Email != "" {
				if err := subscribers.add(rid, u.Email, nil); err != nil {
					return err
				}
			}
		}
		if err := g.reportViews(views, r, rid, pool, haveWindowFigures, rng); err != nil {
			return err
		}
		for _, q := range r.Queries {
			qid := g.entityID(q.Token, q.ID)
			conn := any(nil)
			if name, ok := dsNames[q.DataSourceID]; ok {
				conn = name
			}
			if err := queries.add(qid, derefOrNil(q.Name), rid, creatorID(q.Creator), conn, q.RawQuery, "active",
				url+"/queries/"+q.Token); err != nil {
				return err
			}
			if err := g.queryRuns(runs, q, qid, scheduled, pool); err != nil {
				return err
			}
			for _, c := range q.Charts {
				chartSeq++
				if err := charts.add(g.entityID(c.Token, chartSeq), creatorID(c.Creator), ts(&c.CreatedAt), 0); err != nil {
					return err
				}
			}
		}
	}
	for _, ins := range []*inserter{reports, queries, views, runs, charts, schedules, subscribers} {
		if err := ins.flush(); err != nil {
			return err
		}
	}
	return g.users(users)
}

func (g *seeder) users(users map[string]*fakemode.User) error {
	ins := g.insert("USERS", "ID", "NAME", "USERNAME", "EMAIL", "MEMBERSHIP_STATE", "MEMBERSHIP_TYPE",
		"MEMBERSHIP_STARTED_AT_UTC", "MEMBERSHIP_ENDED_AT_UTC", "LAST_ENGAGED_DATE_UTC")
	list := make([]*fakemode.User, 0, len(users))
	list = append(list, g.ws.Users...)
	if len(list) == 0 {
		for _, u := range users {
			list = append(list, u)
		}
	}
	for _, u := range list {
		state, typ, ended := "active", "standard", any(nil)
		if u.Left {
			state = "removed"
			ended = FormatTime(g.now.AddDate(0, 0, -30))
		}
		if u.Admin {
			typ = "admin"
		}
		engaged := any(nil)
		if t, ok := g.lastSeen[u.Username]; ok {
			// A date column: midnight UTC of the last event.
			engaged = FormatTime(t.Truncate(24 * time.Hour))
		}
		started := any(nil)
		if !u.CreatedAt.IsZero() {
			started = FormatTime(u.CreatedAt)
		}
		if err := ins.add(g.userID(u), nonEmpty(u.Name), u.Username, nonEmpty(u.Email), state, typ,
			started, ended, engaged); err != nil {
			return err
		}
	}
	return ins.flush()
}

// reportViews writes one report's view events: exactly the in-window
// views and distinct viewers the model says, plus older views.
func (g *seeder) reportViews(ins *inserter, r *fakemode.Report, rid any, pool []*fakemode.User,
	haveWindowFigures bool, rng *rand.Rand) error {
	n := int(r.Views90d)
	viewers := int(r.Viewers90d)
	if !haveWindowFigures {
		n = int(r.ViewCount / 3)
		viewers = 0
	}
	if g.opts.ViewsPerReport > 0 {
		n, viewers = g.opts.ViewsPerReport, 0
	}
	if viewers <= 0 && n > 0 {
		viewers = 1 + n/5
	}
	viewers = min(viewers, n, len(pool))
	window := time.Duration(g.opts.WindowDays) * 24 * time.Hour
	history := time.Duration(g.opts.HistoryDays) * 24 * time.Hour
	chosen := rng.Perm(len(pool))[:viewers]
	locations := []string{"web", "web", "web", "embed", "email"}
	for i := 0; i < n; i++ {
		u := pool[chosen[i%viewers]]
		if i >= viewers {
			u = pool[chosen[rng.IntN(viewers)]]
		}
		// Strictly inside (now-window, now]: one second clear of the bound
		// so the model's counts are exact whatever the rounding.
		at := g.now.Add(-time.Second - time.Duration(rng.Int64N(int64(window-2*time.Second))))
		if err := g.view(ins, rid, u, at, locations[rng.IntN(len(locations))]); err != nil {
			return err
		}
	}
	// Older views, outside the window, from anyone in the pool.
	old := n/4 + rng.IntN(3)
	for i := 0; i < old; i++ {
		at := g.now.Add(-window - time.Second - time.Duration(rng.Int64N(int64(history-window-2*time.Second))))
		if err := g.view(ins, rid, pool[rng.IntN(len(pool))], at, "web"); err != nil {
			return err
		}
	}
	return nil
}

func (g *seeder) view(ins *inserter, rid any, u *fakemode.User, at time.Time, location string) error {
	g.eventID++
	if at.After(g.lastSeen[u.Username]) {
		g.lastSeen[u.Username] = at
	}
	return ins.add(g.eventID, rid, g.userID(u), FormatTime(at), location)
}

// queryRuns writes one query's runs over the history: manual runs by
// anyone, scheduled ones for scheduled reports, some failures.
func (g *seeder) queryRuns(ins *inserter, q *fakemode.Query, qid any, scheduled bool, pool []*fakemode.User) error {
	rng := g.rng("query/" + q.Token)
	history := time.Duration(g.opts.HistoryDays) * 24 * time.Hour
	n := rng.IntN(12)
	if scheduled {
		n += 10 + rng.IntN(20)
	}
	for i := 0; i < n; i++ {
		g.eventID++
		u := pool[rng.IntN(len(pool))]
		at := g.now.Add(-time.Second - time.Duration(rng.Int64N(int64(history-2*time.Second))))
		state := "succeeded"
		if rng.Float64() < 0.1 {
			state = "failed"
		}
		isScheduled := int64(0)
		if scheduled && rng.Float64() < 0.6 {
			isScheduled = 1
		}
		runtime := float64(rng.IntN(120000)+50) / 1000
		rowsReturned := int64(rng.IntN(100000))
		if err := ins.add(g.eventID, qid, g.userID(u), state, FormatTime(at), isScheduled, runtime,
			rowsReturned, rowsReturned*int64(40+rng.IntN(200))); err != nil {
			return err
		}
	}
	return nil
}

func collectionType(s *fakemode.Space) string {
	switch {
	case s.SpaceType == fakemode.SpacePrivate:
		return "Personal"
	case s.DefaultAccessLevel == "restricted":
		return "Private"
	default:
		return "Open"
	}
}

func derefOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// inserter batches rows of one table into multi-row INSERTs, keeping only
// the columns the database has.
type inserter struct {
	g       *seeder
	table   string
	keep    []bool
	cols    []string
	pending []any
	rows    int
}

// batchRows bounds one INSERT; SQLite allows 32766 variables a statement.
const batchRows = 500

func (g *seeder) insert(table string, cols ...string) *inserter {
	ins := &inserter{g: g, table: table}
	present := g.shape.columns[table]
	for _, c := range cols {
		ok := present[c]
		ins.keep = append(ins.keep, ok)
		if ok {
			ins.cols = append(ins.cols, c)
		}
	}
	return ins
}

func (ins *inserter) add(vals ...any) error {
	if len(ins.cols) == 0 {
		return nil // table absent
	}
	for i, v := range vals {
		if ins.keep[i] {
			ins.pending = append(ins.pending, v)
		}
	}
	ins.rows++
	if ins.rows >= batchRows {
		return ins.flush()
	}
	return nil
}

func (ins *inserter) flush() error {
	if ins.rows == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ins.cols)), ",") + ")"
	stmt := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", ins.table, strings.Join(ins.cols, ", "),
		strings.TrimSuffix(strings.Repeat(row+",", ins.rows), ","))
	if _, err := ins.g.tx.ExecContext(ins.g.ctx, stmt, ins.pending...); err != nil {
		return fmt.Errorf("seed %s: %w", ins.table, err)
	}
	ins.pending = ins.pending[:0]
	ins.rows = 0
	return nil
}
