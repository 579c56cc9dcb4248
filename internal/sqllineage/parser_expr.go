package sqllineage

import (
	"fmt"
	"strings"
)

func (p *parser) parseExpr() expr { return p.parseBinary(1) }

// Binary precedence levels (higher binds tighter).
const (
	precOr      = 1
	precAnd     = 2
	precNot     = 3
	precCompare = 4
	precBit     = 5
	precAdd     = 6
	precMul     = 7
)

// binaryPrec returns the precedence of the operator at the cursor, or 0.
func (p *parser) binaryPrec() int {
	t := p.peek()
	switch t.kind {
	case tkWord:
		var buf [24]byte
		k, ok := upperKey(&buf, t.val)
		if !ok {
			return 0
		}
		switch string(k) {
		case "OR":
			return precOr
		case "AND", "XOR":
			return precAnd
		case "IS", "IN", "LIKE", "ILIKE", "RLIKE", "REGEXP", "SIMILAR", "BETWEEN", "GLOB", "MATCH":
			return precCompare
		case "NOT":
			nx := p.peekAt(1)
			if nx.is("IN") || nx.is("LIKE") || nx.is("ILIKE") || nx.is("RLIKE") || nx.is("REGEXP") ||
				nx.is("BETWEEN") || nx.is("SIMILAR") {
				return precCompare
			}
		case "DIV", "MOD":
			return precMul
		}
	case tkOp:
		switch t.val {
		case ":=":
			// MySQL @v := expr inside a SELECT: the value is expr.
			return precOr
		case "=", "<", ">", "<=", ">=", "<>", "!=", "==", "<=>", "~", "~*", "!~", "!~*":
			return precCompare
		case "|", "&", "^", "<<", ">>", "->", "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&", "&&", "#-", "@@":
			return precBit
		case "+", "-", "||":
			return precAdd
		case "*", "/", "%", "**":
			return precMul
		}
	case tkParam:
		// A bare ? after a value is the Postgres JSON key-exists operator.
	}
	return 0
}

func (p *parser) parseBinary(minPrec int) expr {
	p.enter()
	defer p.leave()
	left := p.parseUnary()
	for {
		prec := p.binaryPrec()
		if prec == 0 || prec < minPrec {
			return left
		}
		t := p.next()
		not := false
		if t.is("NOT") {
			not = true
			t = p.next()
		}
		_ = not
		switch {
		case t.is("IS"):
			p.acceptKw("NOT")
			switch {
			case p.acceptKw("DISTINCT", "FROM"):
				left = &opExpr{kids: []expr{left, p.parseBinary(precBit)}}
			case p.acceptKw("NULL"), p.acceptKw("TRUE"), p.acceptKw("FALSE"), p.acceptKw("UNKNOWN"), p.acceptKw("NAN"):
			case p.acceptKw("JSON"):
				_ = p.acceptKw("OBJECT") || p.acceptKw("ARRAY") || p.acceptKw("VALUE") || p.acceptKw("SCALAR")
			default:
				left = &opExpr{kids: []expr{left, p.parseBinary(precBit)}}
			}
		case t.is("IN"):
			left = &opExpr{kids: []expr{left, p.parseInRHS()}}
		case t.is("BETWEEN"):
			_ = p.acceptKw("SYMMETRIC") || p.acceptKw("ASYMMETRIC")
			lo := p.parseBinary(precBit)
			p.expectKw("AND")
			hi := p.parseBinary(precBit)
			left = &opExpr{kids: []expr{left, lo, hi}}
		case t.is("LIKE") || t.is("ILIKE") || t.is("RLIKE") || t.is("REGEXP") || t.is("SIMILAR") || t.is("GLOB") || t.is("MATCH"):
			if t.is("SIMILAR") {
				p.expectKw("TO")
			}
			var rhs expr
			if (p.isKw("ANY") || p.isKw("ALL") || p.isKw("SOME")) && p.peekAt(1).isOp("(") {
				p.next()
				p.next()
				rhs = &opExpr{kids: p.parseArgs("")}
			} else {
				rhs = p.parseBinary(precBit)
			}
			kids := []expr{left, rhs}
			if p.acceptKw("ESCAPE") {
				kids = append(kids, p.parseBinary(precBit))
			}
			left = &opExpr{kids: kids}
		case t.isOp("->") && p.d.lambdaArrow && lambdaParams(left) != nil:
			left = &lambdaExpr{params: lambdaParams(left), body: p.parseExpr()}
		default:
			// Comparison with ANY/ALL/SOME (subquery or list).
			if prec == precCompare && (p.isKw("ANY") || p.isKw("ALL") || p.isKw("SOME")) && p.peekAt(1).isOp("(") {
				p.next()
				p.next()
				left = &opExpr{kids: append([]expr{left}, p.parseArgs("")...)}
				continue
			}
			right := p.parseBinary(prec + 1)
			left = &opExpr{kids: []expr{left, right}}
		}
	}
}

