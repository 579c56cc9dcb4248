package fakesnowflake

import (
	"regexp"
	"strings"
)

// ident matches one identifier part, quoted or not.
const ident = `(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`

var (
	// threePart matches DB.SCHEMA.OBJECT; SQLite has no databases, so the
	// first two parts go (INFORMATION_SCHEMA is special-cased).
	threePart = regexp.MustCompile(`(` + ident + `)\s*\.\s*(` + ident + `)\s*\.\s*(` + ident + `)`)
	// infoSchema matches a two-part INFORMATION_SCHEMA.X reference.
	infoSchema = regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_$"])(?:"INFORMATION_SCHEMA"|INFORMATION_SCHEMA)\s*\.\s*(` + ident + `)`)
	// Snowflake functions SQLite spells differently or lacks.
	funcRewrites = []struct {
		re   *regexp.Regexp
		repl string
	}{
		// CURRENT_TIMESTAMP() in TimeFormat, so it compares with stored values.
		{regexp.MustCompile(`(?i)\b(?:CURRENT_TIMESTAMP|SYSDATE|GETDATE)\s*\(\s*\)`), `(strftime('%Y-%m-%d %H:%M:%f','now') || '000000')`},
		{regexp.MustCompile(`(?i)\bIFF\s*\(`), `IIF(`},
		{regexp.MustCompile(`(?i)\bNVL\s*\(`), `IFNULL(`},
		{regexp.MustCompile(`(?i)\bILIKE\b`), `LIKE`},
		// Snowflake's numbered binds :1, :2 become SQLite's ?1, ?2.
		{regexp.MustCompile(`(^|[^:A-Za-z0-9_]):([0-9]+)\b`), `${1}?${2}`},
	}
)

// Translate rewrites a Snowflake statement into one SQLite runs the same
// way, for the constructs modecrawl's SQL uses and a few more:
//
//   - "DB"."SCHEMA"."TABLE" → "TABLE" (SQLite has no databases);
//   - [DB.]INFORMATION_SCHEMA.X → "INFORMATION_SCHEMA_X", views the
//     server creates over SQLite's catalog;
//   - CURRENT_TIMESTAMP()/SYSDATE()/GETDATE() → now in TimeFormat, IFF →
//     IIF, NVL → IFNULL, ILIKE → LIKE (SQLite's LIKE ignores ASCII case),
//     :N binds → ?N.
//
// String literals are left untouched. Everything else (window functions,
// CTEs, CASE, COUNT(DISTINCT), UNION) is common to both engines and passes
// through as is; a Snowflake-only function fails in SQLite with "no such
// function", which the server reports like Snowflake's compilation error.
func Translate(stmt string) string {
	var b strings.Builder
	b.Grow(len(stmt))
	for len(stmt) > 0 {
		i := strings.IndexByte(stmt, '\'')
		if i < 0 {
			b.WriteString(translateCode(stmt))
			break
		}
		b.WriteString(translateCode(stmt[:i]))
		// Copy the literal through its closing quote ('' is an escaped quote).
		j := i + 1
		for j < len(stmt) {
			if stmt[j] == '\'' {
				if j+1 < len(stmt) && stmt[j+1] == '\'' {
					j += 2
					continue
				}
				break
			}
			j++
		}
		end := min(j+1, len(stmt))
		b.WriteString(stmt[i:end])
		stmt = stmt[end:]
	}
	return b.String()
}

// translateCode rewrites a stretch of SQL that holds no string literal.
func translateCode(s string) string {
	s = threePart.ReplaceAllStringFunc(s, func(m string) string {
		parts := threePart.FindStringSubmatch(m)
		if strings.EqualFold(unquote(parts[2]), "INFORMATION_SCHEMA") {
			return `"INFORMATION_SCHEMA_` + strings.ToUpper(unquote(parts[3])) + `"`
		}
		return parts[3]
	})
	s = infoSchema.ReplaceAllStringFunc(s, func(m string) string {
		parts := infoSchema.FindStringSubmatch(m)
		return parts[1] + `"INFORMATION_SCHEMA_` + strings.ToUpper(unquote(parts[2])) + `"`
	})
	for _, r := range funcRewrites {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// unquote strips the double quotes of a quoted identifier.
func unquote(id string) string {
	if len(id) >= 2 && id[0] == '"' && id[len(id)-1] == '"' {
		return strings.ReplaceAll(id[1:len(id)-1], `""`, `"`)
	}
	return id
}
