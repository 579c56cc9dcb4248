package sqllineage

import (
	"sort"
	"strconv"
	"strings"
)

// lin is the lineage of a value: resolved physical sources, or, when a bare
// column could come from several relations, the candidates.
type lin struct {
	src   []Source
	cand  []Source
	amb   bool
	unres []string // column references that matched nothing
}

func (l lin) isZero() bool { return len(l.src) == 0 && len(l.cand) == 0 && !l.amb && len(l.unres) == 0 }

// union returns the combined lineage. Slices are shared when one side is
// empty; callers never append to a lin they did not build themselves.
func (l lin) union(o lin) lin {
	if o.isZero() {
		return l
	}
	if l.isZero() {
		return o
	}
	return lin{
		src:   append(append([]Source(nil), l.src...), o.src...),
		cand:  append(append([]Source(nil), l.cand...), o.cand...),
		amb:   l.amb || o.amb,
		unres: append(append([]string(nil), l.unres...), o.unres...),
	}
}

// compact removes duplicate sources, candidates and names so lineage
// carried through long CTE chains stays proportional to distinct columns.
func (l lin) compact() lin {
	if len(l.src) > 1 {
		l.src = dedupSources(l.src)
	}
	if len(l.cand) > 1 {
		l.cand = dedupSources(l.cand)
	}
	if len(l.unres) > 1 {
		l.unres = sortedUnique(l.unres)
	}
	return l
}

// linAcc accumulates the lineage of several values. It shares the first
// non-empty lineage and copies it only when a second one arrives, so an
// expression with k operands costs O(total) instead of O(k²) copying.
type linAcc struct {
	l     lin
	owned bool
}

func (a *linAcc) add(o lin) {
	if o.isZero() {
		return
	}
	if a.l.isZero() {
		a.l = o
		return
	}
	if !a.owned {
		a.l = lin{
			// Room for a few more operands avoids regrowing the common
			// "wide lineage plus one column" case.
			src:   append(make([]Source, 0, len(a.l.src)+len(o.src)+8), a.l.src...),
			cand:  append([]Source(nil), a.l.cand...),
			amb:   a.l.amb,
			unres: append([]string(nil), a.l.unres...),
		}
		a.owned = true
	}
	a.l.src = append(a.l.src, o.src...)
	a.l.cand = append(a.l.cand, o.cand...)
	a.l.amb = a.l.amb || o.amb
	a.l.unres = append(a.l.unres, o.unres...)
}

// compact is lin.compact with the resolver's scratch set, which long CTE
// chains would otherwise allocate afresh for every column.
func (r *resolver) compact(l lin) lin {
	if len(l.src) > 1 {
		l.src = dedupSourcesInto(l.src, &r.a.seen)
	}
	if len(l.cand) > 1 {
		l.cand = dedupSourcesInto(l.cand, &r.a.seen)
	}
	if len(l.unres) > 1 {
		l.unres = sortedUnique(l.unres)
	}
	return l
}

// dedupSources drops exact duplicates (case-insensitive), keeping order
// and the first spelling. It returns a new slice.
func dedupSources(in []Source) []Source {
	var seen map[[2]string]struct{}
	return dedupSourcesInto(in, &seen)
}

