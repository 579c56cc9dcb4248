package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/crawl"
	"github.com/modecrawl/modecrawl/internal/modeapi"
)

// Exit codes. They are documented in --help (EXIT STATUS) and README.md.
const (
	ExitOK          = 0   // the crawl was complete
	ExitFailure     = 1   // an unexpected error (disk full, bug, …)
	ExitUsage       = 2   // bad flags, arguments or configuration
	ExitAuth        = 3   // Mode (or the Discovery Database) refused the credentials
	ExitPartial     = 4   // output written, but some items failed: see manifest.json errors
	ExitInterrupted = 130 // interrupted (Ctrl-C, SIGTERM); no output set was replaced
)

const exitStatusHelp = `EXIT STATUS
  0    complete: every item the token can see was written
  1    unexpected failure (for example the output directory is not writable)
  2    usage or configuration error (bad flag, missing token/secret/workspace, bad regex)
  3    authentication or authorization failure (wrong or expired token, no access to the
       workspace, unknown workspace slug)
  4    partial: output written, failed items are listed in manifest.json "errors" (this
       includes a configured Discovery Database that could not be opened)
  130  interrupted; the previous output set, if any, is left untouched`

const verifyExitStatusHelp = `EXIT STATUS
  0    every check passed
  1    a check failed for another reason (a listing answered 5xx, Mode unreachable)
  2    usage or configuration error
  3    authentication or authorization failure: wrong or expired token, unknown workspace slug,
       a collection the token may not read, or the Discovery Database refused the login
  130  interrupted`

const demoExitStatusHelp = `EXIT STATUS
  0    the demo crawl completed
  1    unexpected failure (for example the output directory is not writable)
  130  interrupted`

const lineageExitStatusHelp = `EXIT STATUS
  0    lineage printed (problems in a query are warnings in the output, never an exit code;
       in batch mode a bad input line gets an output line with a warning)
  1    the input could not be read or the output could not be written
  2    usage error (bad flag, missing --dialect, unreadable --definitions/--schema file)
  130  interrupted`

// usageError marks bad flags or arguments.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// errPartial is returned by commands whose output was written with failed items.
var errPartial = errors.New("some items could not be read; they are listed in manifest.json under \"errors\"")

// authError marks an authentication or authorization failure that is not
// a Mode 401/403 (the Discovery Database refusing a password, a workspace
// slug the token cannot see), with a hint for the user.
type authError struct {
	err  error
	hint string
}

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code and a hint for the user.
// It is the only place that does so.
func exitCode(err error) (int, string) {
	if err == nil {
		return ExitOK, ""
	}
	var (
		uerr *usageError
		cerr *config.Error
		aerr *authError
		api  *modeapi.APIError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return ExitInterrupted, ""
	case errors.As(err, &uerr):
		return ExitUsage, "run with --help for usage"
	case errors.As(err, &cerr):
		return ExitUsage, "see README.md#configuration for every key and its environment variable"
	case errors.Is(err, errPartial):
		return ExitPartial, ""
	case errors.As(err, &aerr):
		return ExitAuth, aerr.hint
	case errors.As(err, &api) && modeapi.IsAuth(err):
		return ExitAuth, authHint(api.StatusCode)
	case errors.Is(err, crawl.ErrAuth):
		status := http.StatusUnauthorized
		if errors.As(err, &api) {
			status = api.StatusCode
		}
		return ExitAuth, authHint(status)
	}
	return ExitFailure, ""
}

func authHint(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "Mode rejected the token: check MODECRAWL_TOKEN (Key ID) and MODECRAWL_SECRET; API tokens can expire, create a new one under Workspace Settings > API Keys"
	case http.StatusForbidden:
		return "the token is valid but may not read this workspace: use a workspace API token (recommended), or grant the member token's user access"
	case http.StatusNotFound:
		return "no workspace of that slug is visible to this token: check --workspace (the name after app.mode.com/ in your browser)"
	}
	return fmt.Sprintf("Mode answered HTTP %d", status)
}
