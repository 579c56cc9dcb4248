package lineage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/osteele/liquid"
	"github.com/osteele/liquid/values"
	"github.com/osteele/tuesday"
	"gopkg.in/yaml.v3"
)

// formBlock matches one {% form %}…{% endform %} block, case-insensitively
// and non-greedily: a query may carry several blocks, and a greedy match
// (as one peer uses) would delete the SQL between them.
var formBlock = regexp.MustCompile(`(?is)\{%-?\s*form\s*-?%\}(.*?)\{%-?\s*endform\s*-?%\}`)

// Liquid tag patterns used for the undefined-variable scan and the fallback.
var (
	liquidOutput = regexp.MustCompile(`(?s)\{\{-?\s*(.*?)\s*-?\}\}`)
	liquidTag    = regexp.MustCompile(`(?s)\{%.*?%\}`)
	// liquidAssigned and liquidRootVar document (and, in tests, check) the
	// byte scans of undefinedVariables.
	liquidAssigned = regexp.MustCompile(`\{%-?\s*(?:assign|capture|for|cycle|increment|decrement)\s+([A-Za-z_][\w-]*)`)
	liquidRootVar  = regexp.MustCompile(`^([A-Za-z_][\w-]*)`)
	liquidRange    = regexp.MustCompile(`\(\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\)`)
	liquidVerbatim = regexp.MustCompile(`(?is)\{%-?\s*(raw|comment)\s*-?%\}.*?\{%-?\s*end(raw|comment)\s*-?%\}`)
	liquidOpenTag  = regexp.MustCompile(`\{[{%][^\n]*`)
)

// maxLiquidRange is the largest literal for-loop range rendered; a bigger
// one is treated as a render failure so one query can't stall a crawl.
const maxLiquidRange = 10000

// liquidKeywords are Liquid literals that look like variables.
var liquidKeywords = map[string]bool{"true": true, "false": true, "nil": true, "null": true, "empty": true, "blank": true}

// liquidOperators are words the Liquid expression scanner reads as
// operators, not variables; {{ and }} is a Liquid syntax error.
var liquidOperators = map[string]bool{"and": true, "or": true, "contains": true, "in": true}

// Param is one parameter of a {% form %} block.
type Param struct {
	Name    string
	Type    string
	Default any
	// HasDefault is false when the form gave no default.
	HasDefault bool
	Options    []any
}

// renderer renders Mode templates. It holds only the run's clock, so it is
// cheap to create per query and safe for concurrent use.
type renderer struct {
	now func() time.Time
	// liquidOnly disables the simple-output fast path, so tests can check
	// that both paths render the same SQL.
	liquidOnly bool
}

func newRenderer(now func() time.Time) *renderer {
	return &renderer{now: now}
}

// pooledEngine is a Liquid engine whose date filter reads the clock of the
// renderer currently holding it.
type pooledEngine struct {
	e   *liquid.Engine
	now func() time.Time
}

// liquidEngines caches Liquid engines across renderers and queries.
// Building an engine registers ~80 filters and tags (about 150 KB of
// allocations), which cost more than rendering a typical report query;
// the standalone Analyze builds a renderer per call, so the cache lives
// here. An engine is not documented as safe for concurrent use, hence a
// pool: each engine serves one render at a time and carries no state
// between renders except the clock, which is set on every checkout.
var liquidEngines = sync.Pool{New: func() any { return newPooledEngine() }}

func newPooledEngine() *pooledEngine {
	pe := &pooledEngine{e: liquid.NewEngine()}
	// Replace the stock date filter: it reads the wall clock for 'now',
	// which would make rendered SQL (and golden files) change every day.
	pe.e.RegisterFilter("date", func(v any, format func(string) string) (string, error) {
		t, err := toTime(v, pe.now)
		if err != nil {
			return "", err
		}
		return tuesday.Strftime(format("%a, %b %d, %y"), t)
	})
	return pe
}

