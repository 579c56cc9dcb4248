package fakesnowflake

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

func TestTranslate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"three-part quoted", `SELECT * FROM "MODE"."ORGANIZATION_USAGE"."REPORTS" R`, `SELECT * FROM "REPORTS" R`},
		{"three-part bare", `SELECT * FROM mode.organization_usage.queries`, `SELECT * FROM queries`},
		{"alias.column kept", `SELECT R.ID FROM T R`, `SELECT R.ID FROM T R`},
		{"information schema", `SELECT 1 FROM "MODE".INFORMATION_SCHEMA.COLUMNS`, `SELECT 1 FROM "INFORMATION_SCHEMA_COLUMNS"`},
		{"two-part information schema", `SELECT 1 FROM information_schema.tables`, `SELECT 1 FROM "INFORMATION_SCHEMA_TABLES"`},
		{"functions", `SELECT IFF(a, 1, 2), NVL(b, 0) FROM t WHERE c ILIKE 'x%'`, `SELECT IIF(a, 1, 2), IFNULL(b, 0) FROM t WHERE c LIKE 'x%'`},
		{"numbered binds", `SELECT * FROM t WHERE a = :1 AND b = :2`, `SELECT * FROM t WHERE a = ?1 AND b = ?2`},
		{"literal untouched", `SELECT 'a.b.c IFF(' FROM "D"."S"."T"`, `SELECT 'a.b.c IFF(' FROM "T"`},
		{"escaped quote in literal", `SELECT 'it''s x.y.z' AS v`, `SELECT 'it''s x.y.z' AS v`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Translate(tc.in))
		})
	}
	assert.Contains(t, Translate(`SELECT CURRENT_TIMESTAMP()`), "strftime(")
}

// post sends a raw protocol request, as gosnowflake would.
func post(t *testing.T, url, token string, body any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", `Snowflake Token="`+token+`"`)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func TestServerProtocol(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.Exec(`INSERT INTO REPORT_VIEWS (ID, REPORT_ID, VIEWER_ID, VIEWED_AT_UTC) VALUES (1, 'abc', 'u', ?)`,
		FormatTime(time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)))
	require.NoError(t, err)
	srv := NewServer(db, WithCredentials("reader", "pw"))
	t.Cleanup(srv.Close)

	bad := post(t, srv.URL()+"/session/v1/login-request", "", map[string]any{"data": map[string]any{"LOGIN_NAME": "reader", "PASSWORD": "nope"}})
	assert.Equal(t, false, bad["success"])
	assert.Equal(t, "390100", bad["code"])

	ok := post(t, srv.URL()+"/session/v1/login-request?databaseName=MODE", "", map[string]any{"data": map[string]any{"LOGIN_NAME": "READER", "PASSWORD": "pw"}})
	require.Equal(t, true, ok["success"])
	token := ok["data"].(map[string]any)["token"].(string)

	tests := []struct {
		name     string
		sql      string
		bindings map[string]any
		code     string
		check    func(t *testing.T, data map[string]any)
	}{
		{name: "timestamp bind and result", sql: `SELECT REPORT_ID, MAX(VIEWED_AT_UTC) AS LAST, COUNT(*) AS N FROM "MODE"."ORGANIZATION_USAGE"."REPORT_VIEWS" WHERE VIEWED_AT_UTC >= ? GROUP BY REPORT_ID`,
			bindings: map[string]any{"1": map[string]any{"type": "TIMESTAMP_NTZ", "value": "1735689600000000000"}},
			check: func(t *testing.T, data map[string]any) {
				rt := data["rowtype"].([]any)
				assert.Equal(t, "text", rt[0].(map[string]any)["type"])
				assert.Equal(t, "timestamp_ntz", rt[1].(map[string]any)["type"])
				assert.Equal(t, "fixed", rt[2].(map[string]any)["type"])
				row := data["rowset"].([]any)[0].([]any)
				assert.Equal(t, []any{"abc", "1735787045.000000006", "1"}, row)
			}},
		{name: "missing table", sql: `SELECT * FROM "MODE"."ORGANIZATION_USAGE"."NOPE"`, code: "002003"},
		{name: "missing column", sql: `SELECT NOPE FROM REPORTS`, code: "000904"},
		{name: "unknown function", sql: `SELECT MEDIAN(ID) FROM REPORTS`, code: "002140"},
		{name: "information schema", sql: `SELECT COLUMN_NAME FROM "MODE".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'CONNECTIONS' ORDER BY ORDINAL_POSITION`,
			check: func(t *testing.T, data map[string]any) {
				assert.Equal(t, []any{[]any{"NAME"}, []any{"DB_TYPE"}}, data["rowset"])
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, srv.URL()+"/queries/v1/query-request?requestId=x", token,
				map[string]any{"sqlText": tc.sql, "bindings": tc.bindings, "sequenceId": 1})
			if tc.code != "" {
				assert.Equal(t, false, resp["success"])
				assert.Equal(t, tc.code, resp["code"])
				return
			}
			require.Equal(t, true, resp["success"], "response %v", resp)
			tc.check(t, resp["data"].(map[string]any))
		})
	}
	noSession := post(t, srv.URL()+"/queries/v1/query-request", "forged", map[string]any{"sqlText": "SELECT 1"})
	assert.Equal(t, false, noSession["success"])
	post(t, srv.URL()+"/session?delete=true", token, nil)
	afterLogout := post(t, srv.URL()+"/queries/v1/query-request", token, map[string]any{"sqlText": "SELECT 1"})
	assert.Equal(t, false, afterLogout["success"])
}

func TestSeedIsDeterministicAndMatchesModel(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	name := "R"
	ws := &fakemode.Workspace{Slug: "s",
		Spaces: []*fakemode.Space{{Token: "5a0000000001", Name: &name, SpaceType: fakemode.SpacePrivate, HiddenFromAPI: true}},
		Users: []*fakemode.User{{Username: "a", Token: "a00000000001", ID: 1}, {Username: "b", Token: "b00000000002", ID: 2},
			{Username: "c", Token: "c00000000003", ID: 3}},
		Reports: []*fakemode.Report{{Token: "e00000000001", ID: 1, Name: &name, SpaceToken: "5a0000000001", Type: fakemode.TypeReport,
			Views90d: 17, Viewers90d: 2, Queries: []*fakemode.Query{{Token: "f00000000001", ID: 1, RawQuery: "SELECT 1"}}}},
	}
	dump := func() []string {
		db, err := Open(ctx)
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, Seed(ctx, db, ws, now, SeedOptions{Seed: 3}))
		var inWindow, viewers int
		start := FormatTime(now.AddDate(0, 0, -90))
		require.NoError(t, db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT VIEWER_ID) FROM REPORT_VIEWS WHERE VIEWED_AT_UTC >= ? AND VIEWED_AT_UTC <= ?`,
			start, FormatTime(now)).Scan(&inWindow, &viewers))
		assert.Equal(t, 17, inWindow)
		assert.Equal(t, 2, viewers)
		var collType string
		require.NoError(t, db.QueryRow(`SELECT COLLECTION_TYPE FROM REPORTS`).Scan(&collType))
		assert.Equal(t, "Personal", collType)
		rows, err := db.Query(`SELECT VIEWER_ID || VIEWED_AT_UTC FROM REPORT_VIEWS ORDER BY ID`)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return out
	}
	assert.Equal(t, dump(), dump())
}
