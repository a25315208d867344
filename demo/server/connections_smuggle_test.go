package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConnectionsRefuseSmuggledCleartext(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	sealed := sealWith(t, sandboxKey(t, e.srv), "x")
	for name, body := range map[string]string{
		"duplicate member":  `{"id_connector":59,"password":"hunter2-canary","password":` + q(sealed) + `}`,
		"escaped duplicate": `{"id_connector":59,"password":"hunter2-canary","passwor\u0064":` + q(sealed) + `}`,
		"trailing data":     `{"id_connector":59,"password":"hunter2-canary"} x`,
		"two objects":       `{"id_connector":59,"password":"hunter2-canary"}{}`,
		"array of objects":  `[{"id_connector":59,"password":"hunter2-canary"}]`,
		"dots only":         `{"id_connector":59,"password":"hunter2-canary.x.y.z.w"}`,
		"dots and spaces":   `{"id_connector":59,"password":"my pass. is. secret. ok. ."}`,
	} {
		t.Run(name, func(t *testing.T) {
			res, b := e.post(connections, []byte(body), func(r *http.Request) { e.sameOrigin(r, cookie) })
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Equal(t, "invalid_argument", apiErr(t, res, b).Code)
			assert.NotContains(t, string(b), "hunter2")
		})
	}
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts(), "no cleartext reached the provider")
}
