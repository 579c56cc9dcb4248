package fakemode

// index is the lookup structure a Server builds once over its Workspace.
type index struct {
	spaces        map[string]*Space
	reports       map[string]*Report
	spaceReports  map[string][]*Report // Type Report, workspace order
	spaceDatasets map[string][]*Report // Type DatasetReport, workspace order
	importers     map[string][]*Report // dataset token → reports importing it
	users         map[string]*User
	dataSources   map[string]*DataSource // by token
	definitions   map[string]*Definition // by token
}

func buildIndex(ws *Workspace) *index {
	ix := &index{
		spaces:        make(map[string]*Space, len(ws.Spaces)),
		reports:       make(map[string]*Report, len(ws.Reports)),
		spaceReports:  map[string][]*Report{},
		spaceDatasets: map[string][]*Report{},
		importers:     map[string][]*Report{},
		users:         make(map[string]*User, len(ws.Users)),
		dataSources:   make(map[string]*DataSource, len(ws.DataSources)),
		definitions:   make(map[string]*Definition, len(ws.Definitions)),
	}
	for _, s := range ws.Spaces {
		ix.spaces[s.Token] = s
	}
	for _, r := range ws.Reports {
		ix.reports[r.Token] = r
		if r.IsDataset() {
			ix.spaceDatasets[r.SpaceToken] = append(ix.spaceDatasets[r.SpaceToken], r)
		} else {
			ix.spaceReports[r.SpaceToken] = append(ix.spaceReports[r.SpaceToken], r)
		}
		for _, d := range r.ImportedDatasets {
			ix.importers[d] = append(ix.importers[d], r)
		}
	}
	for _, u := range ws.Users {
		ix.users[u.Username] = u
	}
	for _, d := range ws.DataSources {
		ix.dataSources[d.Token] = d
	}
	for _, d := range ws.Definitions {
		ix.definitions[d.Token] = d
	}
	return ix
}
