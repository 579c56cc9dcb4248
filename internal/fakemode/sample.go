package fakemode

import (
	"strings"
	"time"
)

// sampleQuery is "kit.template" plus chart styles: a legacy bar, b legacy
// pivot, c vegas bar, d vegas line, e vegas table; a trailing "!" gives the
// query explorations_count 0 although it has charts.
type sampleReport struct {
	space, name string
	dataset     bool
	archived    bool
	creator     string
	queries     []string
	imports     []string // names of datasets
}

// Sample returns the small, realistic workspace behind `modecrawl demo`:
// Finance, Marketing, Product, Sales and Operations collections, a
// restricted Exec collection, a visible Personal collection and a Personal
// collection hidden from the API (only the Discovery Database shows its
// reports), 28 reports with 64 queries and 64 charts, 4 datasets, 8
// connections with their definitions, and users including two who left.
func Sample() *Workspace {
	g := &generator{
		opts: GenOptions{Seed: 20240601, Slug: "acme", Name: "Acme Corp",
			Now: time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)}.withDefaults(),
		kits:   connKits(),
		nextID: 100000,
	}
	g.rng = newRand(g.opts.Seed)
	g.tok = tokenGen{key: 0x5a3b6ba1c0de}
	g.ws = &Workspace{Slug: "acme", Name: "Acme Corp", ID: 751252,
		CreatedAt: g.opts.Now.AddDate(-4, -3, 0), Now: g.opts.Now}
	g.ws.Token = g.tok.next()
	g.prepareShared()

	people := []struct {
		username, name string
		left, admin    bool
	}{
		{"alice_chen", "Alice Chen", false, true},
		{"bob_okafor", "Bob Okafor", false, false},
		{"carmen_garcia", "Carmen Garcia", false, false},
		{"dmitri_ivanov", "Dmitri Ivanov", false, false},
		{"emeka_obi", "Emeka Obi", false, false},
		{"fatima_haddad", "Fatima Haddad", false, false},
		{"grace_tanaka", "Grace Tanaka", false, false},
		{"hiro_nguyen", "Hiro Nguyen", false, false},
		{"ines_silva", "Ines Silva", true, false},
		{"jamal_rossi", "Jamal Rossi", true, false},
	}
	for _, p := range people {
		first := strings.ToLower(strings.Fields(p.name)[0])
		last := strings.ToLower(strings.Fields(p.name)[1])
		g.ws.Users = append(g.ws.Users, &User{Username: p.username, Name: p.name,
			Email: first + "." + last + "@acme.example.com", ID: g.id(), Token: g.tok.next(),
			Left: p.left, Admin: p.admin, CreatedAt: g.ago(1400)})
		g.all = append(g.all, p.username)
		if !p.left {
			g.active = append(g.active, p.username)
		}
	}
	g.genDataSources()

	spaces := map[string]*Space{}
	addSpace := func(key, name, access, creator, owner, desc string, hidden bool) {
		sp := &Space{Token: g.tok.next(), ID: g.id(), Name: strPtr(name),
			SpaceType: SpaceCustom, DefaultAccessLevel: access, Creator: creator,
			HiddenFromAPI: hidden, CreatedAt: g.ago(1300)}
		if owner != "" {
			sp.SpaceType, sp.OwnerUsername = SpacePrivate, owner
		}
		if desc != "" {
			sp.Description = strPtr(desc)
		}
		spaces[key] = sp
		g.ws.Spaces = append(g.ws.Spaces, sp)
	}
	addSpace("fin", "Finance", "view", "alice_chen", "", "Revenue, billing and receivables", false)
	addSpace("mkt", "Marketing", "edit", "bob_okafor", "", "Campaigns, web traffic and attribution", false)
	addSpace("prod", "Product", "view", "carmen_garcia", "", "Product analytics and experiments", false)
	addSpace("sales", "Sales", "view", "dmitri_ivanov", "", "", false)
	addSpace("ops", "Operations", "edit", "emeka_obi", "", "Support and data platform health", false)
	// Mode's bug: restricted stays false; only default_access_level says so.
	addSpace("exec", "Exec", "restricted", "alice_chen", "", "Leadership only", false)
	addSpace("alice", "Personal", "view", "alice_chen", "alice_chen", "", false)
	addSpace("grace", "Personal", "view", "grace_tanaka", "grace_tanaka", "", true)

	reports := []sampleReport{
		{space: "fin", name: "Orders (clean)", dataset: true, creator: "alice_chen", queries: []string{"0.0"}},
		{space: "fin", name: "Paid invoices", dataset: true, creator: "fatima_haddad", queries: []string{"2.0"}},
		{space: "mkt", name: "Web sessions", dataset: true, creator: "bob_okafor", queries: []string{"1.0"}},
		{space: "prod", name: "Product events", dataset: true, creator: "carmen_garcia", queries: []string{"0.3"}},

		{space: "fin", name: "Revenue dashboard", creator: "alice_chen", queries: []string{"0.0:cd", "0.1:e", "2.0:a"}, imports: []string{"Orders (clean)"}},
		{space: "fin", name: "Monthly recurring revenue", creator: "fatima_haddad", queries: []string{"2.0:cb", "2.2"}},
		{space: "fin", name: "Receivables ageing", creator: "fatima_haddad", queries: []string{"7.0:e", "7.1:c"}},
		{space: "fin", name: "Board metrics (2023)", archived: true, creator: "jamal_rossi", queries: []string{"3.1:a", "0.0:b"}},
		{space: "fin", name: "Vendor spend", creator: "emeka_obi", queries: []string{"7.1:d", "7.0"}},
		{space: "fin", name: "Revenue by country", creator: "jamal_rossi", queries: []string{"3.1:ce", "3.0:d"}},

		{space: "mkt", name: "Campaign performance", creator: "bob_okafor", queries: []string{"0.2:cd", "1.0:c!", "1.1:e"}},
		{space: "mkt", name: "SEO top pages", creator: "hiro_nguyen", queries: []string{"1.1:e", "1.2:c"}},
		{space: "mkt", name: "Signup funnel", creator: "bob_okafor", queries: []string{"1.2:cd", "1.0:a", "0.2"}},
		{space: "mkt", name: "", creator: "hiro_nguyen", queries: []string{"1.0:c"}},
		{space: "mkt", name: "Attribution deep dive", creator: "ines_silva", queries: []string{"0.2:e", "0.2:c", "1.0:d"}, imports: []string{"Web sessions"}},

		{space: "prod", name: "Feature adoption", creator: "carmen_garcia", queries: []string{"0.3:cd", "6.0:c", "5.0:e"}, imports: []string{"Product events"}},
		{space: "prod", name: "Weekly active users", creator: "carmen_garcia", queries: []string{"3.0:d", "0.3:c"}},
		{space: "prod", name: "Experiment readout: new checkout", creator: "hiro_nguyen", queries: []string{"6.0:cd", "6.1:e", "5.1:c"}},
		{space: "prod", name: "Model monitoring", creator: "grace_tanaka", queries: []string{"5.1:de", "5.0"}},
		{space: "prod", name: "Inventory alerts", creator: "emeka_obi", queries: []string{"4.1:e", "4.0:c"}},

		{space: "sales", name: "Pipeline by segment", creator: "dmitri_ivanov", queries: []string{"0.1:cb", "0.0:d"}},
		{space: "sales", name: "Orders by status", creator: "dmitri_ivanov", queries: []string{"4.0:cd", "4.1"}},
		{space: "sales", name: "Top customers", creator: "ines_silva", queries: []string{"7.0:e", "0.1:c", "2.0"}},

		{space: "ops", name: "Support ticket SLA", creator: "emeka_obi", queries: []string{"2.2:cd", "2.1:c"}},
		{space: "ops", name: "Warehouse table sizes", creator: "emeka_obi", queries: []string{"6.1:e"}},
		{space: "ops", name: "Legacy Vertica extract", creator: "jamal_rossi", queries: []string{"x.0:a"}},

		{space: "exec", name: "Company KPIs", creator: "ines_silva", queries: []string{"0.0:cd", "2.0:c", "1.0:d", "3.0:d"}, imports: []string{"Orders (clean)", "Paid invoices"}},
		{space: "exec", name: "Board pack Q2", creator: "alice_chen", queries: []string{"0.1:e", "2.0:b"}},

		{space: "alice", name: "Scratch: revenue checks", creator: "alice_chen", queries: []string{"0.0:c", "0.0"}},
		{space: "alice", name: "Untitled Report", creator: "alice_chen", queries: []string{"2.1"}},

		{space: "grace", name: "Churn analysis (draft)", creator: "grace_tanaka", queries: []string{"2.0:c", "0.1:e"}},
		{space: "grace", name: "Pricing experiments", creator: "grace_tanaka", queries: []string{"1.1:d"}},
	}
	byName := map[string]string{}
	for _, sr := range reports {
		r := g.sampleReport(spaces[sr.space], sr, byName)
		if sr.dataset {
			byName[sr.name] = r.Token
		}
		g.ws.Reports = append(g.ws.Reports, r)
	}
	return g.ws
}

