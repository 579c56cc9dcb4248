package modeapi

import (
	"fmt"
	"net/url"
	"strings"
)

// resolve turns a reference into an API URL on the configured site. Mode's
// links come in several shapes and all are accepted:
//
//	/api/acme/collections/abc   API path (most _links)
//	/acme/reports/abc           site-relative web path → /api/acme/reports/abc
//	https://app.mode.com/api/x  absolute (only path and query are kept)
//	api/jdoe, jdoe              relative → /api/jdoe
//
// An absolute href is re-rooted on the configured site on purpose: the Basic
// credentials must never follow a link to another host.
func (c *Client) resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return nil, fmt.Errorf("parse reference %q: %w", ref, err)
	}
	p := u.EscapedPath()
	if prefix := c.site.EscapedPath(); prefix != "" && (u.IsAbs() || u.Host != "") {
		// A full URL of our own site: drop the site's path prefix.
		p = strings.TrimPrefix(p, prefix)
	} else if prefix != "" && strings.HasPrefix(p, prefix+"/") {
		p = strings.TrimPrefix(p, prefix)
	}
	switch {
	case p == "/api" || strings.HasPrefix(p, "/api/"):
	case strings.HasPrefix(p, "api/"):
		p = "/" + p
	case strings.HasPrefix(p, "/"):
		p = "/api" + p
	default:
		p = "/api/" + p
	}
	out, err := url.Parse(c.site.String() + p)
	if err != nil {
		return nil, fmt.Errorf("parse reference %q: %w", ref, err)
	}
	out.RawQuery = u.RawQuery
	return out, nil
}

// refToken returns the token named by ref, which is either a bare token or
// an href such as "/api/acme/collections/abc/reports". kinds are the path
// words that precede the token ("spaces", "collections"): Mode's links say
// "collections" where the documented paths say "spaces".
func refToken(ref string, kinds ...string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", fmt.Errorf("empty %s reference", kinds[0])
	}
	if !strings.Contains(ref, "/") {
		return ref, nil
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("parse %s reference %q: %w", kinds[0], ref, err)
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(segs) - 2; i >= 0; i-- {
		for _, k := range kinds {
			if segs[i] == k && segs[i+1] != "" {
				return segs[i+1], nil
			}
		}
	}
	return "", fmt.Errorf("no %s token in reference %q", kinds[0], ref)
}

// apiPath joins escaped path segments under /api.
func apiPath(segs ...string) string {
	var b strings.Builder
	b.WriteString("/api")
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
