//go:build js && wasm

package jsbridge

import (
	"errors"
	"strings"

	"github.com/hack-pad/safejs"
)

// HTTPURL reports whether the platform's URL parser, the one fetch uses,
// reads s as an absolute http: or https: URL with a host and without user
// info (fetch refuses credentials in a URL). Checking with that parser
// rather than Go's means the URL checked is the URL fetched (no two
// parsers to disagree), and the module links no URL parser.
func HTTPURL(s string) bool {
	// The URL parser drops spaces and control characters around a URL
	// (and tabs and line breaks inside it); the client would still join
	// paths to s as given, so such a URL is refused here.
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	ctor, err := safejs.Global().Get("URL")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return false
	}
	u, err := ctor.New(s) // throws a TypeError for what is not a URL
	if err != nil {
		return false
	}
	protocol, err1 := OptionalString(u, "protocol")
	host, err2 := OptionalString(u, "hostname")
	user, err3 := OptionalString(u, "username")
	password, err4 := OptionalString(u, "password")
	return errors.Join(err1, err2, err3, err4) == nil && (protocol == "http:" || protocol == "https:") &&
		host != "" && user == "" && password == ""
}
