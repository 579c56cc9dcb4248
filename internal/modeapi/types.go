package modeapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Link is a HAL link.
type Link struct {
	Href      string `json:"href"`
	Templated bool   `json:"templated,omitempty"`
}

// UnmarshalJSON accepts what HAL allows for a link relation: one link
// object, or an array of them (the first is kept), as well as null and a
// bare href string. Anything else decodes as no link: one odd link must not
// make a whole page of reports unreadable.
func (l *Link) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*l = Link{}
	if len(b) == 0 {
		return nil
	}
	if fast, ok := compactLink(b); ok {
		*l = fast
		return nil
	}
	switch b[0] {
	case '{':
		type plain Link // no UnmarshalJSON method: no recursion
		var p plain
		if err := json.Unmarshal(b, &p); err != nil {
			return nil //nolint:nilerr // a malformed link is dropped, not fatal
		}
		*l = Link(p)
	case '[':
		var list []Link
		if err := json.Unmarshal(b, &list); err == nil && len(list) > 0 {
			*l = list[0]
		}
	case '"':
		var href string
		if err := json.Unmarshal(b, &href); err == nil {
			l.Href = href
		}
	}
	return nil
}

// compactLink parses the shape Mode sends for nearly every link,
// {"href":"…"} with an optional "templated" flag, without a second pass
// through encoding/json; anything else reports false.
func compactLink(b []byte) (Link, bool) {
	const prefix = `{"href":"`
	if !bytes.HasPrefix(b, []byte(prefix)) {
		return Link{}, false
	}
	rest := b[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return Link{}, false
	}
	l := Link{Href: string(rest[:end])}
	switch string(rest[end+1:]) {
	case "}", `,"templated":false}`:
		return l, true
	case `,"templated":true}`:
		l.Templated = true
		return l, true
	}
	return Link{}, false
}

// Links is a HAL _links map.
type Links map[string]Link

// Href returns the href of the named link, or "".
func (l Links) Href(name string) string {
	return l[name].Href
}

// Number is a JSON number Mode may also send as a string (its spec declares
// many numeric fields as strings; live responses use numbers).
type Number int64

// UnmarshalJSON accepts 42, 42.0, "42", null and "". A value that is not a
// number at all (a word, a boolean, an object) decodes as 0 instead of
// failing: one unreadable count must not make a whole page unreadable.
func (n *Number) UnmarshalJSON(b []byte) error {
	*n = 0
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Number(v)
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*n = Number(f)
	}
	return nil
}

// Verify is the answer of GET /api/verify.
type Verify struct {
	Workspace      string `json:"workspace"`
	WorkspaceToken string `json:"workspace_token"`
	Links          Links  `json:"_links"`
}

// Workspace is the answer of GET /api/{workspace}.
type Workspace struct {
	ID       Number  `json:"id"`
	Token    string  `json:"token"`
	Username string  `json:"username"`
	Name     *string `json:"name"`
	User     bool    `json:"user"`
	PlanCode string  `json:"plan_code"`
	Links    Links   `json:"_links"`
}

// Space is a Mode collection.
type Space struct {
	Token              string  `json:"token"`
	ID                 Number  `json:"id"`
	SpaceType          string  `json:"space_type"`
	Name               *string `json:"name"`
	Description        *string `json:"description"`
	State              string  `json:"state"`
	Restricted         bool    `json:"restricted"`
	DefaultAccessLevel string  `json:"default_access_level"`
	Viewable           *bool   `json:"viewable?"`
	Links              Links   `json:"_links"`
}

// ImportedDataset is one entry of a report's imported_datasets.
type ImportedDataset struct {
	Name  *string `json:"name"`
	Token string  `json:"token"`
	Links Links   `json:"_links"`
}

