package intermediary

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// A provider that cannot be reached is a "network" failure in the log,
// whatever the transport's error: a certificate the intermediary does not
// trust (an expired or replaced provider certificate) included.
func TestUnreachableProviderIsANetworkFailure(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake the client refuses
	srv.StartTLS()
	t.Cleanup(srv.Close)
	h, err := newHandler(baseConfig(srv.URL))
	require.NoError(t, err)
	_, f := h.forward(context.Background(), []byte(`{"data":""}`))
	require.NotNil(t, f)
	require.Equal(t, "network", f.kind)
}
