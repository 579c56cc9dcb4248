package fakemode

// Links in Mode's answers are site-relative ("/api/acme/...", "/acme/...")
// except a report's web link, which is absolute. Collections link with the
// word "collections" even though the documented path says "spaces".

// creator links to a user; the target answers 404 for users who left, as
// Mode does.
func (v *view) creator(username string) link { return link{Href: "/api/" + username} }

// account renders the workspace object of GET /api/{workspace}.
func (v *view) account() accountJSON {
	ws := v.ws
	return accountJSON{
		ID: ws.ID, Token: ws.Token, Username: ws.Slug, Name: ws.Name,
		PlanCode: "plus", MembershipType: "admin",
		SpaceCount: len(ws.Spaces), DataSourceCount: len(ws.DataSources),
		CreatedAt: ts(ws.CreatedAt),
		Links: links{
			"self":         {Href: "/api/" + ws.Slug},
			"web":          {Href: "/" + ws.Slug},
			"spaces":       {Href: "/api/" + ws.Slug + "/collections"},
			"data_sources": {Href: "/api/" + ws.Slug + "/data_sources"},
			"definitions":  {Href: "/api/" + ws.Slug + "/definitions"},
			"memberships":  {Href: "/api/" + ws.Slug + "/memberships"},
		},
	}
}

// user renders GET /api/{username}.
func (v *view) user(u *User) userJSON {
	return userJSON{
		ID: u.ID, Token: u.Token, Username: u.Username, Name: u.Name, Email: u.Email,
		EmailVerified: true, User: true, CreatedAt: ts(u.CreatedAt),
		Links: links{
			"self":          {Href: "/api/" + u.Username},
			"web":           {Href: "/" + u.Username},
			"custom_spaces": {Href: "/api/" + u.Username + "/collections?filter=custom"},
		},
	}
}

// membership renders one entry of /memberships; it carries no email, so
// clients must fetch the user for it.
func (v *view) membership(u *User) membershipJSON {
	return membershipJSON{
		Token: reverse(u.Token), MemberUsername: u.Username, MemberToken: u.Token,
		Admin: u.Admin, State: "active", ActivatedAt: ts(u.CreatedAt),
		Links: links{
			"self": {Href: v.api() + "/memberships/" + reverse(u.Token)},
			"user": {Href: "/api/" + u.Username},
		},
	}
}

// reverse gives a membership a token distinct from its user's.
func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// space renders a collection.
func (v *view) space(sp *Space) spaceJSON {
	self := v.api() + "/collections/" + sp.Token
	l := links{
		"self":              {Href: self},
		"detail":            {Href: self},
		"web":               {Href: "/" + v.ws.Slug + "/spaces/" + sp.Token},
		"reports":           {Href: self + "/reports"},
		"space_memberships": {Href: self + "/memberships"},
	}
	if sp.Creator != "" {
		l["creator"] = v.creator(sp.Creator)
	}
	return spaceJSON{
		Token: sp.Token, ID: sp.ID, SpaceType: sp.SpaceType, Name: sp.Name,
		Description: sp.Description, State: "active", Restricted: sp.Restricted,
		FreeDefault: sp.SpaceType == SpaceCustom && sp.DefaultAccessLevel != "restricted",
		Viewable:    true, Viewed: true, DefaultAccessLevel: sp.DefaultAccessLevel,
		Links: l,
		Forms: forms{
			"edit":    {Method: "patch", Action: self},
			"destroy": {Method: "delete", Action: self},
		},
	}
}

// report renders a report or dataset. query_count, chart_count and
// query_preview are derived from the queries still present, so deleting a
// query mid-crawl shows in the counts as it would on Mode.
func (v *view) report(r *Report) reportJSON {
	self := v.api() + "/reports/" + r.Token
	web := v.s.cfg.webBase + "/" + v.ws.Slug + "/reports/" + r.Token
	if r.IsDataset() {
		web = v.s.cfg.webBase + "/" + v.ws.Slug + "/datasets/" + r.Token
	}
	kind := "/reports/"
	if r.IsDataset() {
		kind = "/datasets/"
	}
	l := links{
		"self":         {Href: self},
		"web":          {Href: web},
		"web_edit":     {Href: "/editor/" + v.ws.Slug + kind + r.Token},
		"account":      {Href: "/api/" + v.ws.Slug},
		"space":        {Href: v.api() + "/collections/" + r.SpaceToken},
		"queries":      {Href: self + "/queries"},
		"report_runs":  {Href: self + "/runs"},
		"report_run":   {Href: self + "/runs/{id}?embed[result]=1", Templated: true},
		"creator":      v.creator(r.Creator),
		"report_pins":  {Href: self + "/pins"},
		"report_index": {Href: v.api() + "/reports"},
	}
	if r.IsDataset() {
		l["dataset_dependencies"] = link{Href: v.api() + "/datasets/" + r.Token + "/reports"}
	}
	queries, charts := 0, 0
	preview := ""
	for _, q := range r.Queries {
		if v.deleted[q.Token] {
			continue
		}
		if queries == 0 {
			preview = q.RawQuery[:min(len(q.RawQuery), 120)]
		}
		queries++
		for _, c := range q.Charts {
			if !v.deleted[c.Token] {
				charts++
			}
		}
	}
	imported := make([]importedDatasetJSON, 0, len(r.ImportedDatasets))
	for _, tok := range r.ImportedDatasets {
		var name *string
		if d := v.s.idx.reports[tok]; d != nil {
			name = d.Name
		}
		imported = append(imported, importedDatasetJSON{
			Name: name, Token: tok,
			Links: links{
				"report":         {Href: self},
				"source_dataset": {Href: v.api() + "/datasets/" + tok},
			},
		})
	}
	var runToken *string
	if r.LastSuccessfullyRunAt != nil {
		t := reverse(r.Token)
		runToken = &t
	}
	out := reportJSON{
		Token: r.Token, ID: r.ID, Name: r.Name, Description: r.Description,
		CreatedAt: tsp(r.CreatedAt), UpdatedAt: tsp(r.UpdatedAt), PublishedAt: tsp(r.CreatedAt),
		EditedAt: tsp(r.EditedAt), LastSavedAt: tsp(r.LastSavedAt), LastRunAt: tsp(r.LastRunAt),
		LastSuccessfullyRunAt: tsp(r.LastSuccessfullyRunAt), LastSuccessfulRunToken: runToken,
		Type: r.Type, Archived: r.Archived, SpaceToken: r.SpaceToken,
		AccountID: v.ws.ID, AccountUsername: v.ws.Slug,
		DrilldownsEnabled: true, Layout: "default", ExpectedRuntime: 2.5,
		QueryCount: queries, MaxQueryCount: 160, ChartCount: charts, RunsCount: r.RunsCount,
		ViewCount: r.ViewCount, QueryPreview: preview, ImportedDatasets: imported,
		Links: l,
		Forms: forms{
			"edit":      {Method: "patch", Action: self},
			"destroy":   {Method: "delete", Action: self},
			"archive":   {Method: "patch", Action: self + "/archive"},
			"unarchive": {Method: "patch", Action: self + "/unarchive"},
		},
	}
	if r.IsDataset() {
		if sp := v.s.idx.spaces[r.SpaceToken]; sp != nil {
			out.CollectionName = sp.Name
		}
		out.CollectionToken = r.SpaceToken
		f := false
		out.IsSample = &f
	}
	return out
}

