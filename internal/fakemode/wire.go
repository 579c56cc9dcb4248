package fakemode

import (
	"encoding/json"
	"time"
)

// The types below are the JSON shapes Mode serves. They are deliberately
// independent of modecrawl's client types.

// modeTime marshals as Mode does: UTC, milliseconds, "Z".
type modeTime time.Time

// modeTimeLayout is Mode's timestamp format, e.g. 2021-12-10T20:55:24.316Z.
const modeTimeLayout = "2006-01-02T15:04:05.000Z"

// MarshalJSON implements json.Marshaler.
func (t modeTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(modeTimeLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, modeTimeLayout)
	return append(b, '"'), nil
}

// tsp converts a nullable time.
func tsp(t *time.Time) *modeTime {
	if t == nil {
		return nil
	}
	m := modeTime(*t)
	return &m
}

// ts converts a time; the zero time becomes null.
func ts(t time.Time) *modeTime {
	if t.IsZero() {
		return nil
	}
	m := modeTime(t)
	return &m
}

type link struct {
	Href      string `json:"href"`
	Templated bool   `json:"templated,omitempty"`
}

type links map[string]link

type form struct {
	Method string `json:"method"`
	Action string `json:"action"`
}

type forms map[string]form

type errorJSON struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

type verifyJSON struct {
	Workspace      string `json:"workspace"`
	WorkspaceToken string `json:"workspace_token"`
	Links          links  `json:"_links"`
}

type accountJSON struct {
	ID              int64     `json:"id"`
	Token           string    `json:"token"`
	Username        string    `json:"username"`
	Name            string    `json:"name"`
	User            bool      `json:"user"`
	PlanCode        string    `json:"plan_code"`
	MembershipType  string    `json:"membership_type"`
	SpaceCount      int       `json:"space_count"`
	DataSourceCount int       `json:"data_source_count"`
	CreatedAt       *modeTime `json:"created_at"`
	Links           links     `json:"_links"`
}

type spaceJSON struct {
	Token              string  `json:"token"`
	ID                 int64   `json:"id"`
	SpaceType          string  `json:"space_type"`
	Name               *string `json:"name"`
	Description        *string `json:"description"`
	State              string  `json:"state"`
	Restricted         bool    `json:"restricted"`
	FreeDefault        bool    `json:"free_default"`
	Viewable           bool    `json:"viewable?"`
	Viewed             bool    `json:"viewed?"`
	DefaultAccessLevel string  `json:"default_access_level"`
	Links              links   `json:"_links"`
	Forms              forms   `json:"_forms"`
}

type importedDatasetJSON struct {
	Name  *string `json:"name"`
	Token string  `json:"token"`
	Links links   `json:"_links"`
}

type reportJSON struct {
	Token                  string                `json:"token"`
	ID                     int64                 `json:"id"`
	Name                   *string               `json:"name"`
	Description            *string               `json:"description"`
	CreatedAt              *modeTime             `json:"created_at"`
	UpdatedAt              *modeTime             `json:"updated_at"`
	PublishedAt            *modeTime             `json:"published_at"`
	EditedAt               *modeTime             `json:"edited_at"`
	LastSavedAt            *modeTime             `json:"last_saved_at"`
	LastRunAt              *modeTime             `json:"last_run_at"`
	LastSuccessfullyRunAt  *modeTime             `json:"last_successfully_run_at"`
	LastSuccessfulRunToken *string               `json:"last_successful_run_token"`
	LastSuccessfulSyncAt   *modeTime             `json:"last_successful_sync_at"`
	Type                   string                `json:"type"`
	Archived               bool                  `json:"archived"`
	SpaceToken             string                `json:"space_token"`
	AccountID              int64                 `json:"account_id"`
	AccountUsername        string                `json:"account_username"`
	Public                 bool                  `json:"public"`
	Shared                 bool                  `json:"shared"`
	IsEmbedded             bool                  `json:"is_embedded"`
	IsSigned               bool                  `json:"is_signed"`
	FullWidth              bool                  `json:"full_width"`
	ManualRunDisabled      bool                  `json:"manual_run_disabled"`
	RunPrivately           bool                  `json:"run_privately"`
	DrilldownsEnabled      bool                  `json:"drilldowns_enabled"`
	ThemeID                *int64                `json:"theme_id"`
	ColorMappings          struct{}              `json:"color_mappings"`
	Layout                 string                `json:"layout"`
	ExpectedRuntime        float64               `json:"expected_runtime"`
	GithubLink             *string               `json:"github_link"`
	QueryCount             int                   `json:"query_count"`
	MaxQueryCount          int                   `json:"max_query_count"`
	ChartCount             int                   `json:"chart_count"`
	RunsCount              int64                 `json:"runs_count"`
	SchedulesCount         int                   `json:"schedules_count"`
	ViewCount              int64                 `json:"view_count"`
	QueryPreview           string                `json:"query_preview"`
	ImportedDatasets       []importedDatasetJSON `json:"imported_datasets"`
	// Dataset-only fields.
	CollectionName  *string `json:"collection_name,omitempty"`
	CollectionToken string  `json:"collection_token,omitempty"`
	IsSample        *bool   `json:"is_sample,omitempty"`
	Links           links   `json:"_links"`
	Forms           forms   `json:"_forms"`
}

