package fakesnowflake

import (
	"compress/gzip"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Request is one HTTP request the server received, as Requests reports it.
type Request struct {
	Method string
	Path   string
	// SQL is the statement text of a query request, as sent.
	SQL string
	// Translated is SQL after Translate, as SQLite ran it.
	Translated string
	// Bindings are the bind values of a query request, in position order,
	// after conversion to SQLite values.
	Bindings []any
	// Success is false when the server answered with an error.
	Success bool
	// Code is Snowflake's error code for a failed request.
	Code string
}

// serverOptions are the knobs of NewServer.
type serverOptions struct {
	user, password string
	publicKey      *rsa.PublicKey
	database       string
	schema         string
}

// Option configures a Server.
type Option func(*serverOptions)

// WithCredentials makes the server accept only this user and password
// (user names compare case-insensitively, as Snowflake's do). Without it,
// any password login succeeds.
func WithCredentials(user, password string) Option {
	return func(o *serverOptions) { o.user, o.password = user, password }
}

// WithPublicKey accepts key-pair (SNOWFLAKE_JWT) logins whose JWT is
// signed by the private half of key.
func WithPublicKey(key *rsa.PublicKey) Option {
	return func(o *serverOptions) { o.publicKey = key }
}

// WithNames sets the database and schema names the server reports in its
// INFORMATION_SCHEMA views and session info (default MODE and
// ORGANIZATION_USAGE).
func WithNames(database, schema string) Option {
	return func(o *serverOptions) { o.database, o.schema = database, schema }
}

// Server is a fake Snowflake endpoint over an embedded SQLite database.
type Server struct {
	db   *sql.DB
	opts serverOptions
	srv  *httptest.Server

	// mu guards sessions, requests, nextID and viewsReady.
	mu         sync.Mutex
	sessions   map[string]bool
	requests   []Request
	nextID     int64
	viewsReady bool
}

// NewServer starts a fake Snowflake endpoint on 127.0.0.1 (plain HTTP) that
// executes queries on db. Connect gosnowflake to it with Protocol "http",
// Host() and Port(). Close it when done; db stays open.
func NewServer(db *sql.DB, opts ...Option) *Server {
	o := serverOptions{database: "MODE", schema: "ORGANIZATION_USAGE"}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{db: db, opts: o, sessions: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /session/v1/login-request", s.handleLogin)
	mux.HandleFunc("POST /queries/v1/query-request", s.handleQuery)
	mux.HandleFunc("POST /queries/v1/abort-request", s.handleOK)
	mux.HandleFunc("POST /telemetry/send", s.handleOK)
	mux.HandleFunc("POST /session/heartbeat", s.handleOK)
	mux.HandleFunc("POST /session/token-request", s.handleRenew)
	mux.HandleFunc("POST /session", s.handleSession)
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.URL }

// Host is the server's host (127.0.0.1).
func (s *Server) Host() string {
	u, _ := url.Parse(s.srv.URL)
	return u.Hostname()
}

// Port is the server's TCP port.
func (s *Server) Port() int {
	u, _ := url.Parse(s.srv.URL)
	_, p, _ := net.SplitHostPort(u.Host)
	n, _ := strconv.Atoi(p)
	return n
}

// Close shuts the server down. It does not close the database.
func (s *Server) Close() { s.srv.Close() }

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// QueryRequests returns only the query requests (statements) received.
func (s *Server) QueryRequests() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Path == "/queries/v1/query-request" {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// envelope is Snowflake's response shape for every endpoint.
type envelope struct {
	Data    any     `json:"data"`
	Code    *string `json:"code"`
	Message *string `json:"message"`
	Success bool    `json:"success"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code, msg string, data any) {
	writeJSON(w, envelope{Data: data, Code: &code, Message: &msg})
}

// readBody decodes a JSON request body, gunzipping when the client says so.
func readBody(r *http.Request, v any) error {
	var body io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return fmt.Errorf("gunzip request: %w", err)
		}
		defer zr.Close()
		body = zr
	}
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("decode request: %w", err)
	}
	return nil
}

type loginRequest struct {
	Data struct {
		LoginName     string `json:"LOGIN_NAME"`
		Password      string `json:"PASSWORD"`
		Authenticator string `json:"AUTHENTICATOR"`
		Token         string `json:"TOKEN"`
		AccountName   string `json:"ACCOUNT_NAME"`
	} `json:"data"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path}
	var req loginRequest
	if err := readBody(r, &req); err != nil {
		rec.Code = "390100"
		s.record(rec)
		writeError(w, rec.Code, err.Error(), nil)
		return
	}
	if !s.authenticate(req) {
		// Snowflake's answer to a bad password: HTTP 200, success false.
		rec.Code = "390100"
		s.record(rec)
		writeError(w, rec.Code, "Incorrect username or password was specified.", nil)
		return
	}
	s.mu.Lock()
	s.nextID++
	id := s.nextID
	token := fmt.Sprintf("fake-session-%d", id)
	s.sessions[token] = true
	s.mu.Unlock()
	rec.Success = true
	s.record(rec)
	q := r.URL.Query()
	writeJSON(w, envelope{Success: true, Data: map[string]any{
		"token":                   token,
		"validityInSeconds":       3600,
		"masterToken":             "fake-master-" + strconv.FormatInt(id, 10),
		"masterValidityInSeconds": 14400,
		"displayUserName":         req.Data.LoginName,
		"serverVersion":           "fakesnowflake",
		"firstLogin":              false,
		"sessionId":               id,
		"parameters":              []any{},
		"sessionInfo": map[string]string{
			"databaseName":  firstNonEmpty(q.Get("databaseName"), s.opts.database),
			"schemaName":    firstNonEmpty(q.Get("schemaName"), s.opts.schema),
			"warehouseName": q.Get("warehouse"),
			"roleName":      q.Get("roleName"),
		},
	}})
}

// authenticate checks a login against the configured credentials.
func (s *Server) authenticate(req loginRequest) bool {
	d := req.Data
	if strings.EqualFold(d.Authenticator, "SNOWFLAKE_JWT") {
		if s.opts.publicKey == nil {
			return false
		}
		return verifyJWT(d.Token, s.opts.publicKey, s.opts.user, d.LoginName)
	}
	if s.opts.user == "" && s.opts.password == "" {
		return d.Password != ""
	}
	return strings.EqualFold(d.LoginName, s.opts.user) &&
		subtle.ConstantTimeCompare([]byte(d.Password), []byte(s.opts.password)) == 1
}

// verifyJWT checks an RS256 JWT's signature and that its subject names the
// expected user ("ACCOUNT.USER").
func verifyJWT(token string, key *rsa.PublicKey, wantUser, loginName string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	user := wantUser
	if user == "" {
		user = loginName
	}
	_, subUser, ok := strings.Cut(claims.Sub, ".")
	return ok && strings.EqualFold(subUser, user)
}

func (s *Server) handleOK(w http.ResponseWriter, r *http.Request) {
	s.record(Request{Method: r.Method, Path: r.URL.Path, Success: true})
	writeJSON(w, envelope{Success: true, Data: map[string]any{}})
}

func (s *Server) handleRenew(w http.ResponseWriter, r *http.Request) {
	s.record(Request{Method: r.Method, Path: r.URL.Path, Success: true})
	var body struct {
		OldSessionToken string `json:"oldSessionToken"`
	}
	_ = readBody(r, &body)
	writeJSON(w, envelope{Success: true, Data: map[string]any{
		"sessionToken": body.OldSessionToken, "validityInSecondsST": 3600,
		"masterToken": "fake-master", "validityInSecondsMT": 14400,
	}})
}

// handleSession serves POST /session?delete=true, the driver's logout.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("delete") == "true" {
		if tok, ok := sessionToken(r); ok {
			s.mu.Lock()
			delete(s.sessions, tok)
			s.mu.Unlock()
		}
	}
	s.handleOK(w, r)
}