// Report is a Mode report; datasets are reports with Type "DatasetReport".
type Report struct {
	Token                  string            `json:"token"`
	ID                     Number            `json:"id"`
	Name                   *string           `json:"name"`
	Description            *string           `json:"description"`
	CreatedAt              *time.Time        `json:"created_at"`
	UpdatedAt              *time.Time        `json:"updated_at"`
	PublishedAt            *time.Time        `json:"published_at"`
	EditedAt               *time.Time        `json:"edited_at"`
	LastSavedAt            *time.Time        `json:"last_saved_at"`
	LastRunAt              *time.Time        `json:"last_run_at"`
	LastSuccessfullyRunAt  *time.Time        `json:"last_successfully_run_at"`
	LastSuccessfulRunToken *string           `json:"last_successful_run_token"`
	Type                   string            `json:"type"`
	Archived               bool              `json:"archived"`
	SpaceToken             string            `json:"space_token"`
	AccountUsername        string            `json:"account_username"`
	QueryCount             *Number           `json:"query_count"`
	ChartCount             *Number           `json:"chart_count"`
	ViewCount              *Number           `json:"view_count"`
	ImportedDatasets       []ImportedDataset `json:"imported_datasets"`
	// CollectionToken is set on datasets.
	CollectionToken string `json:"collection_token"`
	Links           Links  `json:"_links"`
}

// IsDataset reports whether the report is a Mode dataset.
func (r *Report) IsDataset() bool { return r.Type == "DatasetReport" }

// Query is one query of a report or dataset.
type Query struct {
	ID                 Number     `json:"id"`
	Token              string     `json:"token"`
	Name               *string    `json:"name"`
	RawQuery           string     `json:"raw_query"`
	CreatedAt          *time.Time `json:"created_at"`
	UpdatedAt          *time.Time `json:"updated_at"`
	LastRunID          *Number    `json:"last_run_id"`
	DataSourceID       *Number    `json:"data_source_id"`
	ExplorationsCount  *Number    `json:"explorations_count"`
	ReportImportsCount *Number    `json:"report_imports_count"`
	Links              Links      `json:"_links"`
}

// Chart is one chart of a query. View (legacy, view_version 1) and ViewVegas
// (view_version 2) are kept raw: the lineage stage reads the fields they use.
type Chart struct {
	Token       string          `json:"token"`
	View        json.RawMessage `json:"view"`
	ViewVersion *Number         `json:"view_version"`
	ViewVegas   json.RawMessage `json:"view_vegas"`
	CreatedAt   *time.Time      `json:"created_at"`
	UpdatedAt   *time.Time      `json:"updated_at"`
	Links       Links           `json:"_links"`
}

// DataSource is a database connection.
type DataSource struct {
	ID          Number  `json:"id"`
	Token       string  `json:"token"`
	Name        *string `json:"name"`
	DisplayName *string `json:"display_name"`
	Description *string `json:"description"`
	Adapter     string  `json:"adapter"`
	Vendor      string  `json:"vendor"`
	Database    *string `json:"database"`
	Host        *string `json:"host"`
	Port        *Number `json:"port"`
	Warehouse   *string `json:"warehouse"`
	Username    *string `json:"username"`
	SoftDeleted bool    `json:"soft_deleted"`
	Links       Links   `json:"_links"`
}

// Definition is a saved SQL snippet referenced as {{ @name }}.
type Definition struct {
	ID           Number     `json:"id"`
	Token        string     `json:"token"`
	Name         string     `json:"name"`
	Description  *string    `json:"description"`
	Source       string     `json:"source"`
	DataSourceID *Number    `json:"data_source_id"`
	CreatedAt    *time.Time `json:"created_at"`
	UpdatedAt    *time.Time `json:"updated_at"`
	Links        Links      `json:"_links"`
}

// User is a Mode user (the target of creator links).
type User struct {
	ID       Number  `json:"id"`
	Token    string  `json:"token"`
	Username string  `json:"username"`
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Links    Links   `json:"_links"`
}

// Pagination is the optional pagination object of a HAL list. Mode has been
// seen sending two shapes; both are accepted.
type Pagination struct {
	Page       *Number `json:"page"`
	PerPage    *Number `json:"per_page"`
	Count      *Number `json:"count"`
	TotalPages *Number `json:"total_pages"`
	TotalCount *Number `json:"total_count"`
	FirstPage  string  `json:"first_page"`
	LastPage   string  `json:"last_page"`
}

// ErrorBody is Mode's JSON error body.
type ErrorBody struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}
