package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// dispatchEnv is a sandbox with a client token, to send descriptors to.
type dispatchEnv struct {
	s     *Sandbox
	srv   *httptest.Server
	token string
}

func newDispatchEnv(t *testing.T, cfg Config) *dispatchEnv {
	t.Helper()
	s, srv := newTestSandbox(t, cfg)
	return &dispatchEnv{s: s, srv: srv, token: clientToken(t, srv, s)}
}

// dispatch posts {"data": desc} with the bearer token and extra headers.
func (e *dispatchEnv) dispatch(t *testing.T, desc string, extra http.Header) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + e.token}, "Content-Type": {"application/json"}}
	for k, v := range extra {
		h[k] = v
	}
	body, err := json.Marshal(map[string]string{"data": desc})
	require.NoError(t, err)
	return doRequest(t, e.srv, http.MethodPost, DispatchPath, h, strings.NewReader(string(body)))
}

// do sends one described call and decodes the envelope.
func (e *dispatchEnv) do(t *testing.T, method, path string, headers map[string]string, payload string) (int, descriptor.Response) {
	t.Helper()
	r := descriptor.Request{Method: method, Path: path, Headers: headers}
	if payload != "" {
		r.Payload = json.RawMessage(payload)
	}
	desc, err := descriptor.Encode(r)
	require.NoError(t, err)
	res, b := e.dispatch(t, desc, nil)
	require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	env, err := descriptor.DecodeResponse(string(b), descriptor.Limits{})
	require.NoError(t, err, "body: %s", b)
	require.Equal(t, "application/json", env.Headers["content-type"])
	return res.StatusCode, env
}

