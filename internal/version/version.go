// Package version holds modecrawl's build version, set with -ldflags at build time.
package version

// Version is the modecrawl version; the Makefile sets it from git describe.
var Version = "dev"

// UserAgent is the User-Agent modecrawl sends to Mode.
func UserAgent() string { return "modecrawl/" + Version + " (+https://github.com/modecrawl/modecrawl)" }
