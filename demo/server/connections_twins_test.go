package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// twinBodies are connection bodies where a member that a reader could take
// for "login" or "password" is in clear, beside or instead of the sealed
// one: case variants, every Unicode simple-folding variant of each letter
// (ſ for s among them), names holding a lone surrogate (what a JavaScript
// "a\uD800" key becomes in JSON) and names that are not UTF-8.
func twinBodies(sealed string) map[string]string {
	bodies := map[string]string{
		"case variant beside the sealed one": `{"id_connector":59,"password":` + q(sealed) + `,"Password":"hunter2-canary"}`,
		"case variant alone":                 `{"id_connector":59,"PASSWORD":"hunter2-canary"}`,
		"long s, escaped":                    `{"id_connector":59,"password":` + q(sealed) + `,"pa\u017f\u017fword":"hunter2-canary"}`,
		"lone high surrogate":                `{"id_connector":59,"password\ud800":"hunter2-canary","password":` + q(sealed) + `}`,
		"lone low surrogate":                 `{"id_connector":59,"login\udc00":"hunter2-canary"}`,
		"not UTF-8":                          "{\"id_connector\":59,\"pass\xffword\":\"hunter2-canary\",\"password\":" + q(sealed) + "}",
		"lone surrogate in the value":        `{"id_connector":59,"password":"hunter2-canary\ud800"}`,
	}
	for _, name := range []string{"login", "password"} {
		for i, r := range []rune(name) {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				twin := []rune(name)
				twin[i] = f
				bodies["fold variant "+string(twin)] = `{"id_connector":59,"` + name + `":` + q(sealed) + `,"` + string(twin) + `":"hunter2-canary"}`
				bodies["fold variant alone "+string(twin)] = `{"id_connector":59,"` + string(twin) + `":"hunter2-canary"}`
			}
		}
	}
	return bodies
}

// Issue class "a sealed field can leave a cleartext twin", server side:
// /api/connections refuses every such body with 400 invalid_argument, and
// the provider is never called.
func TestConnectionsRefuseTwinsOfSealedFields(t *testing.T) {
	e := newEnv(t)
	cookie := e.session()
	sealed := sealWith(t, sandboxKey(t, e.srv), "x")
	bodies := twinBodies(sealed)
	require.Greater(t, len(bodies), 30)
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			res, b := e.post(connections, []byte(body), func(r *http.Request) { e.sameOrigin(r, cookie) })
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Equal(t, "invalid_argument", apiErr(t, res, b).Code)
			assert.NotContains(t, string(b), "hunter2")
		})
	}
	assert.Zero(t, e.srv.Sandbox.ConnectionAttempts(), "no cleartext twin reached the provider")
}

// The provider side agrees: the sandbox treats a name that folds to a
// sensitive field as that field, so a twin sent straight to it is refused
// as cleartext, not stored.
func TestSandboxTreatsFoldedNamesAsSensitive(t *testing.T) {
	e := newEnv(t)
	sealed := sealWith(t, sandboxKey(t, e.srv), "x")
	for _, body := range []string{
		`{"id_connector":59,"login":` + q(sealed) + `,"Password":"hunter2-canary"}`,
		`{"id_connector":59,"login":` + q(sealed) + `,"paſſword":"hunter2-canary"}`,
	} {
		res, b := e.providerPost(t, body)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", b)
		assert.Contains(t, string(b), "cleartext_field")
	}
	assert.Empty(t, e.srv.Sandbox.Connections())
}

// providerPost sends body straight to the sandbox's connections endpoint
// with the server's own provider token, bypassing the dev server's check.
func (e *env) providerPost(t *testing.T, body string) (*http.Response, []byte) {
	t.Helper()
	tok, err := e.srv.provider.tokens.Token()
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.srv.ProviderURL+sandbox.ConnectionsPath, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}