// sessionToken extracts the token of `Authorization: Snowflake Token="x"`.
func sessionToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = `Snowflake Token="`
	if !strings.HasPrefix(h, prefix) || !strings.HasSuffix(h, `"`) {
		return "", false
	}
	return h[len(prefix) : len(h)-1], true
}

type bindValue struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type queryRequest struct {
	SQLText  string               `json:"sqlText"`
	Bindings map[string]bindValue `json:"bindings"`
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path}
	defer func() { s.record(rec) }()
	tok, ok := sessionToken(r)
	s.mu.Lock()
	ok = ok && s.sessions[tok]
	s.mu.Unlock()
	if !ok {
		rec.Code = "390104"
		writeError(w, rec.Code, "User must login again to access the service.", nil)
		return
	}
	var req queryRequest
	if err := readBody(r, &req); err != nil {
		rec.Code = "001003"
		writeError(w, rec.Code, "SQL compilation error: "+err.Error(), map[string]string{"sqlState": "42000"})
		return
	}
	rec.SQL = req.SQLText
	args, err := convertBindings(req.Bindings)
	if err != nil {
		rec.Code = "002049"
		writeError(w, rec.Code, err.Error(), map[string]string{"sqlState": "22000"})
		return
	}
	rec.Bindings = args
	rec.Translated = Translate(req.SQLText)
	if strings.Contains(rec.Translated, `"INFORMATION_SCHEMA_`) {
		if err := s.ensureInfoSchema(r); err != nil {
			rec.Code = "000603"
			writeError(w, rec.Code, "SQL execution internal error: "+err.Error(), nil)
			return
		}
	}
	res, err := s.run(r, rec.Translated, args)
	if err != nil {
		code, state, msg := snowflakeError(err)
		rec.Code = code
		writeError(w, code, msg, map[string]string{"sqlState": state, "queryId": s.queryID()})
		return
	}
	res["queryId"] = s.queryID()
	rec.Success = true
	writeJSON(w, envelope{Success: true, Data: res})
}

