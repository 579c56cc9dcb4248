package discoverydb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// Reports returns every report the share knows (personal collections
// included) and their queries, in two statements. Records carry Source
// "discovery_db"; the crawl merges them with REST records (a report in
// both becomes "both"). Tokens follow Popularity's key rules; ID is set
// when ids are numeric. A query's DataSourceID is found by matching
// QUERIES.CONNECTION_NAME to a data source's name (exactly, else ignoring
// case): Mode's share names connections, it does not number them. Fields
// the share does not hold (space token, run times) stay empty. Without
// REPORTS.ID it returns a *MissingError; without QUERIES, reports come
// without queries.
func (d *DB) Reports(ctx context.Context, sources []record.DataSource) ([]record.Report, []record.Query, error) {
	c := d.caps
	if !c.Has("REPORTS", "ID") {
		return nil, nil, &MissingError{Feature: "reports", Missing: c.missing("REPORTS", "ID")}
	}
	// Creator as a username (what REST records use) when USERS can say,
	// else the creator's email.
	creator := d.col("R", "REPORTS", "CREATOR_EMAIL")
	joinUsers := ""
	if c.Has("REPORTS", "CREATOR_ID") && c.Has("USERS", "ID", "USERNAME") {
		creator = "COALESCE(U.USERNAME, " + creator + ")"
		joinUsers = "\nLEFT JOIN " + d.table("USERS") + " U ON U.ID = R.CREATOR_ID"
	}
	stmt := `SELECT R.ID, ` + d.col("R", "REPORTS", "URL") + `, ` + d.col("R", "REPORTS", "NAME") + `, ` +
		d.col("R", "REPORTS", "DESCRIPTION") + `, ` + d.col("R", "REPORTS", "STATE") + `, ` +
		d.col("R", "REPORTS", "CREATED_AT_UTC") + `, ` + d.col("R", "REPORTS", "LAST_EDITED_AT_UTC") + `, ` +
		creator + `, ` + d.col("R", "REPORTS", "COLLECTION_NAME") + `, ` + d.col("R", "REPORTS", "COLLECTION_TYPE") + `
FROM ` + d.table("REPORTS") + ` R` + joinUsers + `
WHERE R.ID IS NOT NULL
ORDER BY R.ID`
	var reports []record.Report
	index := map[string]int{} // report id as text → position
	err := d.query(ctx, stmt, nil, func(rows *sql.Rows) error {
		var id, url, name, desc, state, creatorName, collName, collType nullString
		var created, edited nullTime
		if err := rows.Scan(&id, &url, &name, &desc, &state, &created, &edited, &creatorName, &collName, &collType); err != nil {
			return fmt.Errorf("scan report row: %w", err)
		}
		r := record.Report{
			Token: d.key(id, url, reportTokenInURL), Name: name.ptr(), Description: desc.ptr(),
			CreatedAt: created.ptr(), EditedAt: edited.ptr(), URL: url.v,
			Archived:              strings.EqualFold(state.v, "archived"),
			Creator:               creatorName.ptr(),
			ImportedDatasetTokens: []string{}, QueryTokens: []string{},
			Source:    record.SourceDiscoveryDB,
			SpaceName: collName.ptr(), SpaceType: strings.ToLower(collType.v),
		}
		if !d.caps.IDsAreTokens {
			r.ID = parseID(id.v)
			if r.Token == normalizeNumericID(id.v) {
				r.Token = "" // no token known: the record is keyed by ID
			}
		}
		index[d.idText(id)] = len(reports)
		reports = append(reports, r)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list discovery reports: %w", err)
	}
	if !c.Has("QUERIES", "ID", "REPORT_ID") {
		return reports, nil, nil
	}
	queries, err := d.queries(ctx, sources, reports, index)
	if err != nil {
		return nil, nil, err
	}
	return reports, queries, nil
}

// queries lists QUERIES and attaches them to their reports.
func (d *DB) queries(ctx context.Context, sources []record.DataSource, reports []record.Report,
	index map[string]int) ([]record.Query, error) {
	stmt := `SELECT Q.ID, ` + d.col("Q", "QUERIES", "URL") + `, Q.REPORT_ID, ` + d.col("Q", "QUERIES", "NAME") + `, ` +
		d.col("Q", "QUERIES", "CONNECTION_NAME") + `, ` + d.col("Q", "QUERIES", "QUERY") + `
FROM ` + d.table("QUERIES") + ` Q
WHERE Q.ID IS NOT NULL AND Q.REPORT_ID IS NOT NULL
ORDER BY Q.REPORT_ID, Q.ID`
	var out []record.Query
	err := d.query(ctx, stmt, nil, func(rows *sql.Rows) error {
		var id, url, reportID, name, conn, text nullString
		if err := rows.Scan(&id, &url, &reportID, &name, &conn, &text); err != nil {
			return fmt.Errorf("scan query row: %w", err)
		}
		pos, ok := index[d.idText(reportID)]
		if !ok {
			return nil // a query of a report the share no longer lists
		}
		q := record.Query{
			Token: d.key(id, url, queryTokenInURL), Name: name.ptr(),
			ParentToken: reports[pos].Token, ParentKind: record.ParentReport,
			DataSourceID: dataSourceID(sources, conn), RawSQL: text.v, URL: url.v,
			Source: record.SourceDiscoveryDB,
		}
		if !d.caps.IDsAreTokens {
			q.ID = parseID(id.v)
			if q.Token == normalizeNumericID(id.v) {
				q.Token = ""
			}
		}
		reports[pos].QueryTokens = append(reports[pos].QueryTokens, q.Token)
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list discovery queries: %w", err)
	}
	return out, nil
}

// idText normalizes an id for joining rows of two statements.
func (d *DB) idText(id nullString) string {
	if d.caps.IDsAreTokens {
		return strings.TrimSpace(id.v)
	}
	return normalizeNumericID(id.v)
}

func parseID(s string) int64 {
	var n nullInt
	if n.Scan(strings.TrimSpace(s)) != nil {
		return 0
	}
	return n.v
}

// dataSourceID resolves a connection name to a data source id.
func dataSourceID(sources []record.DataSource, conn nullString) *int64 {
	if !conn.valid || conn.v == "" {
		return nil
	}
	for _, pass := range []func(a, b string) bool{
		func(a, b string) bool { return a == b },
		strings.EqualFold,
	} {
		for _, s := range sources {
			if s.Name != nil && pass(*s.Name, conn.v) {
				id := s.ID
				return &id
			}
		}
	}
	return nil
}

// Users returns the workspace's members from USERS, ordered by username,
// with email, membership state and last engagement. Without
// USERS.USERNAME it returns a *MissingError.
func (d *DB) Users(ctx context.Context) ([]record.User, error) {
	c := d.caps
	if !c.Has("USERS", "USERNAME") {
		return nil, &MissingError{Feature: "users", Missing: c.missing("USERS", "USERNAME")}
	}
	stmt := `SELECT U.USERNAME, ` + d.col("U", "USERS", "NAME") + `, ` + d.col("U", "USERS", "EMAIL") + `, ` +
		d.col("U", "USERS", "MEMBERSHIP_STATE") + `, ` + d.col("U", "USERS", "LAST_ENGAGED_DATE_UTC") + `
FROM ` + d.table("USERS") + ` U
WHERE U.USERNAME IS NOT NULL
ORDER BY U.USERNAME`
	var out []record.User
	err := d.query(ctx, stmt, nil, func(rows *sql.Rows) error {
		var username, name, email, state nullString
		var engaged nullTime
		if err := rows.Scan(&username, &name, &email, &state, &engaged); err != nil {
			return fmt.Errorf("scan user row: %w", err)
		}
		out = append(out, record.User{Username: username.v, Name: name.ptr(), Email: email.ptr(),
			MembershipState: state.ptr(), LastEngagedAt: engaged.ptr()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list discovery users: %w", err)
	}
	return out, nil
}

// Info describes how the Discovery Database was used, for the manifest:
// freshness (latest view seen), window and the tables and columns
// missing. It sends no statement; Check gathered everything.
func (d *DB) Info(_ context.Context) record.DiscoveryInfo {
	info := record.DiscoveryInfo{Used: true, Freshness: d.caps.Freshness, WindowDays: d.cfg.WindowDays,
		MissingTables: d.caps.Missing}
	if d.caps.ProbeError != "" {
		info.Message = "information schema unreadable, probed tables one by one: " + d.caps.ProbeError
	}
	return info
}