// sampleReport builds one report of the sample workspace.
func (g *generator) sampleReport(sp *Space, sr sampleReport, datasets map[string]string) *Report {
	typ := TypeReport
	if sr.dataset {
		typ = TypeDataset
	}
	r := g.newReport(sp, typ, nil)
	r.Name = strPtr(sr.name)
	if sr.name == "" {
		r.Name = nil
	}
	r.Archived = sr.archived
	r.Creator = sr.creator
	r.Description = nil
	r.ImportedDatasets = nil
	for _, n := range sr.imports {
		r.ImportedDatasets = append(r.ImportedDatasets, datasets[n])
	}
	created, edited := *r.CreatedAt, *r.EditedAt
	r.Queries = r.Queries[:0]
	for i, spec := range sr.queries {
		ref, styles, _ := strings.Cut(spec, ":")
		k, t := int(ref[0]-'0'), int(ref[2]-'0')
		dsID := DeletedDataSourceID
		if ref[0] == 'x' {
			k = 3 // SQL written for a connection that has since been deleted
		} else {
			dsID = g.dsByKit[k]
		}
		q := &Query{Token: g.tok.next(), ID: g.id(), Name: g.titles[k][t],
			RawQuery: g.kits[k].queries[t].sql, DataSourceID: dsID,
			CreatedAt: created, UpdatedAt: edited, Creator: sr.creator}
		if i == 0 && len(sr.queries) > 2 {
			q.Name = g.queryNames[0] // Mode's default name
		}
		q.LastRunID = 1_897_000_000 + q.ID
		zeroExplorations := strings.HasSuffix(styles, "!")
		styles = strings.TrimSuffix(styles, "!")
		for _, st := range styles {
			sv := g.views[k][t][st-'a']
			q.Charts = append(q.Charts, &Chart{Token: g.tok.next(), ViewVersion: sv.version,
				View: sv.view, ViewVegas: sv.vegas, Creator: sr.creator,
				CreatedAt: created, UpdatedAt: edited})
		}
		if !zeroExplorations {
			q.ExplorationsCount = int64(len(q.Charts))
		}
		r.Queries = append(r.Queries, q)
	}
	return r
}