type queryJSON struct {
	ID                 int64     `json:"id"`
	Token              string    `json:"token"`
	Name               *string   `json:"name"`
	RawQuery           string    `json:"raw_query"`
	CreatedAt          *modeTime `json:"created_at"`
	UpdatedAt          *modeTime `json:"updated_at"`
	LastRunID          *int64    `json:"last_run_id"`
	DataSourceID       int64     `json:"data_source_id"`
	ExplorationsCount  int64     `json:"explorations_count"`
	ReportImportsCount int64     `json:"report_imports_count"`
	DbtMetricID        *int64    `json:"dbt_metric_id"`
	MappingID          *int64    `json:"mapping_id"`
	Links              links     `json:"_links"`
	Forms              forms     `json:"_forms"`
}

type chartJSON struct {
	Token             string          `json:"token"`
	View              json.RawMessage `json:"view"`
	ViewVersion       int             `json:"view_version"`
	ViewVegas         json.RawMessage `json:"view_vegas"`
	ColorPaletteToken *string         `json:"color_palette_token"`
	CreatedAt         *modeTime       `json:"created_at"`
	UpdatedAt         *modeTime       `json:"updated_at"`
	Links             links           `json:"_links"`
	Forms             forms           `json:"_forms"`
}

type dataSourceJSON struct {
	ID                 int64     `json:"id"`
	Token              string    `json:"token"`
	Name               string    `json:"name"`
	DisplayName        string    `json:"display_name"`
	Description        string    `json:"description"`
	Adapter            string    `json:"adapter"`
	Vendor             string    `json:"vendor"`
	Provider           string    `json:"provider"`
	Database           *string   `json:"database"`
	Host               *string   `json:"host"`
	Port               int64     `json:"port"`
	Warehouse          *string   `json:"warehouse"`
	Username           *string   `json:"username"`
	SSL                bool      `json:"ssl"`
	Public             bool      `json:"public"`
	Asleep             bool      `json:"asleep"`
	Queryable          bool      `json:"queryable"`
	SoftDeleted        bool      `json:"soft_deleted"`
	AccountID          int64     `json:"account_id"`
	AccountUsername    string    `json:"account_username"`
	DefaultAccessLevel string    `json:"default_access_level"`
	CreatedAt          *modeTime `json:"created_at"`
	UpdatedAt          *modeTime `json:"updated_at"`
	Links              links     `json:"_links"`
}

type definitionJSON struct {
	ID                   int64     `json:"id"`
	Token                string    `json:"token"`
	Name                 string    `json:"name"`
	Description          string    `json:"description"`
	Source               string    `json:"source"`
	DataSourceID         int64     `json:"data_source_id"`
	CreatedAt            *modeTime `json:"created_at"`
	UpdatedAt            *modeTime `json:"updated_at"`
	LastSuccessfulSyncAt *modeTime `json:"last_successful_sync_at"`
	LastSavedAt          *modeTime `json:"last_saved_at"`
	GithubLink           *string   `json:"github_link"`
	Links                links     `json:"_links"`
}

type userJSON struct {
	ID            int64     `json:"id"`
	Token         string    `json:"token"`
	Username      string    `json:"username"`
	Name          string    `json:"name"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	User          bool      `json:"user"`
	CreatedAt     *modeTime `json:"created_at"`
	Links         links     `json:"_links"`
}

type membershipJSON struct {
	Token          string    `json:"token"`
	MemberUsername string    `json:"member_username"`
	MemberToken    string    `json:"member_token"`
	Admin          bool      `json:"admin"`
	Invited        bool      `json:"invited"`
	State          string    `json:"state"`
	ActivatedAt    *modeTime `json:"activated_at"`
	ManagedBySCIM  bool      `json:"managed_by_scim"`
	Links          links     `json:"_links"`
}

type paginationJSON struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalPages int `json:"total_pages"`
	TotalCount int `json:"total_count"`
}

// listJSON is a HAL collection. Embedded holds a single key, or none when
// the server imitates an end-of-list page without the key.
type listJSON struct {
	Links      links           `json:"_links"`
	Embedded   map[string]any  `json:"_embedded"`
	Pagination *paginationJSON `json:"pagination,omitempty"`
}
