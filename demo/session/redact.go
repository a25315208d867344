package session

import (
	"fmt"
	"log/slog"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
)

// String never prints the tokens.
func (p ProviderTokens) String() string {
	return fmt.Sprintf("ProviderTokens{user=%q grant=%s expiry=%s restricted=%t access_token=%s refresh_token=%s}",
		p.UserID, p.Grant, p.Expiry.Format("2006-01-02T15:04:05Z07:00"), p.Restricted, redact.Redacted, redact.Redacted)
}

// GoString covers %#v.
func (p ProviderTokens) GoString() string { return p.String() }

// LogValue logs the metadata only.
func (p ProviderTokens) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user_id", p.UserID), slog.String("grant", p.Grant),
		slog.Time("expiry", p.Expiry), slog.Bool("restricted", p.Restricted),
	)
}

// String never prints the state or the verifier.
func (p PendingAuthorization) String() string {
	return fmt.Sprintf("PendingAuthorization{return_to=%q created=%s state=%s verifier=%s}",
		p.ReturnTo, p.Created.Format("2006-01-02T15:04:05Z07:00"), redact.Redacted, redact.Redacted)
}

// GoString covers %#v.
func (p PendingAuthorization) GoString() string { return p.String() }

// LogValue logs the metadata only.
func (p PendingAuthorization) LogValue() slog.Value {
	return slog.GroupValue(slog.String("return_to", p.ReturnTo), slog.Time("created", p.Created))
}
