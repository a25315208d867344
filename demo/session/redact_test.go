package session

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
)

const canary = "CANARY-7f3a9c"

func TestRedactHandlerCoversGroupsWithAttrsAndLogValuers(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(redact.NewHandler(slog.NewTextHandler(&buf, nil)))
	log.With("access_token", canary).WithGroup("g").Info("m",
		slog.Group("inner", slog.String("password", canary), slog.String("ok", "visible")),
		"provider", ProviderTokens{AccessToken: canary, RefreshToken: canary, UserID: "u1"},
		"pending", &PendingAuthorization{State: canary, Verifier: canary, ReturnTo: "/x"},
	)
	out := buf.String()
	assert.NotContains(t, out, canary)
	assert.Contains(t, out, "visible")
	assert.Contains(t, out, "u1")
	assert.Contains(t, out, "/x")
}

func TestProviderTokensNeverPrintSecrets(t *testing.T) {
	p := ProviderTokens{AccessToken: canary, RefreshToken: canary, UserID: "u1", Expiry: time.Unix(0, 0)}
	pa := PendingAuthorization{State: canary, Verifier: canary}
	for _, s := range []string{
		fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, p, p, p), fmt.Sprintf("%v %+v %#v", &p, &p, &p),
		fmt.Sprintf("%v %+v %#v", pa, &pa, pa),
	} {
		assert.NotContains(t, s, canary)
	}
}
