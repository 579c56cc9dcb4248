package fakemode

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// GenOptions sizes and seeds a generated workspace. Zero fields take the
// defaults documented on each field.
type GenOptions struct {
	// Seed makes generation deterministic: equal options give byte-identical
	// responses.
	Seed int64
	// Slug is the workspace username (default "acme").
	Slug string
	// Name is the display name (default "Acme Corp").
	Name string
	// Spaces is the number of shared (custom) collections (default 6).
	Spaces int
	// PersonalSpaces is the number of personal collections, one per user
	// (default 2, capped at Users). When there are two or more, the last one
	// is HiddenFromAPI unless HiddenPersonal is negative.
	PersonalSpaces int
	// HiddenPersonal < 0 disables the personal collection hidden from the
	// API; 0 (default) keeps one.
	HiddenPersonal int
	// Reports is the total number of reports (Type "Report") spread over
	// the collections, not counting datasets (default 40).
	Reports int
	// DatasetsPerSpace is the mean number of datasets per shared collection
	// (default 0.5; negative means none).
	DatasetsPerSpace float64
	// QueriesPerReport is the mean number of queries per report (default 2.5).
	QueriesPerReport float64
	// ChartsPerQuery is the mean number of charts per query (default 1.5).
	ChartsPerQuery float64
	// Users is the number of users, including those who left (default 12).
	Users int
	// Now is the reference clock (default 2025-06-30T12:00:00Z); every
	// timestamp is before it.
	Now time.Time
}

// withDefaults fills zero fields.
func (o GenOptions) withDefaults() GenOptions {
	if o.Slug == "" {
		o.Slug = "acme"
	}
	if o.Name == "" {
		o.Name = "Acme Corp"
	}
	if o.Spaces <= 0 {
		o.Spaces = 6
	}
	if o.Users <= 0 {
		o.Users = 12
	}
	if o.PersonalSpaces <= 0 {
		o.PersonalSpaces = 2
	}
	o.PersonalSpaces = min(o.PersonalSpaces, o.Users)
	if o.Reports <= 0 {
		o.Reports = 40
	}
	if o.DatasetsPerSpace == 0 {
		o.DatasetsPerSpace = 0.5
	}
	if o.QueriesPerReport <= 0 {
		o.QueriesPerReport = 2.5
	}
	if o.ChartsPerQuery <= 0 {
		o.ChartsPerQuery = 1.5
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	}
	return o
}

// DeletedDataSourceID is the data_source_id generated workspaces give to a
// query whose connection was deleted: no DataSource has it.
const DeletedDataSourceID int64 = 90001

// tokenGen hands out unique 12-hex tokens. Each token is a bijective scramble
// of a counter on 48 bits, so tokens never collide yet look random.
type tokenGen struct {
	key uint64
	n   uint64
}

const mask48 = 1<<48 - 1

func (g *tokenGen) next() string {
	g.n++
	x := g.n & mask48
	// Multiplication by an odd constant and xor-shifts are bijections
	// modulo 2^48; adding the seed-derived key is one too.
	x = (x * 0x9E3779B97F4B) & mask48
	x ^= x >> 23
	x = (x * 0xC2B2AE3D27D5) & mask48
	x ^= x >> 19
	x = (x + g.key) & mask48
	const hexdigits = "0123456789abcdef"
	var b [12]byte
	for i := 11; i >= 0; i-- {
		b[i] = hexdigits[x&0xf]
		x >>= 4
	}
	return string(b[:])
}

// generator holds the state of one Generate call.
type generator struct {
	opts GenOptions
	rng  *rand.Rand
	tok  tokenGen
	ws   *Workspace
	kits []connKit
	// dsByKit is the data source id of each connection kit.
	dsByKit []int64
	// views[k][t][s] is the shared chart config of kit k, template t, style s.
	views [][][]sharedView
	// names shared between reports: one string per (kit, template).
	titles [][]*string
	// queryNames are "Query 1".."Query 12", Mode's default names.
	queryNames []*string
	active     []string // usernames of users still in the workspace
	all        []string // every username
	nextID     int64
	times      []time.Time // slab for report timestamps
}