// dedupSourcesInto is dedupSources with a reusable scratch set.
func dedupSourcesInto(in []Source, seen *map[[2]string]struct{}) []Source {
	out := make([]Source, 0, len(in))
	if len(in) <= 8 {
	outer:
		for _, s := range in {
			for _, o := range out {
				if strings.EqualFold(o.Table, s.Table) && strings.EqualFold(o.Column, s.Column) {
					continue outer
				}
			}
			out = append(out, s)
		}
		return out
	}
	if *seen == nil {
		*seen = make(map[[2]string]struct{}, len(in))
	} else {
		clear(*seen)
	}
	for _, s := range in {
		k := [2]string{foldName(s.Table), foldName(s.Column)}
		if _, dup := (*seen)[k]; !dup {
			(*seen)[k] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// outCol is a named column of a relation or query result.
type outCol struct {
	name string
	lin  lin
	// branches groups, for a "*" column over a set operation, the
	// physical tables under each branch's star: a name passed through
	// reads it in every branch (one table per branch), and is ambiguous
	// only within a branch that has several. nil means one group, lin.src.
	branches [][]Source
}

// cteDef is one CTE visible to a query.
type cteDef struct {
	name string
	cols []outCol
	// opaque CTEs are known only by name (defined in text that was
	// skipped): their columns are unknown.
	opaque bool
}

// cteEnv is the set of visible CTEs: a prefix of one WITH list's
// definitions on top of the environment the WITH list itself sees. Every
// prefix of a list shares its definitions and, once the list is long, one
// index by folded name, so a query with thousands of CTEs resolves each
// name in constant time instead of scanning the list.
type cteEnv struct {
	defs   []*cteDef
	index  map[string][]int32 // folded name → positions in defs; nil for short lists
	parent *cteEnv
}

// cteIndexAbove is the WITH-list length from which names are indexed;
// shorter lists are scanned, which is cheaper than hashing.
const cteIndexAbove = 8

// cteList builds the environments of one WITH list, one definition at a
// time: each CTE body sees only the CTEs before it.
type cteList struct {
	parent *cteEnv
	defs   []*cteDef
	index  map[string][]int32
}

// add appends d and returns the environment in which it is visible.
func (l *cteList) add(d *cteDef) *cteEnv {
	l.defs = append(l.defs, d)
	if l.index == nil && len(l.defs) > cteIndexAbove {
		l.index = make(map[string][]int32, 2*len(l.defs))
		for i, x := range l.defs[:len(l.defs)-1] {
			k := foldName(x.name)
			l.index[k] = append(l.index[k], int32(i))
		}
	}
	if l.index != nil {
		k := foldName(d.name)
		l.index[k] = append(l.index[k], int32(len(l.defs)-1))
	}
	return &cteEnv{defs: l.defs, index: l.index, parent: l.parent}
}

// push returns e extended with the single definition d.
func (e *cteEnv) push(d *cteDef) *cteEnv {
	return &cteEnv{defs: []*cteDef{d}, parent: e}
}

// foldName is the case-insensitive key of a CTE name. CTE names match
// case-insensitively whether quoted or not, as they always have here: a
// CTE spelled "Daily" and read as daily is far more likely the CTE than a
// warehouse table, and reporting it as a table would be the wrong answer.
func foldName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// lookup finds the innermost visible CTE named name; later definitions of
// a name in one list win over earlier ones.
func (e *cteEnv) lookup(name string) (*cteDef, bool) {
	key := ""
	for ; e != nil; e = e.parent {
		if e.index == nil {
			for i := len(e.defs) - 1; i >= 0; i-- {
				if strings.EqualFold(e.defs[i].name, name) {
					return e.defs[i], true
				}
			}
			continue
		}
		if key == "" {
			key = foldName(name)
		}
		pos := e.index[key]
		for i := len(pos) - 1; i >= 0; i-- {
			if int(pos[i]) < len(e.defs) {
				return e.defs[pos[i]], true
			}
		}
	}
	return nil, false
}

// relation is one entry of a FROM clause as the resolver sees it.
type relation struct {
	alias  string   // alias if given
	names  []string // names usable as qualifiers when there is no alias
	parts  []string // name parts of a physical or created table
	known  []outCol // columns known by name (CTE, derived, created, functions)
	table  string   // physical table behind unknown columns, if any
	schema []string // schema columns of table, if the schema knows it
	hasSch bool
	// value relations (UNNEST x, FLATTEN f) answer x.field with their first
	// column: the struct or variant value.
	value bool
	// opaque relations have unknown columns and no physical table (table
	// variables, unsupported table functions).
	opaque bool
	// fn marks relations produced by a table function (UNNEST, explode,
	// FLATTEN): their known columns are certain, so a bare name they define
	// is theirs even beside a schema-less physical table.
	fn bool
	// open relations answer every bare name with lin (BigQuery UNNEST of a
	// struct array without alias exposes the struct's fields).
	open    bool
	openLin lin
	// index maps lower-cased known column names to positions, built on
	// first use for wide relations.
	index map[string]int
}

func (r *relation) matchesQualifier(q []ident) bool {
	last := q[len(q)-1].name
	if r.alias != "" {
		return len(q) == 1 && strings.EqualFold(r.alias, last)
	}
	full := joinIdents(q)
	for _, n := range r.names {
		if strings.EqualFold(n, full) {
			return true
		}
	}
	// A trailing part sequence of a table's name qualifies it too:
	// sch.tbl.col for FROM db.sch.tbl.
	if len(r.parts) > len(q) {
		tail := r.parts[len(r.parts)-len(q):]
		for i := range q {
			if !strings.EqualFold(tail[i], q[i].name) {
				return false
			}
		}
		return true
	}
	return false
}

func joinIdents(q []ident) string {
	if len(q) == 1 {
		return q[0].name
	}
	s := make([]string, len(q))
	for i, p := range q {
		s[i] = p.name
	}
	return strings.Join(s, ".")
}

// column looks up name in the relation. certain is false when the relation
// can only say "maybe" (a physical table without schema).
func (r *relation) column(name string) (l lin, ok bool) {
	if r.open {
		return r.openLin, true
	}
	if c, ok := r.knownCol(name); ok {
		return c.lin, true
	}
	// Columns hidden behind a star over physical tables pass through:
	// one table under the star reads it, several make it ambiguous.
	found := false
	for i := range r.known {
		c := &r.known[i]
		if c.name != "*" || len(c.lin.src) == 0 {
			continue
		}
		groups := c.branches
		if groups == nil {
			groups = [][]Source{c.lin.src}
		}
		for _, g := range groups {
			switch {
			case len(g) == 1:
				l.src = append(l.src, Source{g[0].Table, name})
			case len(g) > 1:
				l.amb = true
				for _, s := range g {
					l.cand = append(l.cand, Source{s.Table, name})
				}
			}
			found = found || len(g) > 0
		}
	}
	if found {
		if l.amb {
			l.cand, l.src = append(l.cand, l.src...), nil
		}
		return l, true
	}
	if r.table != "" {
		if r.hasSch && !containsFold(r.schema, name) {
			return lin{}, false
		}
		return lin{src: []Source{{r.table, name}}}, true
	}
	return lin{}, false
}

// indexAbove is the size from which name lookups switch from a linear scan
// to a map, so very wide relations and select lists stay linear overall.
const indexAbove = 32

// knownCol finds a known column (not a "*" placeholder) by name.
func (r *relation) knownCol(name string) (*outCol, bool) {
	if len(r.known) > indexAbove {
		if r.index == nil {
			r.index = make(map[string]int, len(r.known))
			for i := len(r.known) - 1; i >= 0; i-- {
				if r.known[i].name != "*" {
					r.index[strings.ToLower(r.known[i].name)] = i
				}
			}
		}
		i, ok := r.index[strings.ToLower(name)]
		if !ok {
			return nil, false
		}
		return &r.known[i], true
	}
	for i := range r.known {
		if c := &r.known[i]; c.name != "*" && strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return nil, false
}

// alias returns the lineage of an earlier select-list alias.
func (s *scope) alias(name string) (lin, bool) {
	if len(s.aliases) > indexAbove {
		if s.aliasIdx == nil {
			s.aliasIdx = map[string]int{}
		}
		for ; s.indexed < len(s.aliases); s.indexed++ {
			k := strings.ToLower(s.aliases[s.indexed].name)
			if _, dup := s.aliasIdx[k]; !dup {
				s.aliasIdx[k] = s.indexed
			}
		}
		if i, ok := s.aliasIdx[strings.ToLower(name)]; ok {
			return s.aliases[i].lin, true
		}
		return lin{}, false
	}
	for _, a := range s.aliases {
		if strings.EqualFold(a.name, name) {
			return a.lin, true
		}
	}
	return lin{}, false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// scope is the set of relations visible to one SELECT, chained to the
// enclosing query's scope for correlated references.
type scope struct {
	rels    []*relation
	parent  *scope
	env     *cteEnv
	aliases []outCol // explicit select-list aliases seen so far
	windows map[string][]expr
	// winDepth guards against WINDOW definitions that refer to each other
	// in a cycle.
	winDepth int
	// aliasIdx indexes aliases[:indexed] by lower-cased name once the list
	// is long.
	aliasIdx map[string]int
	indexed  int
	// joins are the USING and NATURAL joins among rels, innermost first.
	joins []*joinCols
	// hierarchy marks a CONNECT BY query, whose pseudo-columns (LEVEL,
	// CONNECT_BY_ISLEAF, CONNECT_BY_ISCYCLE) read no column.
	hierarchy bool
}

// joinCols is a USING or NATURAL join: the relations it joins, in FROM
// order, the first left of them on its left side.
type joinCols struct {
	using   []string
	natural bool
	rels    []*relation
	left    int
}

// joinColumn resolves name as the join column of a USING or NATURAL join
// in s, per docs/lineage.md: it reads that column of the leftmost relation
// of the join that has it, and is never ambiguous.
func (s *scope) joinColumn(name string) (lin, bool) {
	for i := len(s.joins) - 1; i >= 0; i-- {
		jc := s.joins[i]
		if containsFold(jc.using, name) {
			// USING requires the column on the left side: its leftmost
			// relation that can have it is the one read.
			for _, rel := range jc.rels[:jc.left] {
				if l, ok := rel.column(name); ok {
					return l, true
				}
			}
			continue
		}
		if !jc.natural {
			continue
		}
		// NATURAL joins match the columns both sides have. Whichever way
		// the name matches, the leftmost relation having it is read; that
		// is certain only when no relation before a certain one, or after
		// the single possible one, might have it too.
		for k, rel := range jc.rels {
			l, ok := rel.column(name)
			if !ok {
				continue
			}
			if rel.certainlyHas(name) {
				return l, true
			}
			for _, later := range jc.rels[k+1:] {
				if _, ok := later.column(name); ok {
					return lin{}, false
				}
			}
			return l, true
		}
	}
	return lin{}, false
}

// certainlyHas reports whether the relation's columns are known to include
// name (a CTE, derived or created table, or a table the schema lists).
func (r *relation) certainlyHas(name string) bool {
	if r.open {
		return false
	}
	if _, ok := r.knownCol(name); ok {
		return true
	}
	return r.hasSch && containsFold(r.schema, name)
}

type resolver struct {
	a       *analyzer
	lambdas []string
}

func (r *resolver) tick() { r.a.lim.tick() }

// ctes resolves a WITH list into an environment on top of env.
func (r *resolver) ctes(list []*cte, env *cteEnv, outer *scope) *cteEnv {
	return r.ctesRec(list, false, env, outer)
}

func (r *resolver) ctesRec(list []*cte, recursive bool, env *cteEnv, outer *scope) *cteEnv {
	if len(list) == 0 {
		return env
	}
	cl := &cteList{parent: env, defs: make([]*cteDef, 0, len(list))}
	for _, c := range list {
		var cols []outCol
		// T-SQL and Snowflake have no (or an optional) RECURSIVE keyword: a
		// set operation whose later branch reads the CTE's own name recurses.
		rec := recursive
		if !rec && (r.a.d.name == TSQL || r.a.d.name == Snowflake) {
			if s, ok := c.q.(*setQuery); ok && queryReads(s.right, c.name.name) {
				rec = true
			}
		}
		if rec {
			// The anchor branch fixes the columns; the recursive branch may
			// then refer to the CTE itself.
			anchor := c.q
			for {
				if s, ok := anchor.(*setQuery); ok {
					anchor = s.left
					continue
				}
				break
			}
			if anchor != c.q {
				cols = renameCols(r.query(anchor, env, outer), c.cols, r.a.d)
				self := env.push(&cteDef{name: c.name.name, cols: cols})
				cols = r.query(c.q, self, outer)
			} else {
				cols = r.query(c.q, env, outer)
			}
		} else {
			// Inside its own non-recursive body the name means the table.
			cols = r.query(c.q, env, outer)
		}
		cols = renameCols(cols, c.cols, r.a.d)
		env = cl.add(&cteDef{name: c.name.name, cols: cols})
	}
	return env
}

// renameCols applies an explicit column list.
func renameCols(cols []outCol, names []ident, d *dialect) []outCol {
	if len(names) == 0 {
		return cols
	}
	out := make([]outCol, 0, len(names))
	for i, n := range names {
		c := outCol{name: d.foldIdent(n)}
		if i < len(cols) {
			c.lin = cols[i].lin
		}
		out = append(out, c)
	}
	if len(cols) > len(names) {
		out = append(out, cols[len(names):]...)
	}
	return out
}

// foldIdent returns the name a dialect reports for an identifier.
func (d *dialect) foldIdent(id ident) string {
	if id.quoted && !d.foldQuoted {
		return id.name
	}
	switch d.fold {
	case caseUpper:
		return strings.ToUpper(id.name)
	case caseLower:
		return strings.ToLower(id.name)
	}
	return id.name
}

// query resolves a query and returns its output columns.
func (r *resolver) query(q query, env *cteEnv, outer *scope) []outCol {
	r.tick()
	switch x := q.(type) {
	case *withQuery:
		env = r.ctesRec(x.ctes, x.recursive, env, outer)
		return r.query(x.body, env, outer)
	case *selectQuery:
		return r.selectQ(x, env, outer)
	case *setQuery:
		// Walk left-deep chains iteratively so a UNION of thousands of
		// SELECTs does not recurse thousands deep.
		var rights []*setQuery
		cur := q
		for {
			s, ok := cur.(*setQuery)
			if !ok {
				break
			}
			rights = append(rights, s)
			cur = s.left
		}
		first := r.query(cur, env, outer)
		// Accumulate into fresh slices: branch results may share backing
		// arrays with CTE columns, which must not be modified.
		out := make([]outCol, len(first))
		for j, c := range first {
			out[j] = outCol{name: c.name, lin: lin{
				src:   append([]Source(nil), c.lin.src...),
				cand:  append([]Source(nil), c.lin.cand...),
				amb:   c.lin.amb,
				unres: append([]string(nil), c.lin.unres...),
			}}
			if c.name == "*" {
				out[j].branches = starGroups(c)
			}
		}
		for i := len(rights) - 1; i >= 0; i-- {
			s := rights[i]
			rc := r.query(s.right, env, outer)
			for j := range out {
				if j < len(rc) {
					o := &out[j].lin
					o.src = append(o.src, rc[j].lin.src...)
					o.cand = append(o.cand, rc[j].lin.cand...)
					o.amb = o.amb || rc[j].lin.amb
					o.unres = append(o.unres, rc[j].lin.unres...)
					if out[j].name == "*" && rc[j].name == "*" {
						out[j].branches = append(out[j].branches, starGroups(rc[j])...)
					}
				}
			}
			sc := &scope{parent: outer, env: env}
			for _, e := range s.other {
				r.visit(sc, e, false)
			}
		}
		for j := range out {
			out[j].lin = r.compact(out[j].lin)
		}
		return out
	case *parenQuery:
		out := r.query(x.q, env, outer)
		sc := &scope{parent: outer, env: env}
		for _, e := range x.other {
			r.visit(sc, e, false)
		}
		return out
	case *valuesQuery:
		return r.values(x, env, outer, nil)
	}
	return nil
}

func (r *resolver) values(v *valuesQuery, env *cteEnv, outer *scope, names []ident) []outCol {
	sc := &scope{parent: outer, env: env}
	width := 0
	for _, row := range v.rows {
		if len(row) > width {
			width = len(row)
		}
	}
	out := make([]outCol, width)
	for i := range out {
		out[i].name = r.a.d.valuesColName(i)
	}
	for _, row := range v.rows {
		for i, e := range row {
			out[i].lin = out[i].lin.union(r.visit(sc, e, true))
		}
	}
	return renameCols(out, names, r.a.d)
}

// valuesColName is the default name of VALUES column i.
func (d *dialect) valuesColName(i int) string {
	switch d.name {
	case Trino:
		return "_col" + strconv.Itoa(i)
	case MySQL:
		return "column_" + strconv.Itoa(i)
	case Databricks:
		return "col" + strconv.Itoa(i+1)
	case Snowflake:
		return "COLUMN" + strconv.Itoa(i+1)
	}
	return "column" + strconv.Itoa(i+1)
}

func (r *resolver) selectQ(sel *selectQuery, env *cteEnv, outer *scope) []outCol {
	sc := &scope{parent: outer, env: env, hierarchy: sel.hierarchy}
	for _, f := range sel.from {
		r.addFrom(sc, f, env)
	}
	for _, lv := range sel.lateral {
		l := lin{}
		for _, e := range lv.fn.args {
			l = l.union(r.visit(sc, e, true))
		}
		rel := &relation{value: true, fn: true}
		if lv.alias != nil {
			rel.alias = lv.alias.name
		}
		// Spark's default names: col, or pos/col, key/value for the
		// position and map forms.
		cols := lv.cols
		if len(cols) == 0 {
			cols = []ident{{name: "col"}}
			if fixed, ok := fixedFuncCols[lv.fn.name]; ok {
				cols = nil
				for _, c := range fixed {
					cols = append(cols, ident{name: c})
				}
			}
		}
		for _, c := range cols {
			rel.known = append(rel.known, outCol{name: r.a.d.foldIdent(c), lin: l})
		}
		sc.rels = append(sc.rels, rel)
	}
	sc.windows = sel.windows
	for _, w := range sel.windows {
		for _, e := range w {
			r.visit(sc, e, false)
		}
	}
	if sel.where != nil {
		r.visit(sc, sel.where, false)
	}
	for _, e := range sel.other {
		r.visit(sc, e, false)
	}
	out := make([]outCol, 0, len(sel.items))
	unnamed := 0
	for _, it := range sel.items {
		if it.star != nil {
			out = append(out, r.expandStar(sc, it.star)...)
			continue
		}
		l := r.compact(r.visit(sc, it.e, true))
		// Positional names count output columns, including expanded stars.
		name := r.itemName(it, len(out), &unnamed)
		out = append(out, outCol{name: name, lin: l})
		if it.alias != nil {
			sc.aliases = append(sc.aliases, outCol{name: it.alias.name, lin: l})
		}
		// Every column a generator produces reads its argument.
		for i := 1; i < len(it.aliases); i++ {
			out = append(out, outCol{name: r.a.d.foldIdent(it.aliases[i]), lin: l})
			sc.aliases = append(sc.aliases, outCol{name: it.aliases[i].name, lin: l})
		}
	}
	return out
}

// itemName applies the dialect's naming rules to a select item.
func (r *resolver) itemName(it *selectItem, pos int, unnamed *int) string {
	d := r.a.d
	if it.alias != nil {
		return d.foldIdent(*it.alias)
	}
	if c, ok := it.e.(*colRef); ok {
		return d.foldIdent(c.parts[len(c.parts)-1])
	}
	switch d.unnamed {
	case unnamedPostgres:
		return pgName(it.e)
	case unnamedSnowflake:
		// A staged file's positional column keeps its bare name: t.$1 → $1.
		if k := strings.LastIndex(it.text, ".$"); k >= 0 && isPositional(it.text[k+1:]) {
			return it.text[k+1:]
		}
		return snowflakeText(it.text)
	case unnamedBigQuery:
		n := "f" + strconv.Itoa(*unnamed) + "_"
		*unnamed++
		return n
	case unnamedTrino:
		return "_col" + strconv.Itoa(pos)
	}
	return strings.TrimSpace(it.text)
}

// isPositional reports $1, $2, … .
func isPositional(s string) bool {
	if len(s) < 2 || s[0] != '$' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// pgName follows Postgres's FigureColname for the common cases.
func pgName(e expr) string {
	switch x := e.(type) {
	case *colRef:
		return strings.ToLower(x.parts[len(x.parts)-1].name)
	case *funcCall:
		return x.name
	case *castExpr:
		// Postgres keeps a strong inner name (a column, a function) and
		// otherwise names the cast after its type ('1'::int → int4).
		if _, weak := x.e.(*caseExpr); !weak {
			if n := pgName(x.e); n != "?column?" {
				return n
			}
		}
		if x.typ != "" {
			return x.typ
		}
	case *litExpr:
		if x.name != "" {
			return x.name
		}
	case *caseExpr:
		return "case"
	case *subqueryExpr:
		// EXISTS (…) is "exists"; a scalar subquery takes its column's name.
		if x.exists {
			return "exists"
		}
		if sel := firstSelect(x.q); sel != nil && len(sel.items) == 1 && sel.items[0].star == nil {
			if a := sel.items[0].alias; a != nil {
				if a.quoted {
					return a.name
				}
				return strings.ToLower(a.name)
			}
			return pgName(sel.items[0].e)
		}
	}
	return "?column?"
}

// snowflakeText names an unaliased expression as Snowflake does: the text
// upper-cased outside quotes, each run of white space one space, and no
// space after "(" or before ")" and "," (ROW_NUMBER() OVER (ORDER BY X)).
func snowflakeText(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			pendingSpace = true
			continue
		}
		if pendingSpace && last != '(' && c != ')' && c != ',' {
			b.WriteByte(' ')
		}
		pendingSpace = false
		if c == '\'' || c == '"' {
			j, err := scanQuoted(s, i, c, false)
			if err != nil {
				j = len(s)
			}
			if c == '"' {
				// A quoted identifier keeps its case.
				b.WriteString(s[i:j])
			} else {
				// String literals are upper-cased like the rest of the text
				// (Snowflake names date_trunc('month', d) DATE_TRUNC('MONTH', D)).
				b.WriteString(strings.ToUpper(s[i:j]))
			}
			i = j - 1
			last = c
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}

// expandStar expands * or qual.* over the relations in scope.
func (r *resolver) expandStar(sc *scope, st *starExpr) []outCol {
	var rels []*relation
	if len(st.qual) == 0 {
		rels = sc.rels
	} else {
		for s := sc; s != nil && len(rels) == 0; s = s.parent {
			for _, rel := range s.rels {
				if rel.matchesQualifier(st.qual) {
					rels = append(rels, rel)
					break
				}
			}
		}
		if len(rels) == 0 {
			return []outCol{{name: "*", lin: lin{unres: []string{joinIdents(st.qual) + ".*"}}}}
		}
	}
	per := make([][]outCol, len(rels))
	for i, rel := range rels {
		per[i] = relStar(rel)
	}
	if len(st.qual) == 0 && len(sc.joins) > 0 {
		coalesceJoins(sc, per)
	}
	var out []outCol
	for _, cols := range per {
		out = append(out, cols...)
	}
	if len(st.except) > 0 {
		kept := out[:0:0]
		for _, c := range out {
			drop := false
			for _, e := range st.except {
				if c.name != "*" && strings.EqualFold(c.name, e.name) {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	// Several stars over physical tables (directly or through derived
	// tables) collapse into the first "*" column.
	first := -1
	for i := 0; i < len(out); i++ {
		if out[i].name != "*" {
			continue
		}
		if first < 0 {
			first = i
			continue
		}
		out[first].lin = out[first].lin.union(out[i].lin).compact()
		out[first].branches = nil
		out = append(out[:i:i], out[i+1:]...)
		i--
	}
	if st.ilike != nil {
		kept := out[:0:0]
		for _, c := range out {
			if c.name == "*" || likeFold(*st.ilike, c.name) {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	for _, rp := range st.replace {
		l := r.visit(sc, rp.e, true)
		for i := range out {
			if strings.EqualFold(out[i].name, rp.alias.name) {
				out[i].lin = l
			}
		}
	}
	for _, rn := range st.rename {
		for i := range out {
			if strings.EqualFold(out[i].name, rn[0].name) {
				out[i].name = r.a.d.foldIdent(rn[1])
			}
		}
	}
	return out
}

// relStar returns the columns * covers in one relation. A physical table
// without a schema gives a "*" column naming it; several of those collapse
// into the first afterwards.
func relStar(rel *relation) []outCol {
	switch {
	case rel.table != "" && rel.hasSch:
		out := append([]outCol(nil), rel.known...)
		for _, c := range rel.schema {
			out = append(out, outCol{name: c, lin: lin{src: []Source{{rel.table, c}}}})
		}
		return out
	case rel.table != "":
		// Unknown pass-through columns come first (PIVOT over a table).
		return append([]outCol{{name: "*", lin: lin{src: []Source{{rel.table, "*"}}}}}, rel.known...)
	case rel.opaque:
		// Columns of table variables and unknown table functions are
		// not known: say so rather than dropping them silently.
		return append(append([]outCol(nil), rel.known...), outCol{name: "*", lin: lin{unres: []string{"* over " + strings.Join(rel.names, ".")}}})
	}
	return rel.known
}

// coalesceJoins applies USING and NATURAL joins to the per-relation star
// columns of sc.rels, as the databases do for an unqualified *: each join
// column appears once, first, read from the leftmost relation that has it,
// followed by the other columns of the left side, then of the right side.
// A NATURAL join over a relation whose columns are unknown is left as is.
func coalesceJoins(sc *scope, per [][]outCol) {
	index := make(map[*relation]int, len(sc.rels))
	for i, rel := range sc.rels {
		index[rel] = i
	}
	for _, jc := range sc.joins {
		lo, ok := index[jc.rels[0]]
		if !ok || lo+len(jc.rels) > len(per) {
			continue
		}
		mid, hi := lo+jc.left, lo+len(jc.rels)
		var left, right []outCol
		for _, cols := range per[lo:mid] {
			left = append(left, cols...)
		}
		for _, cols := range per[mid:hi] {
			right = append(right, cols...)
		}
		names := jc.using
		if jc.natural {
			names = nil
			if hasStarCol(left) || hasStarCol(right) {
				continue
			}
			for _, c := range left {
				if findCol(right, c.name) >= 0 && !containsFold(names, c.name) {
					names = append(names, c.name)
				}
			}
		}
		merged := make([]outCol, 0, len(left)+len(right))
		for _, n := range names {
			if k := findCol(left, n); k >= 0 {
				merged = append(merged, left[k])
			} else if k := findCol(right, n); k >= 0 {
				merged = append(merged, right[k])
			}
		}
		for _, side := range [2][]outCol{left, right} {
			for _, c := range side {
				if c.name == "*" || !containsFold(names, c.name) {
					merged = append(merged, c)
				}
			}
		}
		per[lo] = merged
		for i := lo + 1; i < hi; i++ {
			per[i] = nil
		}
	}
}

func hasStarCol(cols []outCol) bool { return findCol(cols, "*") >= 0 }

// findCol returns the position of the first column named name, or -1.
func findCol(cols []outCol, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.name, name) {
			return i
		}
	}
	return -1
}

// starGroups returns the per-branch table groups of a "*" column.
func starGroups(c outCol) [][]Source {
	if c.branches != nil {
		return append([][]Source(nil), c.branches...)
	}
	return [][]Source{append([]Source(nil), c.lin.src...)}
}

// isValues reports a (parenthesized) VALUES list: its column names are
// declared by the FROM item itself, so they win over physical tables with
// unknown columns.
func isValues(q query) bool {
	for {
		switch x := q.(type) {
		case *valuesQuery:
			return true
		case *parenQuery:
			q = x.q
		default:
			return false
		}
	}
}

// addFrom adds the relations of one FROM item to sc.
func (r *resolver) addFrom(sc *scope, t tableExpr, env *cteEnv) {
	r.tick()
	switch x := t.(type) {
	case *tableRef:
		// BigQuery and Redshift (SUPER) unnest an array column written as a
		// path from an earlier FROM item: FROM t, t.items AS item.
		if (r.a.d.name == BigQuery || r.a.d.name == Redshift) && len(x.parts) >= 2 {
			for _, rel := range sc.rels {
				if rel.matchesQualifier(x.parts[:1]) {
					ref := &colRef{parts: x.parts}
					sc.rels = append(sc.rels, r.funcRel(sc, &tableFunc{name: "unnest", args: []expr{ref}, alias: x.alias, cols: x.cols}))
					return
				}
			}
		}
		sc.rels = append(sc.rels, r.tableRel(x, env))
		for _, e := range x.extra {
			r.visit(sc, e, false)
		}
	case *derivedTable:
		// The derived table may refer to earlier FROM items (LATERAL).
		cols := r.query(x.q, env, sc)
		rel := &relation{known: renameCols(cols, x.cols, r.a.d), fn: isValues(x.q)}
		if x.alias != nil {
			rel.alias = x.alias.name
		}
		sc.rels = append(sc.rels, rel)
	case *tableFunc:
		sc.rels = append(sc.rels, r.funcRel(sc, x))
	case *joinExpr:
		lo := len(sc.rels)
		r.addFrom(sc, x.left, env)
		mid := len(sc.rels)
		r.addFrom(sc, x.right, env)
		if x.on != nil {
			r.visit(sc, x.on, false)
		}
		if len(x.using) > 0 || x.natural {
			jc := &joinCols{natural: x.natural, rels: sc.rels[lo:len(sc.rels):len(sc.rels)], left: mid - lo}
			for _, u := range x.using {
				jc.using = append(jc.using, u.name)
			}
			sc.joins = append(sc.joins, jc)
		}
	case *valuesTable:
		// A VALUES list declares its own column names, which win over
		// physical tables with unknown columns (docs/lineage.md).
		rel := &relation{known: r.values(x.v, env, sc, x.cols), fn: true}
		if x.alias != nil {
			rel.alias = x.alias.name
		}
		sc.rels = append(sc.rels, rel)
	case *pivotTable:
		sc.rels = append(sc.rels, r.pivotRel(sc, x, env))
	case *opaqueTable:
		// The tables inside are read; the columns out are unknown.
		inner := &scope{parent: sc.parent, env: env}
		r.addFrom(inner, x.src, env)
		for _, e := range x.subs {
			r.visit(inner, e, false)
		}
		rel := &relation{opaque: true, names: []string{x.what}}
		if x.alias != nil {
			rel.alias = x.alias.name
		} else if len(inner.rels) == 1 {
			rel.names = inner.rels[0].names
			rel.parts = inner.rels[0].parts
		}
		sc.rels = append(sc.rels, rel)
	}
}

// tableRel resolves a named relation to a CTE, a created table or a
// physical table.
func (r *resolver) tableRel(t *tableRef, env *cteEnv) *relation {
	rel := &relation{}
	if t.alias != nil {
		rel.alias = t.alias.name
	}
	last := t.parts[len(t.parts)-1]
	if len(t.parts) == 1 {
		if c, ok := env.lookup(last.name); ok {
			rel.names = []string{c.name}
			rel.known = renameCols(c.cols, t.cols, r.a.d)
			rel.opaque = c.opaque
			return rel
		}
	}
	if cols, ok := r.a.createdTable(t.parts); ok {
		rel.names = []string{joinIdents(t.parts), last.name}
		rel.parts = identNames(t.parts)
		rel.known = renameCols(cols, t.cols, r.a.d)
		return rel
	}
	if strings.HasPrefix(last.name, "@") && !last.quoted {
		// T-SQL table variable: declared in the text, not a warehouse table.
		rel.names = []string{last.name}
		rel.opaque = true
		return rel
	}
	name := r.a.addTable(t.parts)
	rel.table = name
	rel.names = []string{name, last.name}
	rel.parts = identNames(t.parts)
	if r.a.schema != nil {
		if cols, ok := r.a.schema.Columns(name); ok {
			rel.schema, rel.hasSch = cols, true
		}
	}
	if len(t.cols) > 0 {
		// Column aliases over a table: positional only with a schema.
		for i, c := range t.cols {
			oc := outCol{name: r.a.d.foldIdent(c)}
			if rel.hasSch && i < len(rel.schema) {
				oc.lin = lin{src: []Source{{name, rel.schema[i]}}}
			} else {
				oc.lin = lin{unres: []string{c.name}}
			}
			rel.known = append(rel.known, oc)
		}
		rel.table = ""
	}
	return rel
}

// funcRel builds the relation produced by a table function.
func (r *resolver) funcRel(sc *scope, f *tableFunc) *relation {
	l := lin{}
	for _, e := range f.args {
		l = l.union(r.visit(sc, e, true))
	}
	rel := &relation{value: true, fn: true}
	if f.alias != nil {
		rel.alias = f.alias.name
	}
	d := r.a.d
	if d.name == BigQuery && f.name == "unnest" && f.alias == nil && len(f.cols) == 0 {
		rel.open, rel.openLin = true, l
	}
	add := func(name string, l lin) { rel.known = append(rel.known, outCol{name: name, lin: l}) }
	if fixed, ok := fixedFuncCols[f.name]; ok && len(f.cols) == 0 {
		// Functions with documented output columns (FLATTEN, json_each, …).
		for _, c := range fixed {
			add(d.foldIdent(ident{name: c}), l)
		}
		rel.value = false
		rel.names = []string{f.name}
		return rel
	}
	_, scalar := scalarTableFuncs[f.name]
	switch {
	case f.stage:
		// Positional columns of staged files ($1, $1:field) are literals to
		// the parser; any other name is a file column, not a table's.
		rel.opaque, rel.value = true, false
		rel.names = []string{"stage"}
		return rel
	case f.name == "string_split" && len(f.cols) == 0 && r.a.d.name == TSQL:
		// T-SQL STRING_SPLIT returns value, and ordinal when its third
		// argument asks for it.
		add("value", l)
		if len(f.args) == 3 {
			add("ordinal", l)
		}
	case len(f.cols) > 0 && f.name == "unnest" && len(f.args) > 1:
		// UNNEST(a, b) AS u(x, y): x reads a, y reads b; an extra name is
		// the ordinality column, which reads them all.
		for i, c := range f.cols {
			if i < len(f.args) {
				add(d.foldIdent(c), r.visit(sc, f.args[i], true))
			} else {
				add(d.foldIdent(c), l)
			}
		}
	case len(f.cols) > 0:
		for _, c := range f.cols {
			add(d.foldIdent(c), l)
		}
	case f.name == "flatten" || f.name == "split_to_table":
		// Renamed FLATTEN columns were handled above only without a list.
	case !scalar:
		// Unknown table functions (RESULT_SCAN, GENERATOR, …) have unknown
		// output columns; they read only their arguments.
		rel.opaque, rel.value = true, false
	case f.alias != nil:
		// BigQuery UNNEST(arr) AS x and Postgres generate_series(…) AS g name
		// the value column after the alias.
		add(d.foldIdent(*f.alias), l)
	default:
		add(d.foldIdent(ident{name: f.name}), l)
	}
	// Position columns read the array they number.
	if f.withOrd && len(f.cols) == 0 {
		add(d.foldIdent(ident{name: "ordinality"}), l)
	}
	if f.ordinal != nil {
		add(d.foldIdent(*f.ordinal), l)
	}
	rel.names = []string{f.name}
	return rel
}

// fixedFuncCols are table functions whose output columns are fixed.
var fixedFuncCols = map[string][]string{
	"flatten":          {"SEQ", "KEY", "PATH", "INDEX", "VALUE", "THIS"},
	"split_to_table":   {"SEQ", "INDEX", "VALUE"},
	"openjson":         {"key", "value", "type"},
	"json_each":        {"key", "value"},
	"jsonb_each":       {"key", "value"},
	"json_each_text":   {"key", "value"},
	"jsonb_each_text":  {"key", "value"},
	"posexplode":       {"pos", "col"},
	"posexplode_outer": {"pos", "col"},
}

// scalarTableFuncs return one value column named after the alias (or the
// function) when no column list is given.
var scalarTableFuncs = map[string]struct{}{
	"unnest": {}, "explode": {}, "explode_outer": {}, "generate_series": {}, "generate_array": {},
	"generate_date_array": {}, "generate_timestamp_array": {}, "sequence": {}, "range": {},
	"json_array_elements": {}, "jsonb_array_elements": {}, "json_array_elements_text": {},
	"jsonb_array_elements_text": {}, "regexp_split_to_table": {}, "string_split": {}, "inline": {},
	"inline_outer": {}, "json_table": {}, "jsonb_object_keys": {}, "json_object_keys": {},
}

// pivotRel builds the relation produced by PIVOT/UNPIVOT.
func (r *resolver) pivotRel(sc *scope, pv *pivotTable, env *cteEnv) *relation {
	inner := &scope{parent: sc.parent, env: env}
	r.addFrom(inner, pv.src, env)
	rel := &relation{}
	if pv.alias != nil {
		rel.alias = pv.alias.name
	}
	var src *relation
	if len(inner.rels) == 1 {
		src = inner.rels[0]
	}
	d := r.a.d
	// Columns consumed by the pivot are not passed through.
	consumed := map[string]bool{}
	mark := func(e expr) {
		walkCols(e, func(c *colRef) { consumed[strings.ToLower(c.parts[len(c.parts)-1].name)] = true })
	}
	var extra []outCol
	if pv.unpivot {
		// Value column i reads element i of every IN tuple (BigQuery
		// UNPIVOT ((a, b) FOR q IN ((a1, b1), (a2, b2)))); a single value
		// column reads every IN column.
		vls := make([]lin, len(pv.valCols))
		for _, it := range pv.in {
			mark(it.e)
			if tup, ok := it.e.(*opExpr); ok && len(pv.valCols) > 1 && len(tup.kids) == len(pv.valCols) {
				for i, k := range tup.kids {
					vls[i] = vls[i].union(r.visit(inner, k, true))
				}
				continue
			}
			l := r.visit(inner, it.e, true)
			for i := range vls {
				vls[i] = vls[i].union(l)
			}
		}
		for _, n := range pv.nameCol {
			extra = append(extra, outCol{name: d.foldIdent(n)})
		}
		for i, v := range pv.valCols {
			extra = append(extra, outCol{name: d.foldIdent(v), lin: vls[i].compact()})
		}
	} else {
		al := lin{}
		for _, a := range pv.aggs {
			mark(a.e)
			al = al.union(r.visit(inner, a.e, true))
		}
		// Each pivoted value also depends on the FOR column that selects it.
		fl := lin{}
		for _, f := range pv.forCol {
			mark(f)
			fl = fl.union(r.visit(inner, f, true))
		}
		al = al.union(fl).compact()
		for _, it := range pv.in {
			name := ""
			if it.alias != nil {
				name = d.foldIdent(*it.alias)
			} else if c, ok := it.e.(*colRef); ok && len(c.parts) == 1 {
				// T-SQL IN ([2024], [2025]) names columns by identifier.
				name = d.foldIdent(c.parts[0])
			} else {
				name = strings.TrimSpace(it.text)
				if len(name) >= 2 && (name[0] == '\'' || name[0] == '"') {
					// Snowflake keeps the quotes; others use the value.
					if d.name != Snowflake {
						name = name[1 : len(name)-1]
					}
				}
			}
			if len(pv.aggs) > 1 || (d.name == BigQuery && pv.aggs[0].alias != nil) {
				// One column per aggregate: BigQuery names it alias_value,
				// the others value_alias.
				for _, a := range pv.aggs {
					cn := name
					if a.alias != nil {
						if d.name == BigQuery {
							cn = d.foldIdent(*a.alias) + "_" + name
						} else {
							cn = name + "_" + d.foldIdent(*a.alias)
						}
					}
					extra = append(extra, outCol{name: cn, lin: r.visit(inner, a.e, true).union(fl).compact()})
				}
				continue
			}
			extra = append(extra, outCol{name: name, lin: al})
		}
	}
	switch {
	case src == nil:
		rel.opaque = true
	case src.table != "" && !src.hasSch:
		rel.table = src.table
	default:
		for _, c := range src.known {
			if !consumed[strings.ToLower(c.name)] {
				rel.known = append(rel.known, c)
			}
		}
		if src.hasSch {
			for _, c := range src.schema {
				if !consumed[strings.ToLower(c)] {
					rel.known = append(rel.known, outCol{name: c, lin: lin{src: []Source{{src.table, c}}}})
				}
			}
		}
	}
	if pv.anyIn && !pv.unpivot {
		if src != nil && src.table != "" {
			rel.table = src.table
		}
		r.a.warn(confSkipped, "PIVOT with a dynamic IN list: output columns are unknown")
	}
	rel.known = append(rel.known, extra...)
	rel.known = renameCols(rel.known, pv.cols, d)
	if src != nil && rel.alias == "" {
		rel.names = src.names
	}
	return rel
}

// walkCols calls fn for every column reference in e (not in subqueries).
func walkCols(e expr, fn func(*colRef)) {
	switch x := e.(type) {
	case *colRef:
		fn(x)
	case *funcCall:
		for _, k := range x.kids {
			walkCols(k, fn)
		}
	case *opExpr:
		for _, k := range x.kids {
			walkCols(k, fn)
		}
	case *caseExpr:
		for _, k := range x.kids {
			walkCols(k, fn)
		}
	case *castExpr:
		walkCols(x.e, fn)
	case *lambdaExpr:
		walkCols(x.body, fn)
	}
}

// visit returns the lineage of e when collect is set; either way it
// resolves the subqueries inside e so the tables they read are recorded.
func (r *resolver) visit(sc *scope, e expr, collect bool) lin {
	r.tick()
	switch x := e.(type) {
	case *colRef:
		if collect {
			return r.column(sc, x)
		}
	case *funcCall:
		return r.visitAll(sc, x.kids, collect)
	case *opExpr:
		return r.visitAll(sc, x.kids, collect)
	case *caseExpr:
		return r.visitAll(sc, x.kids, collect)
	case *castExpr:
		return r.visit(sc, x.e, collect)
	case *windowRef:
		// A named window counts like the inline OVER (…) it stands for.
		w, ok := sc.windows[x.name]
		if !ok || sc.winDepth > 8 {
			return lin{}
		}
		sc.winDepth++
		l := r.visitAll(sc, w, collect)
		sc.winDepth--
		return l
	case *lambdaExpr:
		n := len(r.lambdas)
		r.lambdas = append(r.lambdas, x.params...)
		l := r.visit(sc, x.body, collect)
		r.lambdas = r.lambdas[:n]
		return l
	case *subqueryExpr:
		cols := r.query(x.q, sc.env, sc)
		if !collect {
			return lin{}
		}
		// EXISTS (…), IN (SELECT …) and scalar subqueries used as values
		// read what their own select list reads (docs/lineage.md).

		var acc linAcc
		for _, c := range cols {
			acc.add(c.lin)
		}
		return acc.l
	}
	return lin{}
}

// visitAll visits every expression and combines their lineage.
func (r *resolver) visitAll(sc *scope, es []expr, collect bool) lin {
	var acc linAcc
	for _, e := range es {
		acc.add(r.visit(sc, e, collect))
	}
	return acc.l
}

// visitQ visits e for tables only.
func (r *resolver) visitQ(sc *scope, e expr, env *cteEnv) {
	sc.env = env
	r.visit(sc, e, false)
}

// column resolves a column reference per docs/lineage.md.
func (r *resolver) column(sc *scope, c *colRef) lin {
	parts := c.parts
	if len(parts) == 1 || !parts[0].quoted && len(r.lambdas) > 0 {
		for _, p := range r.lambdas {
			if strings.EqualFold(p, parts[0].name) {
				return lin{}
			}
		}
	}
	if len(parts) > 1 {
		// Longest qualifier first: db.schema.table.col, then struct fields.
		for k := len(parts) - 1; k >= 1; k-- {
			q := parts[:k]
			for s := sc; s != nil; s = s.parent {
				for _, rel := range s.rels {
					if !rel.matchesQualifier(q) {
						continue
					}
					if l, ok := rel.column(parts[k].name); ok {
						return l
					}
					if rel.value && len(rel.known) > 0 {
						return rel.known[0].lin
					}
					if rel.opaque {
						return lin{}
					}
					if rel.table != "" {
						// An explicit qualifier beats a schema that does
						// not list the column (schemas go stale).
						return lin{src: []Source{{rel.table, parts[k].name}}}
					}
					return lin{unres: []string{joinIdents(parts)}}
				}
			}
		}
		// No relation matches: in dialects with struct navigation the first
		// part is a column; elsewhere the qualifier is simply unknown.
		if !r.a.d.structDot {
			return lin{unres: []string{joinIdents(parts)}}
		}
	}
	return r.bare(sc, parts[0].name, joinIdents(parts))
}

// bare resolves an unqualified column name.
func (r *resolver) bare(sc *scope, name, written string) lin {
	if r.a.d.name == Snowflake && len(name) > 9 && strings.EqualFold(name[:9], "metadata$") {
		// METADATA$FILENAME and friends describe staged files or streams.
		return lin{}
	}
	if r.a.d.name == Generic && (strings.EqualFold(name, "rownum") || strings.EqualFold(name, "rowid")) {
		// Oracle pseudo-columns (Oracle runs as the generic dialect).
		if _, ok := sc.alias(name); !ok {
			return lin{}
		}
	}
	if sc.hierarchy && (strings.EqualFold(name, "level") || strings.EqualFold(name, "connect_by_isleaf") ||
		strings.EqualFold(name, "connect_by_iscycle")) {
		if _, ok := sc.alias(name); !ok {
			return lin{}
		}
	}
	// Lateral alias reference to an earlier select item, unless a relation
	// with known columns has a real column of that name.
	if a, ok := sc.alias(name); ok {
		real := false
		for _, rel := range sc.rels {
			if _, found := rel.knownCol(name); found || rel.hasSch && containsFold(rel.schema, name) {
				real = true
				break
			}
		}
		if !real {
			return a
		}
	}
	for s := sc; s != nil; s = s.parent {
		if len(s.joins) > 0 {
			if l, ok := s.joinColumn(name); ok {
				return l
			}
		}
		var found, fnFound []lin
		physical := 0
		for _, rel := range s.rels {
			if rel.table != "" {
				physical++
			}
			if l, ok := rel.column(name); ok {
				found = append(found, l)
				if rel.fn {
					fnFound = append(fnFound, l)
				}
			}
		}
		switch {
		case len(found) == 1:
			return found[0]
		case len(fnFound) == 1:
			return fnFound[0]
		case len(found) > 1:
			out := lin{amb: true}
			for _, f := range found {
				out.cand = append(out.cand, f.src...)
				out.cand = append(out.cand, f.cand...)
			}
			return out
		}
		if physical == 1 && s == sc {
			for _, rel := range s.rels {
				if rel.table != "" {
					return lin{src: []Source{{rel.table, name}}}
				}
			}
		}
	}
	// Correlated names and functions without parentheses land here.
	return lin{unres: []string{written}}
}

// describeUnresolved formats the unresolved names of a column.
func describeUnresolved(l lin) string {
	return strings.Join(sortedUnique(l.unres), ", ")
}

func sortedUnique(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}

// queryReads reports whether q's FROM clauses (at any depth) name table.
func queryReads(q query, table string) bool {
	switch x := q.(type) {
	case *withQuery:
		return queryReads(x.body, table)
	case *setQuery:
		return queryReads(x.left, table) || queryReads(x.right, table)
	case *parenQuery:
		return queryReads(x.q, table)
	case *selectQuery:
		for _, f := range x.from {
			if fromReads(f, table) {
				return true
			}
		}
	}
	return false
}

func fromReads(t tableExpr, table string) bool {
	switch x := t.(type) {
	case *tableRef:
		return len(x.parts) == 1 && strings.EqualFold(x.parts[0].name, table)
	case *joinExpr:
		return fromReads(x.left, table) || fromReads(x.right, table)
	case *derivedTable:
		return queryReads(x.q, table)
	case *pivotTable:
		return fromReads(x.src, table)
	}
	return false
}

func identNames(ids []ident) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.name
	}
	return out
}

// likeFold matches s against a SQL LIKE pattern (% and _), ignoring case.
func likeFold(pattern, s string) bool {
	p, t := strings.ToLower(pattern), strings.ToLower(s)
	// Iterative wildcard matching with backtracking to the last %.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '_' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}
