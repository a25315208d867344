package intermediary

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// Mounted alone, with the integrator's own logger, the intermediary still
// writes through the redacting handler: a token under a sensitive key is
// masked.
func TestIntegratorLoggerIsRedacted(t *testing.T) {
	var buf bytes.Buffer
	h, err := newHandler(Config{ProviderURL: "https://provider.test", Token: func(context.Context) (string, error) { return "", nil },
		Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	require.NoError(t, err)
	h.log.Info("probe", "access_token", "sbx_at_logger-canary")
	require.NotContains(t, buf.String(), "sbx_at_logger-canary")
	require.Contains(t, buf.String(), `"msg":"probe"`)
}