// sharedView is a chart config shared by every chart of one shape.
type sharedView struct {
	version     int
	view, vegas json.RawMessage
}

// Generate builds a deterministic synthetic workspace. It is fast and
// compact: SQL, chart configs and names are shared between objects, and
// reports, queries and charts are allocated in slabs.
func Generate(opts GenOptions) *Workspace {
	o := opts.withDefaults()
	seed := uint64(o.Seed)
	g := &generator{
		opts:   o,
		rng:    newRand(o.Seed),
		tok:    tokenGen{key: (seed*0x2545F4914F6CDD1D + 0xABCDEF) & mask48},
		kits:   connKits(),
		nextID: 1000,
	}
	g.ws = &Workspace{
		Slug:      o.Slug,
		Name:      o.Name,
		ID:        700000 + int64(seed%100000),
		CreatedAt: o.Now.AddDate(-5, 0, 0),
		Now:       o.Now,
	}
	g.ws.Token = g.tok.next()
	g.prepareShared()
	g.genUsers()
	g.genDataSources()
	g.genSpaces()
	g.genReports()
	return g.ws
}

// newRand returns the deterministic random source of a seed.
func newRand(seed int64) *rand.Rand {
	s := uint64(seed)
	return rand.New(rand.NewPCG(s, s^0x5DEECE66D))
}

// id returns the next numeric id; ids of all kinds come from one sequence.
func (g *generator) id() int64 {
	g.nextID += 1 + int64(g.rng.IntN(7))
	return g.nextID
}

// ago returns a time up to maxDays days before Now, with millisecond
// precision as Mode serves it.
func (g *generator) ago(maxDays int) time.Time {
	ms := g.rng.Int64N(int64(maxDays) * 24 * 3600 * 1000)
	return g.opts.Now.Add(-time.Duration(ms) * time.Millisecond)
}

// prepareShared builds the strings and chart configs shared by all objects.
func (g *generator) prepareShared() {
	g.views = make([][][]sharedView, len(g.kits))
	g.titles = make([][]*string, len(g.kits))
	for k, kit := range g.kits {
		g.views[k] = make([][]sharedView, len(kit.queries))
		g.titles[k] = make([]*string, len(kit.queries))
		for t, tpl := range kit.queries {
			title := tpl.title
			g.titles[k][t] = &title
			g.views[k][t] = make([]sharedView, numChartStyles)
			for s := chartStyle(0); s < numChartStyles; s++ {
				v, view, vegas := chartView(tpl, s)
				g.views[k][t][s] = sharedView{v, view, vegas}
			}
		}
	}
	for i := 1; i <= 12; i++ {
		n := "Query " + strconv.Itoa(i)
		g.queryNames = append(g.queryNames, &n)
	}
}

// Word lists are constants split on use, so the package keeps no mutable
// state.
const (
	firstNameList = "alice bob carmen dmitri emeka fatima grace hiro ines jamal kofi lena mateo nadia oscar priya quinn rosa sven tara"
	lastNameList  = "chen okafor garcia ivanova smith tanaka muller rossi kowalski haddad nguyen silva"
	spaceNameList = "Finance,Marketing,Product,Sales,Exec,Operations,Data Science,Customer Success,Growth,Engineering,People,Support"
)

