package fakemode

import (
	"encoding/json"
	"time"
)

// Workspace is a whole Mode workspace as the fake serves it. Treat a
// Workspace as read-only once a Server uses it: the server indexes it once.
// Generated workspaces share strings between objects (report and query names
// point at shared values, SQL and chart configs are shared), so never write
// through those pointers.
type Workspace struct {
	// Slug is the workspace username used in API paths (/api/{Slug}/...).
	Slug string
	// Token is the workspace's own 12-hex token (returned by /api/verify).
	Token string
	// Name is the display name.
	Name string
	// ID is the numeric account id.
	ID int64
	// CreatedAt is when the workspace was created.
	CreatedAt time.Time
	// Now is the generator's reference clock: every timestamp in the
	// workspace is at or before it. The fake Discovery Database computes
	// 90-day windows from it.
	Now time.Time

	// Spaces includes personal collections (SpaceType "private").
	Spaces []*Space
	// Reports holds reports and datasets (Type "Report" | "DatasetReport").
	Reports []*Report
	// DataSources are the live connections. A query may reference a
	// DataSourceID that is absent here (a deleted connection).
	DataSources []*DataSource
	// Definitions are the workspace's saved SQL snippets.
	Definitions []*Definition
	// Users includes users who left (Left=true).
	Users []*User
}

// Report type values.
const (
	TypeReport  = "Report"
	TypeDataset = "DatasetReport"
)

// Space type values.
const (
	SpaceCustom  = "custom"
	SpacePrivate = "private"
)

// Space is a Mode collection.
type Space struct {
	Token       string
	ID          int64
	Name        *string
	Description *string
	// SpaceType is "custom" (shared) or "private" (a user's Personal one).
	SpaceType string
	// Restricted is what Mode sends in "restricted"; Mode's bug keeps it
	// false even when DefaultAccessLevel is "restricted".
	Restricted bool
	// DefaultAccessLevel is "view", "edit" or "restricted".
	DefaultAccessLevel string
	// Creator is the creator's username.
	Creator string
	// OwnerUsername is the owner of a personal collection.
	OwnerUsername string
	// HiddenFromAPI marks a personal collection of another user that the
	// API token cannot see: never listed, and its reports answer 404. Only
	// the Discovery Database reveals it.
	HiddenFromAPI bool
	// CreatedAt is when the collection was created.
	CreatedAt time.Time
}

// Report is a Mode report or dataset.
type Report struct {
	Token       string
	ID          int64
	Name        *string
	Description *string
	SpaceToken  string
	// Type is TypeReport or TypeDataset.
	Type     string
	Archived bool

	CreatedAt, UpdatedAt, EditedAt, LastSavedAt, LastRunAt, LastSuccessfullyRunAt *time.Time

	// ViewCount is Mode's lifetime view count.
	ViewCount int64
	// Views90d and Viewers90d are the views and distinct viewers in the 90
	// days before Workspace.Now (what the Discovery Database reports).
	Views90d   int64
	Viewers90d int64
	// RunsCount is the number of report runs.
	RunsCount int64
	// Creator is the creator's username.
	Creator string
	// ImportedDatasets are dataset tokens this report imports; a token may
	// name a deleted dataset (the fake then answers 404 for it).
	ImportedDatasets []string
	Queries          []*Query
}

// IsDataset reports whether r is a Mode dataset.
func (r *Report) IsDataset() bool { return r.Type == TypeDataset }

// Query is one SQL query of a report or dataset.
type Query struct {
	Token string
	ID    int64
	Name  *string
	// RawQuery is the SQL as written, with Liquid and definitions. Generated
	// workspaces share these strings between queries.
	RawQuery string
	// DataSourceID is the connection's numeric id; it may point at a deleted
	// connection.
	DataSourceID      int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ExplorationsCount int64
	LastRunID         int64
	Charts            []*Chart
	Creator           string
}

// Chart is a visualization of a query's result.
type Chart struct {
	Token string
	// ViewVersion is 1 for legacy charts (View) and 2 for vegas charts
	// (ViewVegas).
	ViewVersion int
	// View and ViewVegas are served verbatim; generated workspaces share
	// them between charts, so never modify them.
	View, ViewVegas json.RawMessage
	Creator         string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DataSource is a database connection.
type DataSource struct {
	ID      int64
	Token   string
	Name    string
	Adapter string
	Vendor  string
	// Database is the default database; "default" for BigQuery, whose
	// project is in Host.
	Database  *string
	Host      *string
	Port      int64
	Warehouse *string
	Username  *string
	CreatedAt time.Time
	Creator   string
}

// Definition is a saved SELECT referenced as {{ @Name }}.
type Definition struct {
	ID     int64
	Token  string
	Name   string
	Source string
	// DataSourceID is the connection the definition runs on.
	DataSourceID int64
	Description  string
	CreatedAt    time.Time
	Creator      string
}

// User is a workspace member or former member.
type User struct {
	Username string
	Name     string
	Email    string
	ID       int64
	Token    string
	// Left users are still named as creators, but /api/{username} answers
	// 404 for them and they are not listed in memberships.
	Left bool
	// Admin marks workspace admins.
	Admin     bool
	CreatedAt time.Time
}
