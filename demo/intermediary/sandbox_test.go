package intermediary

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// sandboxEnv is the intermediary in front of the real sandbox, both logging
// into the suite's log, with a sandbox-issued access token (a canary too).
type sandboxEnv struct {
	*env
	sb    *sandbox.Sandbox
	sbSrv *httptest.Server
	token string
}

func newSandboxEnv(t *testing.T, mod func(*Config)) *sandboxEnv {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{
		Logger:   suiteLogger("sandbox"),
		Dispatch: sandbox.DispatchConfig{StagingToken: canaryStaging},
	})
	require.NoError(t, err)
	sbSrv := httptest.NewServer(sb.Handler())
	t.Cleanup(sbSrv.Close)

	id, secret := sb.ClientCredentials()
	addCanary(secret)
	res, err := sbSrv.Client().PostForm(sbSrv.URL+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tr))
	require.NotEmpty(t, tr.AccessToken)
	addCanary(tr.AccessToken)

	cfg := baseConfig(sbSrv.URL)
	cfg.Token = func(context.Context) (string, error) { return tr.AccessToken, nil }
	cfg.ForwardHeaders = append(append([]string{}, DefaultForwardHeaders...), sandbox.SCAHeader)
	if mod != nil {
		mod(&cfg)
	}
	h, err := newHandler(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &sandboxEnv{env: &env{srv: srv, h: h}, sb: sb, sbSrv: sbSrv, token: tr.AccessToken}
}

// answer decodes a passed-through envelope.
func answer(t *testing.T, b []byte) descriptor.Response {
	t.Helper()
	r, err := descriptor.DecodeResponse(string(b), descriptor.Limits{})
	require.NoError(t, err)
	return r
}

func encode(t *testing.T, r descriptor.Request) string {
	t.Helper()
	s, err := descriptor.Encode(r)
	require.NoError(t, err)
	return s
}

func TestThroughSandbox(t *testing.T) {
	e := newSandboxEnv(t, nil)

	// The SDK's own descriptor for the organization.
	res, b := e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var org struct {
		Organization struct {
			LegalName string `json:"legal_name"`
		} `json:"organization"`
	}
	require.NoError(t, json.Unmarshal(answer(t, b).Body, &org))
	require.Equal(t, "Sandbox SAS", org.Organization.LegalName)
	hdr := e.sb.LastDispatchHeaders()
	require.Equal(t, "Bearer "+e.token, hdr.Get("Authorization"), "the sandbox sees the server's token exactly")
	require.Equal(t, canaryStaging, hdr.Get(sandbox.DefaultStagingHeader))
	require.NotContains(t, e.sb.LastDescriptor().Headers, "authorization")

	// A list page, with a query that must not reach the logs.
	res, b = e.call(t, encode(t, descriptor.Request{Method: "GET", Path: "/v2/sepa/beneficiaries?per_page=2&page=2&note=querycanary"}), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var list struct {
		Beneficiaries []sandbox.Beneficiary `json:"beneficiaries"`
		Meta          struct {
			CurrentPage int `json:"current_page"`
		} `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(answer(t, b).Body, &list))
	require.Len(t, list.Beneficiaries, 2)
	require.Equal(t, 2, list.Meta.CurrentPage)
	require.Equal(t, "/v2/sepa/beneficiaries?note=querycanary&page=2&per_page=2", e.sb.LastDescriptor().Path)
	require.NotContains(t, suiteLog.String(), "querycanary", "queries stay out of the logs")
}

// Writes through the sandbox: the provider's answers (200, 422, 428, 404)
// pass through; refused calls never reach it; ids stay out of the logs.
func TestThroughSandboxWrites(t *testing.T) {
	e := newSandboxEnv(t, nil)
	id := e.sb.BeneficiaryIDs()[0]
	patch := func(payload string, headers map[string]string) (*http.Response, []byte) {
		return e.call(t, encode(t, descriptor.Request{Method: "PATCH", Path: "/v2/sepa/beneficiaries/" + id, Headers: headers, Payload: json.RawMessage(payload)}), nil)
	}
	// 200 with UTF-8 intact.
	res, b := patch(`{"beneficiary":{"name":"Société Générale € Fournitures"}}`, map[string]string{"content-type": "application/json"})
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(answer(t, b).Body), "Société Générale € Fournitures")
	got, _ := e.sb.Beneficiary(id)
	require.Equal(t, "Société Générale € Fournitures", got.Name)

	// 422 and 428 pass through with the provider's envelope.
	res, b = patch(`{"beneficiary":{"email":"nope"}}`, nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, string(answer(t, b).Body), "/beneficiary/email")
	res, b = patch(`{"beneficiary":{"name":"X"}}`, map[string]string{sandbox.SCAHeader: "required"})
	require.Equal(t, http.StatusPreconditionRequired, res.StatusCode)
	require.NotEmpty(t, answer(t, b).Headers["x-qonto-sca-session-token"])

	// 404 from the provider passes through.
	res, _ = e.call(t, encode(t, descriptor.Request{Method: "GET", Path: "/v2/sepa/beneficiaries/unknown-id"}), nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// Refused calls never reach the sandbox.
	n := e.sb.DispatchCount()
	for _, d := range []string{
		rawDescriptor("GET", "/v2/%2e%2e/admin", nil, ""),
		rawDescriptor("DELETE", "/v2/sepa/beneficiaries/"+id, nil, ""),
		rawDescriptor("GET", "/v2/transfers", nil, ""),
	} {
		res, _ := e.call(t, d, nil)
		require.GreaterOrEqual(t, res.StatusCode, 400)
	}
	require.Equal(t, n, e.sb.DispatchCount())

	require.NotContains(t, suiteLog.String(), id, "ids stay out of the logs")
	require.Contains(t, suiteLog.String(), `"template":"/v2/sepa/beneficiaries/{id}"`)
	require.Contains(t, suiteLog.String(), `"upstream_status":428`)
}

// When the provider refuses the server's own credentials, the page gets a
// 502, not a 401 that it would read as its own token expiring.
func TestWrongStagingTokenIs502(t *testing.T) {
	e := newSandboxEnv(t, func(c *Config) { c.StagingToken = "wrong-staging" })
	res, b := e.call(t, goldenGET, nil)
	e.requireError(t, res, b, http.StatusBadGateway, "bad_response")
	require.Equal(t, 1, e.sb.DispatchCount())
}

// The log capture works (else TestMain's canary scan proves nothing), and
// hostile input cannot forge a log line.
func TestLogsAreCapturedAndQuoted(t *testing.T) {
	e := newEnv(t, nil, nil)
	res, _ := e.call(t, rawDescriptor("X\"}\n{\"forged\":1", "/v2/organization", nil, ""), nil)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = e.call(t, rawDescriptor("GET", "/v2/organization\n{\"forged\":1}", nil, ""), nil)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = e.call(t, goldenGET, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	logs := suiteLog.String()
	require.Contains(t, logs, `"msg":"intermediary"`)
	require.Contains(t, logs, `"template":"/v2/organization/"`)
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "log line %q", line)
		require.NotContains(t, m, "forged")
	}
}