// genUsers creates users; every tenth one (and at least the last one when
// there are three or more) has left the workspace.
func (g *generator) genUsers() {
	firstNames := strings.Fields(firstNameList)
	lastNames := strings.Fields(lastNameList)
	n := g.opts.Users
	for i := range n {
		first := firstNames[i%len(firstNames)]
		last := lastNames[(i/len(firstNames)+i)%len(lastNames)]
		username := first + "_" + last
		if i >= len(firstNames)*len(lastNames)/2 {
			username += strconv.Itoa(i)
		}
		u := &User{
			Username:  username,
			Name:      titleCase(first) + " " + titleCase(last),
			Email:     first + "." + last + strconv.Itoa(i) + "@" + g.opts.Slug + ".example.com",
			ID:        g.id(),
			Token:     g.tok.next(),
			Left:      (i%10 == 9) || (n >= 3 && i == n-1),
			Admin:     i == 0,
			CreatedAt: g.ago(1500),
		}
		g.ws.Users = append(g.ws.Users, u)
		g.all = append(g.all, username)
		if !u.Left {
			g.active = append(g.active, username)
		}
	}
}

// titleCase upper-cases the first ASCII letter.
func titleCase(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-32) + s[1:]
}

// creator picks any user, including those who left.
func (g *generator) creator() string { return g.all[g.rng.IntN(len(g.all))] }

// genDataSources creates one connection per kit and its definitions.
func (g *generator) genDataSources() {
	for _, kit := range g.kits {
		ds := &DataSource{
			ID:        g.id(),
			Token:     g.tok.next(),
			Name:      kit.name,
			Adapter:   kit.adapter,
			Vendor:    kit.vendor,
			Database:  strPtr(kit.database),
			Host:      strPtr(kit.host),
			Port:      kit.port,
			Username:  strPtr(kit.username),
			CreatedAt: g.ago(1400),
			Creator:   g.active[0],
		}
		if kit.warehouse != "" {
			ds.Warehouse = strPtr(kit.warehouse)
		}
		g.ws.DataSources = append(g.ws.DataSources, ds)
		g.dsByKit = append(g.dsByKit, ds.ID)
		for _, d := range kit.defs {
			g.ws.Definitions = append(g.ws.Definitions, &Definition{
				ID:           g.id(),
				Token:        g.tok.next(),
				Name:         d.name,
				Source:       d.source,
				DataSourceID: ds.ID,
				Description:  d.description,
				CreatedAt:    g.ago(1200),
				Creator:      g.creator(),
			})
		}
	}
}

func strPtr(s string) *string { return &s }

// genSpaces creates the shared collections (the fifth of every five is
// restricted, with Mode's restricted=false bug; the tenth has a null name)
// and one personal collection per user up to PersonalSpaces, the last one
// hidden from the API.
func (g *generator) genSpaces() {
	spaceNames := strings.Split(spaceNameList, ",")
	for i := range g.opts.Spaces {
		name := spaceNames[i%len(spaceNames)]
		if i >= len(spaceNames) {
			name += " " + strconv.Itoa(i/len(spaceNames)+1)
		}
		s := &Space{
			Token:              g.tok.next(),
			ID:                 g.id(),
			Name:               strPtr(name),
			SpaceType:          SpaceCustom,
			DefaultAccessLevel: "view",
			Creator:            g.creator(),
			CreatedAt:          g.ago(1500),
		}
		switch {
		case i%5 == 4 || (g.opts.Spaces < 5 && i == g.opts.Spaces-1):
			s.DefaultAccessLevel = "restricted" // Restricted stays false: Mode's bug
		case i%3 == 1:
			s.DefaultAccessLevel = "edit"
		}
		if i%10 == 9 {
			s.Name = nil
		}
		if i%2 == 0 {
			s.Description = strPtr("Reports owned by the " + name + " team")
		}
		g.ws.Spaces = append(g.ws.Spaces, s)
	}
	for i := range g.opts.PersonalSpaces {
		u := g.ws.Users[i]
		g.ws.Spaces = append(g.ws.Spaces, &Space{
			Token:              g.tok.next(),
			ID:                 g.id(),
			Name:               strPtr("Personal"),
			SpaceType:          SpacePrivate,
			DefaultAccessLevel: "view",
			Creator:            u.Username,
			OwnerUsername:      u.Username,
			HiddenFromAPI:      g.opts.HiddenPersonal >= 0 && i == g.opts.PersonalSpaces-1 && i > 0,
			CreatedAt:          u.CreatedAt,
		})
	}
}