// toTime reads a date filter input; 'now' and 'today' use the injected clock.
func toTime(v any, now func() time.Time) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case nil:
		return time.Time{}, errors.New("date of nil")
	case int:
		return time.Unix(int64(x), 0).UTC(), nil
	case int64:
		return time.Unix(x, 0).UTC(), nil
	case float64:
		return time.Unix(int64(x), 0).UTC(), nil
	}
	s := strings.TrimSpace(fmt.Sprint(v))
	switch strings.ToLower(s) {
	case "now", "today":
		if now == nil {
			return time.Now(), nil
		}
		return now(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return values.ParseDate(s)
}

// render runs Liquid over src with bindings. It never fails: on a Liquid
// error it strips the tags and says so in the warnings.
func (r *renderer) render(ctx context.Context, src string, bindings map[string]any) (out string, warnings []string, fellBack bool) {
	if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") {
		return src, nil, false
	}
	warnings = undefinedVariables(src, bindings)
	if !strings.Contains(src, "..") {
		// No literal loop range: skip the regexp scan of the whole query.
	} else if m := liquidRange.FindAllStringSubmatch(src, -1); m != nil {
		for _, g := range m {
			lo, _ := strconv.Atoi(g[1])
			hi, _ := strconv.Atoi(g[2])
			if hi-lo > maxLiquidRange {
				warnings = append(warnings, fmt.Sprintf("liquid loop range %s..%s too large: tags stripped", g[1], g[2]))
				return stripLiquid(src), warnings, true
			}
		}
	}
	if !r.liquidOnly {
		if out, ok := renderSimple(ctx, src, bindings); ok {
			return out, warnings, false
		}
	}
	out, err := r.renderLiquid(ctx, src, bindings)
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("render liquid: %s: tags stripped", oneLine(err.Error())))
		return stripLiquid(src), warnings, true
	}
	return out, warnings, false
}

func (r *renderer) renderLiquid(ctx context.Context, src string, bindings map[string]any) (out string, err error) {
	pe := liquidEngines.Get().(*pooledEngine)
	pe.now = r.now
	defer func() {
		// osteele/liquid panics on some malformed input; a panic must not
		// lose the query, so it becomes a render error. The engine is not
		// returned to the pool: its state after a panic is unknown.
		if p := recover(); p != nil {
			err = fmt.Errorf("liquid panic: %v", p)
			return
		}
		pe.now = nil
		liquidEngines.Put(pe)
	}()
	tpl, perr := pe.e.ParseString(src)
	if perr != nil {
		return "", perr
	}
	w := &boundedWriter{ctx: ctx, limit: renderLimit(src)}
	if rerr := tpl.FRender(w, liquid.Bindings(bindings)); rerr != nil {
		return "", rerr
	}
	return w.b.String(), nil
}

// renderLimit is the largest rendered output accepted for a template.
func renderLimit(src string) int { return 16*len(src) + 1<<20 }

// renderSimple renders src without the Liquid engine when its only tags are
// plain variable outputs ({{ name }}) of strings, integers or booleans and
// it has no {% %} tags — the shape of most Mode report parameters. Parsing
// a template with osteele/liquid compiles a regular expression and a parser
// per call, which costs more than parsing and resolving the SQL itself.
// ok is false when src needs the real engine; the output is then unused.
// Token boundaries follow the Liquid scanner: the leftmost "{{" starts a
// tag, the first "}}" after it ends it.
func renderSimple(ctx context.Context, src string, bindings map[string]any) (out string, ok bool) {
	if strings.Contains(src, "{%") || ctx.Err() != nil {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(src))
	limit := renderLimit(src)
	for rest := src; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		name, n := simpleOutput(rest[i:])
		if n == 0 || liquidKeywords[name] || liquidOperators[name] {
			return "", false
		}
		switch v := bindings[name].(type) {
		case nil:
			// Undefined: Liquid renders nothing (the warning is given by
			// undefinedVariables). A bound nil also renders nothing.
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case bool:
			b.WriteString(strconv.FormatBool(v))
		default:
			return "", false
		}
		if b.Len() > limit {
			return "", false
		}
		rest = rest[i+n:]
	}
	return b.String(), true
}

// simpleOutput reads "{{ name }}" at the start of s, with any ASCII spaces
// and tabs around a name of letters, digits and underscores, and returns
// the name and the tag's length; n is 0 for anything else (filters,
// whitespace control, dotted or indexed names, line breaks).
func simpleOutput(s string) (name string, n int) {
	i := 2
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	start := i
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || i > start && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == start {
		return "", 0
	}
	name = s[start:i]
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if !strings.HasPrefix(s[i:], "}}") {
		return "", 0
	}
	return name, i + 2
}

// boundedWriter stops a render that grows without bound or outlives the
// query's time limit (Liquid loops can't be interrupted any other way).
type boundedWriter struct {
	ctx   context.Context
	b     strings.Builder
	limit int
}

var errRenderTooLarge = errors.New("rendered SQL too large")

func (w *boundedWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	if w.b.Len()+len(p) > w.limit {
		return 0, errRenderTooLarge
	}
	return w.b.Write(p)
}