func (s *Server) queryID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return fmt.Sprintf("01fake00-0000-0000-0000-%012d", s.nextID)
}

// convertBindings turns Snowflake's positional bindings ("1", "2", …) into
// SQLite arguments. Timestamps become TimeFormat text, like stored values.
func convertBindings(b map[string]bindValue) ([]any, error) {
	keys := make([]int, 0, len(b))
	for k := range b {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("named binding %q is not supported", k)
		}
		keys = append(keys, n)
	}
	sort.Ints(keys)
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		v := b[strconv.Itoa(k)]
		a, err := bindToSQLite(v)
		if err != nil {
			return nil, fmt.Errorf("binding %d: %w", k, err)
		}
		args = append(args, a)
	}
	return args, nil
}

func bindToSQLite(v bindValue) (any, error) {
	if v.Value == nil {
		return nil, nil
	}
	str, ok := v.Value.(string)
	if !ok {
		// Array binds and structured values are outside modecrawl's needs.
		return nil, fmt.Errorf("unsupported %s binding value %T", v.Type, v.Value)
	}
	switch strings.ToUpper(v.Type) {
	case "FIXED":
		return strconv.ParseInt(str, 10, 64)
	case "REAL":
		return strconv.ParseFloat(str, 64)
	case "BOOLEAN":
		b, err := strconv.ParseBool(str)
		if err != nil {
			return nil, fmt.Errorf("parse boolean: %w", err)
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	case "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
		// "<nanoseconds since epoch>[ <offset minutes + 1440>]"; the
		// instant is absolute, and storage is UTC.
		nanos, _, _ := strings.Cut(str, " ")
		t, err := parseEpochNanos(nanos)
		if err != nil {
			return nil, err
		}
		return FormatTime(t), nil
	case "DATE":
		ms, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse date: %w", err)
		}
		return FormatTime(unixMilli(ms)), nil
	default:
		return str, nil
	}
}
