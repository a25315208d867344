package descriptor

import (
	"fmt"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// fault builds errors for one format: a malformed request descriptor is the
// caller's mistake (InvalidArgument) while a malformed response envelope is
// the server's (BadResponse). Both name the format in the message.
type fault struct {
	code    sberr.Code // code for malformed input
	subject string     // "request descriptor" or "response envelope"
}

var (
	requestFault  = fault{sberr.InvalidArgument, "request descriptor"}
	responseFault = fault{sberr.BadResponse, "response envelope"}
	// encoding a Response is the caller's mistake, not the server's
	responseEncodeFault = fault{sberr.InvalidArgument, "response envelope"}
)

// bad reports malformed input.
func (f fault) bad(format string, args ...any) error {
	return sberr.New(f.code, "%s: %s", f.subject, fmt.Sprintf(format, args...))
}

// tooLarge reports input over a size limit; it has its own code whatever
// the format, so that callers can tell "fix the data" from "raise a limit".
func (f fault) tooLarge(format string, args ...any) error {
	return sberr.New(sberr.PayloadTooLarge, "%s: %s", f.subject, fmt.Sprintf(format, args...))
}

// short quotes s for an error message, cut so that a hostile key cannot
// flood logs. It is used for keys and header names only, never for values,
// which may hold secrets.
func short(s string) string {
	const limit = 40
	if len(s) > limit {
		return fmt.Sprintf("%q...", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