// undefinedVariables lists the variables output with {{ }} that are neither
// bound nor assigned in the template. Liquid renders them empty; the
// warning tells the user the SQL may not be what Mode would run.
//
// It scans bytes rather than running regular expressions over the query: on
// a large report the regexp engine cost more than rendering it. The scan
// matches what liquidOutput and liquidAssigned would (the tests check both
// agree).
func undefinedVariables(src string, bindings map[string]any) []string {
	// Text inside raw and comment blocks is not rendered.
	if hasVerbatimTag(src) {
		src = liquidVerbatim.ReplaceAllString(src, "")
	}
	assigned := map[string]bool{"forloop": true, "tablerowloop": true}
	for rest := src; ; {
		i := strings.Index(rest, "{%")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		if name := assignedName(rest); name != "" {
			assigned[name] = true
		}
	}
	var seen map[string]bool
	var warnings []string
	for rest := src; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			break
		}
		body := skipSpace(strings.TrimPrefix(rest[i+2:], "-"))
		j := strings.Index(body, "}}")
		if j < 0 {
			break
		}
		// Like the lazy (.*?) of liquidOutput, the name excludes a trailing
		// "-" (whitespace control) and the whitespace before it.
		inner := strings.TrimRight(strings.TrimSuffix(body[:j], "-"), " \t\n\f\r")
		rest = body[j+2:]
		root := inner[:identLen(inner)]
		if root == "" || liquidKeywords[root] || assigned[root] || seen[root] {
			continue
		}
		if _, ok := bindings[root]; ok {
			continue
		}
		// {{ x | default: 'y' }} is the template saying it knows x may be unset.
		if strings.Contains(inner, "default") {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[root] = true
		warnings = append(warnings, fmt.Sprintf("undefined variable %q rendered as empty", root))
	}
	return warnings
}

// assignTags are the tags that bind a variable (liquidAssigned).
var assignTags = []string{"assign", "capture", "for", "cycle", "increment", "decrement"}

// assignedName reads the variable a tag binds, from the text after "{%":
// "-"?, spaces, an assigning tag name, at least one space, an identifier.
func assignedName(s string) string {
	s = skipSpace(strings.TrimPrefix(s, "-"))
	for _, tag := range assignTags {
		if !strings.HasPrefix(s, tag) {
			continue
		}
		after := s[len(tag):]
		v := skipSpace(after)
		if len(v) == len(after) {
			return "" // "{% format x": no space after the tag name
		}
		return v[:identLen(v)]
	}
	return ""
}

// identLen is the length of the Liquid identifier ([A-Za-z_][\w-]*) at the
// start of s, or 0.
func identLen(s string) int {
	if s == "" || (s[0] != '_' && (s[0] < 'a' || s[0] > 'z') && (s[0] < 'A' || s[0] > 'Z')) {
		return 0
	}
	i := 1
	for i < len(s) && (s[i] == '_' || s[i] == '-' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	return i
}

// skipSpace drops leading RE2 \s characters (\t \n \f \r and space).
func skipSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\f' || s[0] == '\r') {
		s = s[1:]
	}
	return s
}

// hasVerbatimTag reports whether src may hold a {% raw %} or {% comment %}
// tag (any case), so liquidVerbatim only runs when it can match.
func hasVerbatimTag(src string) bool {
	for rest := src; ; {
		i := strings.Index(rest, "{%")
		if i < 0 {
			return false
		}
		rest = rest[i+2:]
		t := skipSpace(strings.TrimPrefix(rest, "-"))
		if len(t) >= 3 && strings.EqualFold(t[:3], "raw") || len(t) >= 7 && strings.EqualFold(t[:7], "comment") {
			return true
		}
	}
}

// stripLiquid is the fallback when Liquid fails: tags are removed and
// outputs become NULL, which keeps most SQL parseable.
func stripLiquid(src string) string {
	src = liquidTag.ReplaceAllString(src, "")
	src = liquidOutput.ReplaceAllString(src, "NULL")
	// An unterminated tag runs to the end of its line.
	return liquidOpenTag.ReplaceAllString(src, "")
}

// extractForms removes every {% form %} block from sql and returns the
// parameters they declare, in order of appearance.
func (r *renderer) extractForms(ctx context.Context, sql string) (rest string, params []Param, warnings []string) {
	if !strings.Contains(strings.ToLower(sql), "form") {
		return sql, nil, nil
	}
	locs := formBlock.FindAllStringSubmatchIndex(sql, -1)
	if locs == nil {
		return sql, nil, nil
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		b.WriteString(sql[last:loc[0]])
		last = loc[1]
		body := sql[loc[2]:loc[3]]
		// Defaults may themselves be Liquid ({{ 'now' | date: '%Y-%m-%d' }}).
		rendered, w, _ := r.render(ctx, body, nil)
		for _, s := range w {
			if !strings.HasPrefix(s, "undefined variable") {
				warnings = append(warnings, "form: "+s)
			}
		}
		p, err := parseForm(rendered)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("parse form: %s: its parameters are ignored", oneLine(err.Error())))
			continue
		}
		params = append(params, p...)
	}
	b.WriteString(sql[last:])
	return b.String(), params, warnings
}

