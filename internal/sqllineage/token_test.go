package sqllineage

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokStrings renders tokens as kind:text for compact comparison.
func tokStrings(src string, toks []token) []string {
	var out []string
	for _, t := range toks {
		if t.kind == tkEOF {
			break
		}
		k := map[tokKind]string{tkWord: "w", tkQIdent: "q", tkString: "s", tkNumber: "n", tkParam: "p", tkOp: "o"}[t.kind]
		text := src[t.pos:t.end]
		if t.kind == tkQIdent {
			text = t.val
		}
		out = append(out, k+":"+text)
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		name string
		d    Dialect
		src  string
		want string // "¦"-separated kind:text
	}{
		{"ansi quotes", Generic, `SELECT "a""b" FROM t`, `w:SELECT¦q:a"b¦w:FROM¦w:t`},
		{"string doubled quote", Postgres, `'it''s'`, `s:'it''s'`},
		{"postgres no backslash escape", Postgres, `'a\' x`, `s:'a\'¦w:x`},
		{"mysql backslash escape", MySQL, `'a\'b' x`, `s:'a\'b'¦w:x`},
		{"mysql double quote is string", MySQL, `"x" ` + "`y`", "s:\"x\"¦q:y"},
		{"bigquery backtick", BigQuery, "`p.d.t`", "q:p.d.t"},
		{"tsql brackets", TSQL, "[dbo].[My]]T]", "q:dbo¦o:.¦q:My]T"},
		{"tsql brackets without spaces", TSQL, "SELECT[a]FROM[t]", "w:SELECT¦q:a¦w:FROM¦q:t"},
		{"dollar quote", Postgres, "$$ a ' b $$ $x$ c $x$", "s:$$ a ' b $$¦s:$x$ c $x$"},
		{"positional param", Postgres, "$1 + $22", "p:$1¦o:+¦p:$22"},
		{"bigquery raw and triple", BigQuery, `r'\d' b"x" '''a'b''' """c"""`, `s:r'\d'¦s:b"x"¦s:'''a'b'''¦s:"""c"""`},
		{"E and N strings", Postgres, `E'a\'b' N'x'`, `s:E'a\'b'¦s:N'x'`},
		{"line comments", MySQL, "a -- x\n# y\nb", "w:a¦w:b"},
		{"hash not comment in postgres", Postgres, "a #>> b", "w:a¦o:#>>¦w:b"},
		{"nested block comment", Snowflake, "a /* x /* y */ z */ b", "w:a¦w:b"},
		{"flat block comment", MySQL, "a /* x /* y */ b", "w:a¦w:b"},
		{"operators", Generic, "a::int || b -> c ->> d <=> e != f <> g >= h", "w:a¦o:::¦w:int¦o:||¦w:b¦o:->¦w:c¦o:->>¦w:d¦o:<=>¦w:e¦o:!=¦w:f¦o:<>¦w:g¦o:>=¦w:h"},
		{"numbers", Generic, "1 1.5 .5 1e3 2.5E-2 0x1F t.5", "n:1¦n:1.5¦n:.5¦n:1e3¦n:2.5E-2¦n:0x1F¦w:t¦o:.¦n:5"},
		{"variables", TSQL, "@x @@rowcount #tmp ##g", "p:@x¦p:@@rowcount¦w:#tmp¦w:##g"},
		{"placeholders", Generic, "? %s %(name)s :name", "o:?¦p:%s¦p:%(name)s¦o::¦w:name"},
		{"go separator", TSQL, "select 1\nGO\nselect 2\n  go 5\n", "w:select¦n:1¦o:GO¦w:select¦n:2¦o:go"},
		{"go as word", TSQL, "select go from t", "w:select¦w:go¦w:from¦w:t"},
		{"snowflake path", Snowflake, "v:a.b::string", "w:v¦o::¦w:a¦o:.¦w:b¦o:::¦w:string"},
		{"unicode identifiers", Generic, "SELECT größe FROM tëst", "w:SELECT¦w:größe¦w:FROM¦w:tëst"},
		{"dollar in identifier", Snowflake, "a$b", "w:a$b"},
		{"redshift hash temp table", Redshift, "FROM #recent_orders r, ##g", "w:FROM¦w:#recent_orders¦w:r¦o:,¦w:##g"},
		{"redshift lone hash is an operator", Redshift, "a # b", "w:a¦o:#¦w:b"},
		{"snowflake slash comment", Snowflake, "// top\nSELECT a // trailing\nFROM t", "w:SELECT¦w:a¦w:FROM¦w:t"},
		{"snowflake slashes inside strings", Snowflake, "SELECT 'https://x.io' // c\n", "w:SELECT¦s:'https://x.io'"},
		{"slashes are division elsewhere", Postgres, "a // b", "w:a¦o:/¦o:/¦w:b"},
		{"unicode spaces", Generic, "\ufeffSELECT\u00a0a\u200bFROM t", "w:SELECT¦w:a¦w:FROM¦w:t"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := tokenize(tc.src, dialectFor(tc.d))
			require.NoError(t, err)
			assert.Equal(t, strings.Split(tc.want, "¦"), tokStrings(tc.src, toks))
		})
	}
}

func TestTokenizeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		d         Dialect
	}{
		{"unterminated string", "SELECT 'abc", Generic},
		{"unterminated comment", "SELECT 1 /* x", Generic},
		{"unterminated quoted ident", `SELECT "abc`, Generic},
		{"unterminated dollar", "SELECT $$ abc", Postgres},
		{"unterminated bracket", "SELECT [abc", TSQL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tokenize(tc.src, dialectFor(tc.d))
			var le *lexError
			require.ErrorAs(t, err, &le)
		})
	}
}