func (v *view) query(r *Report, q *Query) queryJSON {
	self := v.api() + "/reports/" + r.Token + "/queries/" + q.Token
	var lastRun *int64
	if q.LastRunID != 0 {
		id := q.LastRunID
		lastRun = &id
	}
	return queryJSON{
		ID: q.ID, Token: q.Token, Name: q.Name, RawQuery: q.RawQuery,
		CreatedAt: ts(q.CreatedAt), UpdatedAt: ts(q.UpdatedAt), LastRunID: lastRun,
		DataSourceID: q.DataSourceID, ExplorationsCount: q.ExplorationsCount,
		Links: links{
			"self":       {Href: self},
			"report":     {Href: v.api() + "/reports/" + r.Token},
			"charts":     {Href: self + "/charts"},
			"new_chart":  {Href: self + "/charts/new"},
			"query_runs": {Href: self + "/runs"},
			"creator":    v.creator(q.Creator),
		},
		Forms: forms{
			"edit":    {Method: "patch", Action: self},
			"destroy": {Method: "delete", Action: self},
		},
	}
}

// chart renders a chart. Mode sends {} for the config a chart does not use
// (view on vegas charts, view_vegas on legacy ones), never null.
func (v *view) chart(r *Report, q *Query, c *Chart) chartJSON {
	self := v.api() + "/reports/" + r.Token + "/queries/" + q.Token + "/charts/" + c.Token
	view, vegas := c.View, c.ViewVegas
	if len(view) == 0 {
		view = []byte("{}")
	}
	if len(vegas) == 0 {
		vegas = []byte("{}")
	}
	return chartJSON{
		Token: c.Token, View: view, ViewVersion: c.ViewVersion, ViewVegas: vegas,
		CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
		Links: links{
			"self":           {Href: self},
			"report_viz_web": {Href: "/" + v.ws.Slug + "/reports/" + r.Token + "/viz/" + c.Token},
			"creator":        v.creator(c.Creator),
		},
		Forms: forms{
			"edit":    {Method: "patch", Action: self},
			"destroy": {Method: "delete", Action: self},
		},
	}
}

// dataSource renders a connection. Credentials are never part of it: Mode
// does not serve passwords and neither does the fake.
func (v *view) dataSource(d *DataSource) dataSourceJSON {
	self := v.api() + "/data_sources/" + d.Token
	l := links{
		"self":    {Href: self},
		"account": {Href: "/api/" + v.ws.Slug},
		"web":     {Href: "/" + v.ws.Slug + "/data_sources/" + d.Token},
	}
	if d.Creator != "" {
		l["creator"] = v.creator(d.Creator)
	}
	return dataSourceJSON{
		ID: d.ID, Token: d.Token, Name: d.Name, DisplayName: d.Name, Adapter: d.Adapter,
		Vendor: d.Vendor, Provider: "default", Database: d.Database, Host: d.Host, Port: d.Port,
		Warehouse: d.Warehouse, Username: d.Username, SSL: true, Queryable: true,
		AccountID: v.ws.ID, AccountUsername: v.ws.Slug, DefaultAccessLevel: "View",
		CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.CreatedAt), Links: l,
	}
}

// definition renders a definition; Source is served verbatim, including
// the literal "\n" text some definitions carry.
func (v *view) definition(d *Definition) definitionJSON {
	self := v.api() + "/definitions/" + d.Token
	l := links{
		"self":     {Href: self},
		"web_edit": {Href: "/" + v.ws.Slug + "/definitions/" + d.Token + "/edit"},
	}
	if d.Creator != "" {
		l["creator"] = v.creator(d.Creator)
	}
	return definitionJSON{
		ID: d.ID, Token: d.Token, Name: d.Name, Description: d.Description, Source: d.Source,
		DataSourceID: d.DataSourceID, CreatedAt: ts(d.CreatedAt), UpdatedAt: ts(d.CreatedAt),
		LastSavedAt: ts(d.CreatedAt), Links: l,
	}
}