// parseForm reads the YAML of one form block: a mapping from parameter name
// to {type, default, options, …}.
func parseForm(body string) ([]Param, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return nil, fmt.Errorf("read form yaml: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("form is not a mapping of parameters")
	}
	var params []Param
	for i := 0; i+1 < len(root.Content); i += 2 {
		p := Param{Name: root.Content[i].Value}
		spec := root.Content[i+1]
		if spec.Kind != yaml.MappingNode {
			// "name: value" shorthand: the value is the default.
			if v := yamlValue(spec); v != nil {
				p.Default, p.HasDefault = v, true
			}
			params = append(params, p)
			continue
		}
		for j := 0; j+1 < len(spec.Content); j += 2 {
			key, val := strings.ToLower(spec.Content[j].Value), spec.Content[j+1]
			switch key {
			case "type", "input_type":
				if p.Type == "" || key == "type" {
					p.Type = strings.ToLower(val.Value)
				}
			case "default":
				v := yamlValue(val)
				p.Default, p.HasDefault = v, v != nil
			case "options":
				if list, ok := yamlValue(val).([]any); ok {
					p.Options = list
				}
			}
		}
		params = append(params, p)
	}
	return params, nil
}

// yamlValue decodes a YAML node into plain Go values, keeping timestamps as
// the text written: a date default must render as "2024-01-01", not as a
// Go time with a zone.
func yamlValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlValue(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		return yamlValue(n.Alias)
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, c := range n.Content {
			list[i] = yamlValue(c)
		}
		return list
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		return m
	}
	if n.ShortTag() == "!!timestamp" {
		return n.Value
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}

// bindParams turns form parameters and caller overrides into the Liquid
// context. Overrides win; multiselect values are lists so `join` works.
func bindParams(params []Param, overrides map[string]string) (map[string]any, []string) {
	bindings := make(map[string]any, len(params)+len(overrides))
	types := make(map[string]string, len(params))
	var warnings []string
	for _, p := range params {
		types[p.Name] = p.Type
		v, ok := p.Default, p.HasDefault
		if !ok && len(p.Options) > 0 {
			// Mode pre-selects the first option when a select has no
			// default; rendering it keeps the SQL parseable.
			v, ok = optionValue(p.Options[0]), true
			warnings = append(warnings, fmt.Sprintf("parameter %q has no default: first option used", p.Name))
		}
		if !ok {
			warnings = append(warnings, fmt.Sprintf("parameter %q has no default", p.Name))
			continue
		}
		if p.Type == "multiselect" {
			if _, isList := v.([]any); !isList {
				v = []any{v}
			}
		}
		bindings[p.Name] = v
	}
	for k, v := range overrides {
		if types[k] == "multiselect" {
			parts := strings.Split(v, ",")
			list := make([]any, len(parts))
			for i, s := range parts {
				list[i] = strings.TrimSpace(s)
			}
			bindings[k] = list
			continue
		}
		bindings[k] = v
	}
	return bindings, warnings
}

// optionValue reads an option that may be a value or a [label, value] pair.
func optionValue(o any) any {
	if pair, ok := o.([]any); ok && len(pair) == 2 {
		return pair[1]
	}
	return o
}

// RenderResult is the outcome of rendering a Mode query template.
type RenderResult struct {
	SQL             string
	Params          map[string]any
	DefinitionsUsed []string
	Warnings        []string
	// Degraded is true when something was guessed or stripped (an unknown
	// definition or a Liquid failure), so lineage confidence is capped.
	Degraded bool
}

// render runs the template stages in the order Mode applies them:
// definitions, then the form, then Liquid.
func (r *renderer) renderQuery(ctx context.Context, raw string, defs map[string]string, overrides map[string]string) RenderResult {
	var res RenderResult
	e := newDefinitionExpander(defs)
	sql := e.expand(raw, nil)
	res.DefinitionsUsed = e.usedNames()
	res.Warnings = append(res.Warnings, e.warnings...)
	res.Degraded = len(e.warnings) > 0

	sql, params, w := r.extractForms(ctx, sql)
	res.Warnings = append(res.Warnings, w...)
	bindings, w := bindParams(params, overrides)
	res.Warnings = append(res.Warnings, w...)
	if len(bindings) > 0 {
		res.Params = bindings
	}

	sql, w, fellBack := r.render(ctx, sql, bindings)
	res.Warnings = append(res.Warnings, w...)
	res.Degraded = res.Degraded || fellBack
	res.SQL = strings.TrimSpace(sql)
	return res
}

// oneLine keeps warnings on one line; Liquid errors quote source text.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