// genReports creates datasets first (so reports can import them), then
// reports spread over collections with a skew, so some collections need
// several pages.
func (g *generator) genReports() {
	spaces := g.ws.Spaces
	nShared := g.opts.Spaces
	var datasets []*Report
	if g.opts.DatasetsPerSpace > 0 {
		for i := range nShared {
			n := int(g.opts.DatasetsPerSpace)
			if g.rng.Float64() < g.opts.DatasetsPerSpace-float64(n) {
				n++
			}
			if i == 0 && n == 0 {
				n = 1 // every workspace has at least one dataset
			}
			for range n {
				datasets = append(datasets, g.newReport(spaces[i], TypeDataset, nil))
			}
		}
	}
	// Skewed weights: collection i gets weight 1/(i+1); personal ones less.
	weights := make([]float64, len(spaces))
	total := 0.0
	for i := range spaces {
		w := 1 / float64(i%nShared+1)
		if spaces[i].SpaceType == SpacePrivate {
			w = 0.15
		}
		weights[i] = w
		total += w
	}
	reports := make([]*Report, 0, g.opts.Reports)
	for range g.opts.Reports {
		x := g.rng.Float64() * total
		si := 0
		for si < len(spaces)-1 && x >= weights[si] {
			x -= weights[si]
			si++
		}
		reports = append(reports, g.newReport(spaces[si], TypeReport, datasets))
	}
	// Make sure every personal collection holds at least one report.
	for i, s := range spaces {
		if s.SpaceType == SpacePrivate && len(reports) > i-nShared {
			r := reports[len(reports)-1-(i-nShared)]
			r.SpaceToken = s.Token
			r.Creator = s.OwnerUsername
		}
	}
	g.ws.Reports = make([]*Report, 0, len(datasets)+len(reports))
	g.ws.Reports = append(g.ws.Reports, datasets...)
	g.ws.Reports = append(g.ws.Reports, reports...)
	g.plantQuirks()
}

