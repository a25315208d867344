//go:build js && wasm

package jsbridge

import "github.com/hack-pad/safejs"

// HTTPURL reports whether the platform's URL parser, the one fetch uses,
// reads s as an absolute http: or https: URL with a host and without
// user info. Checking with
// that parser rather than Go's means the URL checked is the URL fetched
// (no two parsers to disagree), and the module links no URL parser.
func HTTPURL(s string) bool {
	ctor, err := safejs.Global().Get("URL")
	if err != nil || ctor.Type() != safejs.TypeFunction {
		return false
	}
	u, err := ctor.New(s) // throws a TypeError for what is not a URL
	if err != nil {
		return false
	}
	protocol, err := stringField(u, "protocol")
	if err != nil || (protocol != "http:" && protocol != "https:") {
		return false
	}
	host, err := stringField(u, "hostname")
	if err != nil || host == "" {
		return false
	}
	// fetch refuses a URL with credentials in it.
	user, err := stringField(u, "username")
	if err != nil || user != "" {
		return false
	}
	password, err := stringField(u, "password")
	return err == nil && password == ""
}

func stringField(v safejs.Value, name string) (string, error) {
	f, err := v.Get(name)
	if err != nil {
		return "", err
	}
	return f.String()
}