// lambdaParams returns the parameter names if e can be a lambda's left side.
func lambdaParams(e expr) []string {
	switch x := e.(type) {
	case *colRef:
		if len(x.parts) == 1 {
			return []string{x.parts[0].name}
		}
	case *opExpr:
		var out []string
		for _, k := range x.kids {
			c, ok := k.(*colRef)
			if !ok || len(c.parts) != 1 {
				return nil
			}
			out = append(out, c.parts[0].name)
		}
		return out
	}
	return nil
}

func (p *parser) parseInRHS() expr {
	if p.isKw("UNNEST") && p.peekAt(1).isOp("(") {
		p.next()
		p.next()
		return &opExpr{kids: p.parseArgs("unnest")}
	}
	if !p.isOp("(") {
		return p.parsePrimary()
	}
	p.next()
	if p.queryAhead(0) && !p.isKw("VALUES") {
		q := p.parseQuery()
		p.expectOp(")")
		return &subqueryExpr{q: q}
	}
	var kids []expr
	for !p.isOp(")") {
		kids = append(kids, p.parseExpr())
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return &opExpr{kids: kids}
}

func (p *parser) parseUnary() expr {
	t := p.peek()
	switch {
	case t.is("NOT"):
		p.next()
		return &opExpr{kids: []expr{p.parseBinary(precNot)}}
	case t.isOp("-") || t.isOp("+") || t.isOp("~") || t.isOp("!") || t.isOp("@") || t.isOp("|/"):
		p.next()
		p.enter()
		defer p.leave()
		return &opExpr{kids: []expr{p.parseUnary()}}
	case t.is("EXISTS") && p.peekAt(1).isOp("(") && p.queryAhead(2):
		p.next()
		p.next()
		q := p.parseQuery()
		p.expectOp(")")
		return &subqueryExpr{q: q, exists: true}
	case t.is("PRIOR") || t.is("CONNECT_BY_ROOT"):
		p.next()
	}
	return p.parsePostfix(p.parsePrimary())
}

func (p *parser) parsePostfix(e expr) expr {
	for {
		t := p.peek()
		switch {
		case t.isOp("::"):
			p.next()
			e = &castExpr{e: e, typ: p.parseType()}
		case t.isOp("["):
			p.next()
			kids := []expr{e}
			for !p.isOp("]") {
				if p.isOp(":") || p.isOp(",") {
					p.next()
					continue
				}
				kids = append(kids, p.parseExpr())
			}
			p.expectOp("]")
			e = &opExpr{kids: kids}
		case t.isOp(".") && (p.peekAt(1).kind == tkWord || p.peekAt(1).kind == tkQIdent):
			// Field access on a non-name value: (x).f, f(x).g, a[0].b.
			p.next()
			p.next()
			if p.isOp("(") {
				// Method call (T-SQL xml.value(...)).
				p.next()
				e = &opExpr{kids: append([]expr{e}, p.parseArgs("")...)}
			} else if c, ok := e.(*colRef); ok {
				_ = c
				e = &opExpr{kids: []expr{e}}
			}
		case t.isOp(":") && p.d.colonPath && p.noColon == 0 &&
			(p.peekAt(1).kind == tkWord || p.peekAt(1).kind == tkQIdent || p.peekAt(1).isOp("[")) &&
			p.peekAt(1).pos == t.end:
			// Semi-structured path col:a.b[0] reads only col.
			p.next()
			if !p.isOp("[") {
				p.next()
			}
			for {
				if p.isOp(".") && (p.peekAt(1).kind == tkWord || p.peekAt(1).kind == tkQIdent) {
					p.next()
					p.next()
					continue
				}
				if p.isOp("[") {
					p.skipBalanced()
					continue
				}
				break
			}
			e = &opExpr{kids: []expr{e}}
		case t.is("COLLATE"):
			p.next()
			p.next()
		case t.is("AT") && p.peekAt(1).is("TIME") && p.peekAt(2).is("ZONE"):
			p.next()
			p.next()
			p.next()
			e = &opExpr{kids: []expr{e, p.parseBinary(precAdd)}}
		case t.isOp("!") && p.d.name == Generic:
			p.next()
		default:
			return e
		}
	}
}

// Word flags, looked up once per word in parsePrimary.
const (
	wfNiladic      = 1 << iota // a value without parentheses (CURRENT_DATE)
	wfTypedLiteral             // DATE '2020-01-01'
	wfNotValue                 // a clause keyword, never a column
)

var wordFlags = func() map[string]uint8 {
	m := map[string]uint8{}
	for _, w := range strings.Fields(`NULL TRUE FALSE CURRENT_DATE CURRENT_TIMESTAMP CURRENT_TIME LOCALTIME
		LOCALTIMESTAMP CURRENT_USER SESSION_USER SYSDATE SYSTIMESTAMP CURRENT_SCHEMA CURRENT_ROLE
		CURRENT_DATABASE CURRENT_CATALOG DEFAULT UNKNOWN CURRENT_DATETIME CURRENT_WAREHOUSE CURRENT_REGION`) {
		m[w] |= wfNiladic
	}
	for _, w := range strings.Fields(`DATE TIME TIMESTAMP DATETIME TIMESTAMPTZ TIMESTAMP_NTZ TIMESTAMP_LTZ
		TIMESTAMP_TZ JSON NUMERIC BIGNUMERIC DECIMAL INET UUID`) {
		m[w] |= wfTypedLiteral
	}
	for _, w := range strings.Fields(`SELECT FROM WHERE GROUP HAVING ORDER LIMIT UNION INTERSECT EXCEPT MINUS
		JOIN ON USING AS AND OR IN IS BETWEEN THEN ELSE END WHEN INTO WINDOW QUALIFY`) {
		m[w] |= wfNotValue
	}
	return m
}()

func (p *parser) parsePrimary() expr {
	p.enter()
	defer p.leave()
	t := p.peek()
	switch t.kind {
	case tkNumber, tkString, tkParam:
		p.next()
		// Adjacent string literals concatenate.
		for t.kind == tkString && p.peek().kind == tkString {
			p.next()
		}
		return &litExpr{}
	case tkEOF:
		p.fail("unexpected end of input")
	case tkOp:
		switch t.val {
		case "(":
			p.next()
			if p.queryAhead(0) && !p.isKw("VALUES") {
				q := p.parseQuery()
				p.expectOp(")")
				return &subqueryExpr{q: q}
			}
			var kids []expr
			for !p.isOp(")") {
				kids = append(kids, p.parseExpr())
				if p.acceptKw("AS") {
					p.parseType()
				}
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
			if len(kids) == 1 {
				return kids[0]
			}
			return &opExpr{kids: kids}
		case "[":
			p.next()
			var kids []expr
			for !p.isOp("]") {
				kids = append(kids, p.parseExpr())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp("]")
			return &opExpr{kids: kids}
		case "{":
			p.next()
			p.noColon++
			var kids []expr
			for !p.isOp("}") {
				kids = append(kids, p.parseExpr())
				if !p.acceptOp(":") && !p.acceptOp(",") {
					break
				}
			}
			p.noColon--
			p.expectOp("}")
			return &opExpr{kids: kids}
		case "?", "*":
			p.next()
			return &litExpr{}
		case ":":
			if nx := p.peekAt(1); nx.kind == tkWord || nx.kind == tkNumber {
				p.next()
				p.next()
				return &litExpr{}
			}
		}
		p.fail("unexpected %s", p.describe(t))
	}
	// Words and quoted identifiers.
	if t.kind == tkWord {
		var buf [24]byte
		k, _ := upperKey(&buf, t.val)
		up := string(k)
		nx := p.peekAt(1)
		fl := wordFlags[up]
		switch {
		case up == "CASE":
			return p.parseCase()
		case up == "APPROXIMATE" && nx.kind == tkWord && p.peekAt(2).isOp("("):
			// Redshift APPROXIMATE COUNT(DISTINCT …).
			p.next()
			return p.parsePrimary()
		case (up == "CAST" || up == "TRY_CAST" || up == "SAFE_CAST") && nx.isOp("("):
			p.next()
			p.next()
			e := p.parseExpr()
			typ := ""
			if p.acceptKw("AS") {
				typ = p.parseType()
			}
			if p.acceptKw("FORMAT") {
				p.parseExpr()
			}
			p.expectOp(")")
			return &castExpr{e: e, typ: typ}
		case (up == "CONVERT" || up == "TRY_CONVERT") && nx.isOp("(") && p.d.name == TSQL:
			p.next()
			p.next()
			p.parseType()
			p.expectOp(",")
			e := p.parseExpr()
			kids := []expr{e}
			if p.acceptOp(",") {
				kids = append(kids, p.parseExpr())
			}
			p.expectOp(")")
			return &funcCall{name: strings.ToLower(up), kids: kids}
		case up == "EXTRACT" && nx.isOp("("):
			p.next()
			p.next()
			p.next() // date part (word or string)
			if !p.acceptKw("FROM") {
				p.expectOp(",")
			}
			e := p.parseExpr()
			p.expectOp(")")
			return &funcCall{name: "extract", kids: []expr{e}}
		case up == "INTERVAL" && (nx.kind == tkString || nx.kind == tkNumber || nx.isOp("(") || nx.isOp("-") || nx.kind == tkWord && !isReserved(nx) ||
			nx.kind == tkParam || nx.is("CASE") || nx.is("CAST")):
			p.next()
			var e expr
			if p.isOp("-") {
				p.next()
			}
			if p.peek().kind == tkString {
				e = p.parsePostfix(p.parsePrimary())
			} else {
				// BigQuery, MySQL and Databricks take any additive expression
				// as the count: INTERVAL p.period_index * 7 DAY.
				e = p.parseBinary(precAdd)
			}
			if isDatePart(p.peek()) {
				p.next()
				if p.acceptKw("TO") {
					p.next()
				}
				// Databricks multi-unit literals: INTERVAL 2 HOURS 30 MINUTES.
				for (p.peek().kind == tkNumber || p.peek().kind == tkString) && isDatePart(p.peekAt(1)) {
					p.next()
					p.next()
				}
			}
			return &opExpr{kids: []expr{e}}
		case fl&wfTypedLiteral != 0 && nx.kind == tkString:
			p.next()
			p.next()
			return &litExpr{}
		case fl&wfNiladic != 0 && !nx.isOp("(") && !nx.isOp("."):
			p.next()
			if strings.HasPrefix(up, "CURRENT_") || strings.HasPrefix(up, "LOCAL") || strings.HasSuffix(up, "_USER") {
				return &litExpr{name: strings.ToLower(up)}
			}
			return &litExpr{}
		case up == "ARRAY" && (nx.isOp("[") || nx.isOp("<")):
			p.next()
			if p.isOp("<") {
				p.skipAngles()
			}
			if !p.isOp("[") {
				return &litExpr{}
			}
			// Postgres names an ARRAY[…] constructor "array".
			return &funcCall{name: "array", kids: []expr{p.parsePrimary()}}
		case up == "ARRAY" && nx.isOp("(") && p.queryAhead(2):
			p.next()
			p.next()
			q := p.parseQuery()
			p.expectOp(")")
			return &subqueryExpr{q: q}
		case (up == "STRUCT" || up == "MAP" || up == "ROW") && (nx.isOp("<") || nx.isOp("(") || nx.isOp("{")):
			p.next()
			if p.isOp("<") {
				p.skipAngles()
			}
			if p.isOp("{") {
				return p.parsePrimary()
			}
			p.expectOp("(")
			return &funcCall{name: strings.ToLower(up), kids: p.parseArgs(strings.ToLower(up))}
		}
		// Clause keywords cannot start a value: "SELECT FROM t" is an
		// error, not a column named FROM.
		if fl&wfNotValue != 0 && !nx.isOp("(") && !nx.isOp(".") {
			p.fail("unexpected %s", p.describe(t))
		}
	}
	// Dotted name: column reference or function call. The colRef's inline
	// buffer holds the usual one or two parts without another allocation.
	ref := &colRef{}
	parts := ref.buf[:0]
	for {
		tk := p.next()
		if tk.kind != tkWord && tk.kind != tkQIdent {
			p.i--
			p.fail("unexpected %s", p.describe(tk))
		}
		parts = p.appendIdents(parts, tk)
		if p.isOp(".") {
			nx := p.peekAt(1)
			if nx.kind == tkWord || nx.kind == tkQIdent {
				p.next()
				continue
			}
			if nx.kind == tkParam && strings.HasPrefix(nx.val, "$") && p.d.name == Snowflake {
				// t.$1: a positional column of a staged file.
				p.next()
				p.next()
				return &litExpr{}
			}
			if nx.isOp("*") {
				// t.* inside an expression (COUNT(t.*), ROW(t.*)).
				p.next()
				p.next()
				return &litExpr{}
			}
		}
		break
	}
	if p.isOp("(") && p.peekAt(1).isOp("+") && p.peekAt(2).isOp(")") {
		// Oracle's old outer-join marker: d.deptno(+) is the column.
		p.next()
		p.next()
		p.next()
	} else if p.isOp("(") {
		name := strings.ToLower(parts[len(parts)-1].name)
		p.next()
		f := &funcCall{name: name, kids: p.parseArgsOrSkip(name)}
		p.parseFuncSuffix(f)
		return f
	}
	ref.parts = parts
	return ref
}

// parseFuncSuffix reads WITHIN GROUP, FILTER, IGNORE NULLS and OVER.
func (p *parser) parseFuncSuffix(f *funcCall) {
	for {
		switch {
		case p.isKw("WITHIN") && p.peekAt(1).is("GROUP"):
			p.next()
			p.next()
			p.expectOp("(")
			p.expectKw("ORDER")
			p.expectKw("BY")
			f.kids = append(f.kids, p.parseOrderList()...)
			p.expectOp(")")
		case p.isKw("FILTER") && p.peekAt(1).isOp("("):
			p.next()
			p.next()
			p.expectKw("WHERE")
			f.kids = append(f.kids, p.parseExpr())
			p.expectOp(")")
		case (p.isKw("IGNORE") || p.isKw("RESPECT")) && p.peekAt(1).is("NULLS"):
			p.next()
			p.next()
		case p.isKw("FROM") && (p.peekAt(1).is("FIRST") || p.peekAt(1).is("LAST")):
			p.next()
			p.next()
		case p.isKw("OVER"):
			p.next()
			if p.isOp("(") {
				f.kids = append(f.kids, p.parseWindowSpec()...)
			} else {
				f.kids = append(f.kids, &windowRef{name: strings.ToLower(p.identOf(p.next()).name)})
			}
		default:
			return
		}
	}
}

// parseWindowSpec reads "( [name] [PARTITION BY …] [ORDER BY …] [frame] )".
func (p *parser) parseWindowSpec() []expr {
	p.expectOp("(")
	var out []expr
	if t := p.peek(); (t.kind == tkWord || t.kind == tkQIdent) && !t.is("PARTITION") && !t.is("ORDER") && !t.is("ROWS") && !t.is("RANGE") && !t.is("GROUPS") {
		// A base window: OVER (w ORDER BY …) extends WINDOW w.
		out = append(out, &windowRef{name: strings.ToLower(p.identOf(p.next()).name)})
	}
	if p.acceptKw("PARTITION", "BY") {
		for {
			out = append(out, p.parseExpr())
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("ORDER", "BY") {
		out = append(out, p.parseOrderList()...)
	}
	// Frame clause: no columns, skip to the closing parenthesis.
	for !p.isOp(")") {
		if p.peek().kind == tkEOF {
			p.fail("unterminated window specification")
		}
		if p.isOp("(") {
			p.skipBalanced()
			continue
		}
		p.next()
	}
	p.next()
	return out
}

func (p *parser) parseCase() expr {
	p.expectKw("CASE")
	c := &caseExpr{}
	if !p.isKw("WHEN") {
		c.kids = append(c.kids, p.parseExpr())
	}
	for p.acceptKw("WHEN") {
		c.kids = append(c.kids, p.parseExpr())
		p.expectKw("THEN")
		c.kids = append(c.kids, p.parseExpr())
	}
	if p.acceptKw("ELSE") {
		c.kids = append(c.kids, p.parseExpr())
	}
	p.expectKw("END")
	return c
}

// parseType skips a type name (dotted words, multi-word forms, (p, s),
// <…> generics and [] suffixes) and returns its Postgres name: the last
// word of the name, lower-cased, with Postgres's aliases resolved
// (integer → int4, double precision → float8, timestamp with time zone →
// timestamptz).
func (p *parser) parseType() string {
	t := p.next()
	if t.kind != tkWord && t.kind != tkQIdent {
		p.i--
		p.fail("expected a type, found %s", p.describe(t))
	}
	name := strings.ToLower(t.val)
	for p.isOp(".") {
		p.next()
		name = strings.ToLower(p.next().val)
	}
	for p.isKw("PRECISION") || p.isKw("VARYING") || p.isKw("UNSIGNED") || p.isKw("SIGNED") ||
		((p.isKw("WITH") || p.isKw("WITHOUT")) && (p.peekAt(1).is("TIME") || p.peekAt(1).is("LOCAL"))) ||
		(p.isKw("TIME") && p.peekAt(1).is("ZONE")) || p.isKw("ZONE") || (p.isKw("LOCAL") && p.peekAt(1).is("TIME")) {
		if p.isKw("WITH") {
			name += "tz"
		}
		name = pgTypeSuffix(name, p.next())
	}
	if p.isOp("(") {
		p.skipBalanced()
	}
	if p.isOp("<") {
		p.skipAngles()
	}
	for p.isOp("[") && p.peekAt(1).isOp("]") {
		p.next()
		p.next()
	}
	if alias, ok := pgTypeAliases[name]; ok {
		return alias
	}
	return name
}

// pgTypeSuffix folds the second word of a multi-word type into its name.
func pgTypeSuffix(name string, t *token) string {
	switch {
	case t.is("PRECISION"):
		return "float8"
	case t.is("VARYING") && name == "character":
		return "varchar"
	}
	return name
}

// pgTypeAliases maps SQL type spellings to the names Postgres reports.
var pgTypeAliases = map[string]string{
	"int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
	"real": "float4", "float": "float8", "double": "float8", "boolean": "bool",
	"character": "bpchar", "char": "bpchar", "decimal": "numeric", "dec": "numeric",
}

// skipAngles consumes a <…> type argument list, counting >> as two closers.
func (p *parser) skipAngles() {
	depth := 0
	for {
		t := p.next()
		switch {
		case t.kind == tkEOF:
			p.fail("unbalanced <")
		case t.isOp("<"):
			depth++
		case t.isOp(">"):
			depth--
		case t.isOp(">>"):
			depth -= 2
		case t.isOp("<>"):
			// ARRAY<> is empty.
		}
		if depth <= 0 {
			return
		}
	}
}

// Functions whose first argument is a bare date part (DATEADD(day, …)),
// and BigQuery functions whose last argument is one (DATE_TRUNC(x, MONTH)).
// Such a word is a keyword, not a column.
var (
	firstPartFuncs = map[string]bool{
		"dateadd": true, "datediff": true, "datepart": true, "datename": true, "date_trunc": true,
		"date_part": true, "timestampadd": true, "timestampdiff": true, "timeadd": true, "timediff": true,
		"datetrunc": true, "date_bucket": true, "datediff_big": true, "datetime_trunc": true,
	}
	lastPartFuncs = map[string]bool{
		"date_diff": true, "datetime_diff": true, "timestamp_diff": true, "time_diff": true,
		"date_trunc": true, "datetime_trunc": true, "timestamp_trunc": true, "time_trunc": true,
		"last_day": true, "time_slice": true,
	}
)

var dateParts = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`YEAR YEARS QUARTER QUARTERS MONTH MONTHS WEEK WEEKS ISOWEEK WEEKISO
		ISOYEAR DAY DAYS DAYOFWEEK DAYOFYEAR DOW DOY HOUR HOURS MINUTE MINUTES SECOND SECONDS MILLISECOND
		MILLISECONDS MICROSECOND MICROSECONDS NANOSECOND NANOSECONDS EPOCH DATE TIME DATETIME WEEKDAY MONDAY
		TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY CENTURY DECADE MILLENNIUM YEAROFWEEK DAYOFWEEKISO
		DAYOFMONTH TIMEZONE_HOUR TIMEZONE_MINUTE DAY_HOUR DAY_MINUTE DAY_SECOND HOUR_MINUTE HOUR_SECOND
		MINUTE_SECOND YEAR_MONTH`) {
		m[w] = true
	}
	return m
}()

// datePartAbbrevs are accepted only where a part is certain (first argument
// of DATEADD-style functions): elsewhere "d" or "s" is far more likely a column.
var datePartAbbrevs = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`YY YYYY Y QQ Q MM M MON MONS WK WW W DD D DW DY HH MI N SS S MS US NS
		MCS YYY YRS YR MSEC USEC NSEC SEC MIN H HR HRS MINS SECS`) {
		m[w] = true
	}
	return m
}()

func isDatePart(t *token) bool {
	if t.kind != tkWord {
		return false
	}
	var buf [24]byte
	k, ok := upperKey(&buf, t.val)
	return ok && dateParts[string(k)]
}

func isDatePartAbbrev(t *token) bool {
	if t.kind != tkWord {
		return false
	}
	var buf [24]byte
	k, ok := upperKey(&buf, t.val)
	return ok && (dateParts[string(k)] || datePartAbbrevs[string(k)])
}

// datePartArg reports whether the word at the cursor, as argument number
// argN of function fname, is a date-part keyword rather than a column.
func (p *parser) datePartArg(fname string, argN int) bool {
	t, nx := p.peek(), p.peekAt(1)
	if t.kind != tkWord {
		return false
	}
	if argN == 0 && firstPartFuncs[fname] && nx.isOp(",") {
		return isDatePartAbbrev(t)
	}
	if lastPartFuncs[fname] && argN > 0 && (p.d.name == BigQuery || p.d.name == Snowflake || p.d.name == Generic) {
		if nx.isOp(")") {
			return isDatePart(t)
		}
		// WEEK(MONDAY)
		return (t.is("WEEK") || t.is("ISOWEEK")) && nx.isOp("(") && isDatePart(p.peekAt(2)) && p.peekAt(3).isOp(")")
	}
	return false
}

// parseArgs reads function arguments after "(" through ")".
func (p *parser) parseArgs(fname string) []expr {
	var kids []expr
	argN := -1
	for !p.isOp(")") {
		argN++
		if p.peek().kind == tkEOF {
			p.fail("unterminated argument list")
		}
		p.acceptKw("DISTINCT")
		p.acceptKw("ALL")
		_ = p.acceptKw("BOTH") || p.acceptKw("LEADING") || p.acceptKw("TRAILING")
		if p.isOp(")") {
			break
		}
		if p.isKw("FROM") && fname == "trim" {
			p.next()
		}
		// Named argument: name => value (Snowflake FLATTEN(input => …)).
		if t := p.peek(); (t.kind == tkWord || t.kind == tkQIdent) && (p.peekAt(1).isOp("=>") || p.peekAt(1).isOp(":=")) {
			p.next()
			p.next()
		}
		switch {
		case p.queryAhead(0) && (p.isKw("SELECT") || p.isKw("WITH") || p.isOp("(")):
			if p.isOp("(") {
				kids = append(kids, p.parseExpr())
			} else {
				kids = append(kids, &subqueryExpr{q: p.parseQuery()})
			}
		case p.datePartArg(fname, argN):
			p.next()
			if p.isOp("(") { // WEEK(MONDAY)
				p.skipBalanced()
			}
		case p.isOp("*"):
			p.next()
		default:
			kids = append(kids, p.parseExpr())
		}
		// Argument suffixes.
		for {
			switch {
			case p.acceptKw("AS"):
				p.parseType()
				continue
			case p.acceptKw("ORDER", "BY"):
				kids = append(kids, p.parseOrderList()...)
				continue
			case p.isKw("IGNORE") || p.isKw("RESPECT"):
				p.next()
				p.acceptKw("NULLS")
				continue
			case p.acceptKw("LIMIT"), p.acceptKw("SEPARATOR"), p.acceptKw("FROM"), p.acceptKw("FOR"),
				p.acceptKw("IN"), p.acceptKw("USING"), p.acceptKw("PLACING"):
				if p.isKw("UTF8") || p.isKw("LATIN1") {
					p.next()
					continue
				}
				kids = append(kids, p.parseExpr())
				continue
			case p.acceptKw("ON", "OVERFLOW"):
				for !p.isOp(")") && !p.atEnd() {
					p.next()
				}
				continue
			case p.acceptKw("HAVING"):
				_ = p.acceptKw("MAX") || p.acceptKw("MIN")
				kids = append(kids, p.parseExpr())
				continue
			case p.acceptKw("NULL", "ON", "NULL"), p.acceptKw("ABSENT", "ON", "NULL"):
				continue
			}
			break
		}
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return kids
}

// parseArgsOrSkip parses function arguments; if they use syntax outside the
// supported subset, the balanced argument list is skipped with a warning
// (keeping any subqueries found in it) instead of failing the statement.
func (p *parser) parseArgsOrSkip(fname string) (kids []expr) {
	start := p.i // just after "("
	depth := p.depth
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		pe, ok := r.(*parseError)
		if !ok {
			panic(r)
		}
		p.i, p.depth = start-1, depth
		if !p.balancedAhead() {
			panic(pe)
		}
		kids = p.skipCollecting()
		p.skipped = append(p.skipped, fmt.Sprintf("arguments of %s(…) at %s skipped: %s", fname, position(p.src, int(p.toks[start-1].pos)), pe.msg))
	}()
	return p.parseArgs(fname)
}

// balancedAhead reports whether the "(" at the cursor has a matching ")".
func (p *parser) balancedAhead() bool {
	depth := 0
	for k := p.i; k < len(p.toks); k++ {
		t := &p.toks[k]
		switch {
		case t.kind == tkEOF || t.isOp(";"):
			return false
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// skipCollecting skips a balanced parenthesised group, returning the
// subqueries inside it that parse.
func (p *parser) skipCollecting() []expr {
	var out []expr
	p.next() // "("
	depth := 1
	for depth > 0 {
		t := p.peek()
		if t.isOp("(") && p.queryAhead(1) {
			save := p.i
			if q, ok := p.tryQueryInParens(); ok {
				out = append(out, &subqueryExpr{q: q})
				continue
			}
			p.i = save
		}
		switch {
		case t.kind == tkEOF:
			p.fail("unbalanced parentheses")
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		}
		p.next()
	}
	return out
}