// newReport creates one report or dataset with its queries and charts.
func (g *generator) newReport(s *Space, typ string, datasets []*Report) *Report {
	if len(g.times) < 6 {
		// Report timestamps come from a shared slab: one allocation per
		// 256 reports instead of six.
		g.times = make([]time.Time, 6*256)
	}
	ts := g.times[:6:6]
	g.times = g.times[6:]
	created := g.ago(1000)
	age := g.opts.Now.Sub(created)
	edited := created.Add(time.Duration(g.rng.Float64() * float64(age)))
	ts[0] = created
	ts[1] = edited.Add(time.Duration(g.rng.Float64() * float64(g.opts.Now.Sub(edited)))) // updated: moves with runs
	ts[2] = edited
	ts[3] = edited.Add(5 * time.Second) // last saved
	ts[4] = ts[1]
	ts[5] = ts[1].Add(3 * time.Second)
	if ts[5].After(g.opts.Now) {
		ts[5] = g.opts.Now
	}
	kit := g.rng.IntN(len(g.kits))
	tpl := g.rng.IntN(len(g.kits[kit].queries))
	r := &Report{
		Token:                 g.tok.next(),
		ID:                    g.id(),
		Name:                  g.titles[kit][tpl],
		SpaceToken:            s.Token,
		Type:                  typ,
		CreatedAt:             &ts[0],
		UpdatedAt:             &ts[1],
		EditedAt:              &ts[2],
		LastSavedAt:           &ts[3],
		LastRunAt:             &ts[4],
		LastSuccessfullyRunAt: &ts[5],
		Creator:               g.creator(),
		RunsCount:             int64(g.rng.IntN(400)),
	}
	if s.SpaceType == SpacePrivate {
		r.Creator = s.OwnerUsername
	}
	// Lifetime views follow a long tail; the 90-day share is a fraction.
	r.ViewCount = int64(math.Exp(g.rng.Float64() * 8))
	r.Views90d = int64(float64(r.ViewCount) * g.rng.Float64() * 0.4)
	r.Viewers90d = min(r.Views90d, int64(1+g.rng.IntN(len(g.active))))
	if r.Views90d == 0 {
		r.Viewers90d = 0
	}
	switch p := g.rng.Float64(); {
	case p < 0.03:
		r.Name = nil // live workspaces have reports without a name
	case p < 0.08:
		r.Archived = true
	}
	if g.rng.Float64() < 0.1 {
		r.LastSavedAt = nil // Mode sometimes omits last_saved_at
	}
	if g.rng.Float64() < 0.3 {
		r.Description = strPtr("Owned by " + r.Creator)
	}
	if len(datasets) > 0 && g.rng.Float64() < 0.2 {
		r.ImportedDatasets = []string{datasets[g.rng.IntN(len(datasets))].Token}
	}
	nq := 1
	if typ == TypeReport {
		nq = 1 + int(g.rng.ExpFloat64()*(g.opts.QueriesPerReport-1)+0.5)
		nq = min(nq, 12)
	}
	r.Queries = make([]*Query, nq)
	qs := make([]Query, nq)
	for i := range qs {
		q := &qs[i]
		k, t := kit, tpl
		if i > 0 {
			if g.rng.Float64() < 0.2 {
				k = g.rng.IntN(len(g.kits))
			}
			t = g.rng.IntN(len(g.kits[k].queries))
		}
		q.Token = g.tok.next()
		q.ID = g.id()
		if g.rng.Float64() < 0.4 {
			q.Name = g.queryNames[i]
		} else {
			q.Name = g.titles[k][t]
		}
		q.RawQuery = g.kits[k].queries[t].sql
		q.DataSourceID = g.dsByKit[k]
		q.CreatedAt = created
		q.UpdatedAt = edited
		q.LastRunID = 1_800_000_000 + q.ID
		q.Creator = r.Creator
		nc := 0
		if typ == TypeReport {
			nc = int(g.rng.ExpFloat64()*g.opts.ChartsPerQuery + 0.5)
			nc = min(nc, 8)
		}
		if nc > 0 {
			cs := make([]Chart, nc)
			q.Charts = make([]*Chart, nc)
			for j := range cs {
				sv := g.views[k][t][g.rng.IntN(int(numChartStyles))]
				cs[j] = Chart{
					Token:       g.tok.next(),
					ViewVersion: sv.version,
					View:        sv.view,
					ViewVegas:   sv.vegas,
					Creator:     q.Creator,
					CreatedAt:   created,
					UpdatedAt:   edited,
				}
				q.Charts[j] = &cs[j]
			}
			// explorations_count is not a chart count: a fifth of the
			// queries with charts report 0.
			if g.rng.Float64() >= 0.2 {
				q.ExplorationsCount = int64(nc + g.rng.IntN(3))
			}
		}
		r.Queries[i] = q
	}
	return r
}

// plantQuirks makes sure the oddities a client must survive are present
// whatever the random draws: a query on a deleted connection, a report
// importing a deleted dataset, a query with charts but explorations_count 0,
// a report created by a user who left, and an archived report.
func (g *generator) plantQuirks() {
	var reports []*Report
	for _, r := range g.ws.Reports {
		if !r.IsDataset() {
			reports = append(reports, r)
		}
	}
	if len(reports) == 0 {
		return
	}
	last := reports[len(reports)-1]
	last.Queries[0].DataSourceID = DeletedDataSourceID
	if len(reports) >= 3 {
		reports[1].ImportedDatasets = append(reports[1].ImportedDatasets, g.tok.next())
		reports[2].Archived = true
	}
	for _, r := range reports {
		if q := r.Queries[0]; len(q.Charts) > 0 {
			q.ExplorationsCount = 0
			break
		}
	}
	for _, u := range g.ws.Users {
		if u.Left {
			reports[0].Creator = u.Username
			for _, q := range reports[0].Queries {
				q.Creator = u.Username
			}
			break
		}
	}
}
