package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// GET /v1/invoices/{id} through dispatch: the partner's token reads any
// invoice, exactly as named (the intermediary binds it to the caller).
func TestDispatchInvoice(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	status, env := e.do(t, "GET", "/v1/invoices/inv_1001", nil, "")
	require.Equal(t, http.StatusOK, status)
	var inv Invoice
	require.NoError(t, json.Unmarshal(env.Body, &inv))
	require.Equal(t, "inv_1001", inv.ID)
	require.Equal(t, "cus_demo", inv.CustomerID)

	for _, p := range []string{"/v1/invoices/INV_1001", "/v1/invoices/inv_9999", "/v1/invoices/", "/v1/invoices/inv_1001/x"} {
		status, env := e.do(t, "GET", p, nil, "")
		require.Equal(t, http.StatusNotFound, status, p)
		require.Equal(t, "not_found", qontoErrors(t, env)[0].Code)
	}
	status, env = e.do(t, "PATCH", "/v1/invoices/inv_1001", nil, `{}`)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	require.Equal(t, "GET", env.Headers["allow"])
}