// qontoErrors decodes {"errors": [...]}.
func qontoErrors(t *testing.T, env descriptor.Response) []qontoError {
	t.Helper()
	var body struct {
		Errors []qontoError `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(env.Body, &body))
	require.NotEmpty(t, body.Errors)
	return body.Errors
}

func pointers(errs []qontoError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Source["pointer"]+e.Source["parameter"])
	}
	return out
}

func TestDispatchOrganization(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	for _, p := range []string{"/v2/organization", "/v2/organization/"} {
		status, env := e.do(t, "GET", p, nil, "")
		require.Equal(t, http.StatusOK, status)
		var org struct {
			Organization struct {
				Slug         string `json:"slug"`
				LegalName    string `json:"legal_name"`
				BankAccounts []struct {
					IBAN     string `json:"iban"`
					Currency string `json:"currency"`
				} `json:"bank_accounts"`
			} `json:"organization"`
		}
		require.NoError(t, json.Unmarshal(env.Body, &org))
		require.Equal(t, "Sandbox SAS", org.Organization.LegalName)
		require.NotEmpty(t, org.Organization.Slug)
		require.NotEmpty(t, org.Organization.BankAccounts)
		require.Equal(t, "EUR", org.Organization.BankAccounts[0].Currency)
	}
	status, env := e.do(t, "POST", "/v2/organization", nil, `{}`)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	require.Equal(t, "GET", env.Headers["allow"])
}

func TestDispatchSeedBeneficiaries(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	ids := e.s.BeneficiaryIDs()
	require.Len(t, ids, 5)
	first, ok := e.s.Beneficiary(ids[0])
	require.True(t, ok)
	require.Equal(t, "Société Générale Fournitures", first.Name)
	for _, id := range ids {
		b, ok := e.s.Beneficiary(id)
		require.True(t, ok)
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, b.ID)
		require.True(t, ibanValid(b.IBAN), "IBAN %s", b.IBAN)
	}
	_, ok = e.s.Beneficiary("nope")
	require.False(t, ok)

	// The UTF-8 name survives the envelope.
	status, env := e.do(t, "GET", "/v2/sepa/beneficiaries/"+ids[0], nil, "")
	require.Equal(t, http.StatusOK, status)
	var one struct{ Beneficiary Beneficiary }
	require.NoError(t, json.Unmarshal(env.Body, &one))
	require.Equal(t, first, one.Beneficiary)
}

// ibanValid checks the ISO 13616 mod-97 checksum.
func ibanValid(iban string) bool {
	s := iban[4:] + iban[:4]
	rem := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func TestDispatchPagination(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	type page struct {
		Beneficiaries []Beneficiary `json:"beneficiaries"`
		Meta          struct {
			CurrentPage int  `json:"current_page"`
			NextPage    *int `json:"next_page"`
			PrevPage    *int `json:"prev_page"`
			TotalPages  int  `json:"total_pages"`
			TotalCount  int  `json:"total_count"`
			PerPage     int  `json:"per_page"`
		} `json:"meta"`
	}
	get := func(q string) page {
		status, env := e.do(t, "GET", "/v2/sepa/beneficiaries"+q, nil, "")
		require.Equal(t, http.StatusOK, status, q)
		var p page
		require.NoError(t, json.Unmarshal(env.Body, &p))
		require.Equal(t, 5, p.Meta.TotalCount)
		return p
	}
	intp := func(n int) *int { return &n }

	all := get("")
	require.Len(t, all.Beneficiaries, 5)
	require.Equal(t, 1, all.Meta.TotalPages)
	require.Equal(t, 100, all.Meta.PerPage)
	require.Nil(t, all.Meta.NextPage)
	require.Nil(t, all.Meta.PrevPage)

	var seen []string
	for n, want := range []struct {
		len        int
		next, prev *int
	}{{2, intp(2), nil}, {2, intp(3), intp(1)}, {1, nil, intp(2)}} {
		p := get("?per_page=2&page=" + string(rune('1'+n)) + "&status[]=validated")
		require.Len(t, p.Beneficiaries, want.len)
		require.Equal(t, n+1, p.Meta.CurrentPage)
		require.Equal(t, want.next, p.Meta.NextPage)
		require.Equal(t, want.prev, p.Meta.PrevPage)
		require.Equal(t, 3, p.Meta.TotalPages)
		require.Equal(t, 2, p.Meta.PerPage)
		for _, b := range p.Beneficiaries {
			seen = append(seen, b.ID)
		}
	}
	require.Equal(t, e.s.BeneficiaryIDs(), seen, "pages cover the list once, in order")

	beyond := get("?per_page=2&page=9")
	require.Empty(t, beyond.Beneficiaries)
	require.NotNil(t, beyond.Beneficiaries, "an empty page is [], not null")
	require.Nil(t, beyond.Meta.NextPage)

}

// A page or per_page that is not a whole number in range is a 422 naming
// the parameter, as the provider answers.
func TestDispatchPaginationRefusals(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	for q, param := range map[string]string{
		"?page=0": "page", "?page=-1": "page", "?page=x": "page", "?page=1&page=2": "page",
		"?per_page=0": "per_page", "?per_page=101": "per_page", "?per_page=1.5": "per_page",
	} {
		status, env := e.do(t, "GET", "/v2/sepa/beneficiaries"+q, nil, "")
		require.Equal(t, http.StatusUnprocessableEntity, status, q)
		errs := qontoErrors(t, env)
		require.Equal(t, "invalid", errs[0].Code)
		require.Equal(t, param, errs[0].Source["parameter"], q)
	}
}

func TestDispatchNotFoundAndMethods(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	for _, p := range []string{"/v2/sepa/beneficiaries/unknown", "/v2/sepa/beneficiaries/", "/v2/transfers", "/v2/organization/x", "/v2/sepa/beneficiaries/x/y", "/"} {
		status, env := e.do(t, "GET", p, nil, "")
		require.Equal(t, http.StatusNotFound, status, p)
		require.Equal(t, "not_found", qontoErrors(t, env)[0].Code)
	}
	status, env := e.do(t, "PATCH", "/v2/sepa/beneficiaries/unknown", nil, `{"beneficiary":{"name":"x"}}`)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, "not_found", qontoErrors(t, env)[0].Code)

	id := e.s.BeneficiaryIDs()[1]
	for _, m := range []string{"DELETE", "PUT", "POST", "get"} {
		status, env := e.do(t, m, "/v2/sepa/beneficiaries/"+id, nil, "")
		require.Equal(t, http.StatusMethodNotAllowed, status, m)
		require.Equal(t, "GET, PATCH", env.Headers["allow"])
	}
	status, _ = e.do(t, "PATCH", "/v2/sepa/beneficiaries", nil, `{}`)
	require.Equal(t, http.StatusMethodNotAllowed, status)
}

func TestDispatchPatch(t *testing.T) {
	clock := newTestClock()
	e := newDispatchEnv(t, Config{Now: clock.Now})
	id := e.s.BeneficiaryIDs()[2]
	before, _ := e.s.Beneficiary(id)
	clock.Advance(time.Minute)

	status, env := e.do(t, "PATCH", "/v2/sepa/beneficiaries/"+id, map[string]string{"content-type": "application/json"},
		`{"beneficiary":{"name":"Société Générale Fournitures 2","email":"ap@example.com","activity_tag":"marketing"}}`)
	require.Equal(t, http.StatusOK, status)
	var got struct{ Beneficiary Beneficiary }
	require.NoError(t, json.Unmarshal(env.Body, &got))
	after, _ := e.s.Beneficiary(id)
	require.Equal(t, after, got.Beneficiary)
	require.Equal(t, "Société Générale Fournitures 2", after.Name)
	require.Equal(t, "ap@example.com", after.Email)
	require.Equal(t, "marketing", after.ActivityTag)
	require.Equal(t, before.IBAN, after.IBAN)
	require.True(t, after.UpdatedAt.Equal(clock.Now()))

	// One field alone is enough; the others stay.
	status, _ = e.do(t, "PATCH", "/v2/sepa/beneficiaries/"+id, nil, `{"beneficiary":{"email":"ops@example.org"}}`)
	require.Equal(t, http.StatusOK, status)
	again, _ := e.s.Beneficiary(id)
	require.Equal(t, "ops@example.org", again.Email)
	require.Equal(t, after.Name, again.Name)
}

func TestDispatchPatchValidation(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	id := e.s.BeneficiaryIDs()[0]
	before, _ := e.s.Beneficiary(id)
	for payload, want := range map[string][]string{
		``:                              {"/beneficiary"},
		`[]`:                            {"/beneficiary"},
		`{}`:                            {"/beneficiary"},
		`{"beneficiary":null}`:          {"/beneficiary"},
		`{"beneficiary":"x"}`:           {"/beneficiary"},
		`{"beneficiary":{}}`:            {"/beneficiary"},
		`{"beneficiary":{"name":""}}`:   {"/beneficiary/name"},
		`{"beneficiary":{"name":"  "}}`: {"/beneficiary/name"},
		`{"beneficiary":{"name":"` + strings.Repeat("é", 141) + `"}}`: {"/beneficiary/name"},
		`{"beneficiary":{"name":"a\u0000b"}}`:                         {"/beneficiary/name"},
		`{"beneficiary":{"name":42}}`:                                 {"/beneficiary/name"},
		`{"beneficiary":{"email":"nope"}}`:                            {"/beneficiary/email"},
		`{"beneficiary":{"email":"a@b"}}`:                             {"/beneficiary/email"},
		`{"beneficiary":{"email":"a b@example.com"}}`:                 {"/beneficiary/email"},
		`{"beneficiary":{"email":"@example.com"}}`:                    {"/beneficiary/email"},
		`{"beneficiary":{"email":null}}`:                              {"/beneficiary/email"},
		`{"beneficiary":{"activity_tag":"gambling"}}`:                 {"/beneficiary/activity_tag"},
		`{"beneficiary":{"iban":"FR76..."}}`:                          {"/beneficiary/iban"},
		`{"beneficiary":{"name":"ok"},"extra":1}`:                     {"/extra"},
		`{"beneficiary":{"name":"","email":"x","activity_tag":"y"}}`:  {"/beneficiary/activity_tag", "/beneficiary/email", "/beneficiary/name"},
	} {
		status, env := e.do(t, "PATCH", "/v2/sepa/beneficiaries/"+id, nil, payload)
		require.Equal(t, http.StatusUnprocessableEntity, status, payload)
		errs := qontoErrors(t, env)
		require.Equal(t, want, pointers(errs), payload)
		for _, er := range errs {
			require.Equal(t, "invalid", er.Code)
			require.NotEmpty(t, er.Detail)
		}
	}
	// A 140-character name is fine.
	status, _ := e.do(t, "PATCH", "/v2/sepa/beneficiaries/"+id, nil, `{"beneficiary":{"name":"`+strings.Repeat("é", 140)+`"}}`)
	require.Equal(t, http.StatusOK, status)
	after, _ := e.s.Beneficiary(id)
	require.Equal(t, before.Email, after.Email, "refused updates changed nothing")
}

func TestDispatchSCARequired(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	id := e.s.BeneficiaryIDs()[0]
	before, _ := e.s.Beneficiary(id)
	status, env := e.do(t, "PATCH", "/v2/sepa/beneficiaries/"+id, map[string]string{SCAHeader: "required"}, `{"beneficiary":{"name":"Changed"}}`)
	require.Equal(t, http.StatusPreconditionRequired, status)
	require.Equal(t, "sca_required", qontoErrors(t, env)[0].Code)
	require.NotEmpty(t, env.Headers["x-qonto-sca-session-token"])
	after, _ := e.s.Beneficiary(id)
	require.Equal(t, before, after)
	// Only PATCH asks for SCA.
	status, _ = e.do(t, "GET", "/v2/sepa/beneficiaries/"+id, map[string]string{SCAHeader: "required"}, "")
	require.Equal(t, http.StatusOK, status)
}

func TestDispatchAuth(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	desc, err := descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/organization"})
	require.NoError(t, err)
	for _, auth := range []string{"", "Bearer nope", "Basic " + e.token, e.token} {
		res, b := e.dispatch(t, desc, http.Header{"Authorization": {auth}})
		require.Equal(t, http.StatusUnauthorized, res.StatusCode, auth)
		require.Equal(t, "invalid_token", apiErrorOf(t, b).Code)
	}
	require.Equal(t, 4, e.s.DispatchCount(), "refused calls are counted")
	require.Equal(t, e.token, e.s.LastDispatchHeaders().Get("Authorization"), "the last call's raw headers")
	require.Equal(t, descriptor.Request{}, e.s.LastDescriptor(), "no descriptor was read")
}

func TestDispatchStagingToken(t *testing.T) {
	e := newDispatchEnv(t, Config{Dispatch: DispatchConfig{StagingToken: "stg-secret"}})
	desc, err := descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/organization"})
	require.NoError(t, err)
	for _, h := range []http.Header{nil, {"X-Qonto-Staging-Token": {"wrong"}}, {"X-Qonto-Staging-Token": {""}}, {"X-Other": {"stg-secret"}}} {
		res, b := e.dispatch(t, desc, h)
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
		require.Equal(t, "invalid_staging_token", apiErrorOf(t, b).Code)
		require.NotContains(t, string(b), "stg-secret")
	}
	res, _ := e.dispatch(t, desc, http.Header{"X-Qonto-Staging-Token": {"stg-secret"}})
	require.Equal(t, http.StatusOK, res.StatusCode)

	named := newDispatchEnv(t, Config{Dispatch: DispatchConfig{StagingToken: "stg-2", StagingHeader: "X-Env-Key"}})
	res, _ = named.dispatch(t, desc, http.Header{"X-Qonto-Staging-Token": {"stg-2"}})
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	res, _ = named.dispatch(t, desc, http.Header{"X-Env-Key": {"stg-2"}})
	require.Equal(t, http.StatusOK, res.StatusCode)
}

func TestDispatchBadBody(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	h := http.Header{"Authorization": {"Bearer " + e.token}, "Content-Type": {"application/json"}}
	for body, code := range map[string]string{
		`not json`:              "bad_json",
		`{"data":"x","more":1}`: "bad_json",
		`{"data":"!!!!"}`:       "bad_descriptor",
		`{"data":""}`:           "bad_descriptor",
	} {
		res, b := doRequest(t, e.srv, http.MethodPost, DispatchPath, h, strings.NewReader(body))
		require.Equal(t, http.StatusBadRequest, res.StatusCode, body)
		require.Equal(t, code, apiErrorOf(t, b).Code, body)
	}
	res, _ := doRequest(t, e.srv, http.MethodGet, DispatchPath, h, nil)
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

func TestDispatchRecordsLastCall(t *testing.T) {
	e := newDispatchEnv(t, Config{})
	desc, err := descriptor.Encode(descriptor.Request{Method: "GET", Path: "/v2/sepa/beneficiaries?page=1", Headers: map[string]string{"Accept-Language": "fr"}})
	require.NoError(t, err)
	res, _ := e.dispatch(t, desc, http.Header{"X-Trace": {"t1"}})
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, 1, e.s.DispatchCount())
	hdr := e.s.LastDispatchHeaders()
	require.Equal(t, "Bearer "+e.token, hdr.Get("Authorization"))
	require.Equal(t, "t1", hdr.Get("X-Trace"))
	hdr.Set("X-Trace", "changed")
	require.Equal(t, "t1", e.s.LastDispatchHeaders().Get("X-Trace"), "a copy is returned")
	last := e.s.LastDescriptor()
	require.Equal(t, "GET", last.Method)
	require.Equal(t, "/v2/sepa/beneficiaries?page=1", last.Path)
	require.Equal(t, map[string]string{"accept-language": "fr"}, last.Headers)
}
