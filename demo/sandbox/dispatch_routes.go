package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// answer is the described call's result, before it becomes an envelope.
type answer struct {
	status int
	body   json.RawMessage
	extra  map[string]string // envelope headers besides content-type
	method string            // for the log
	route  string            // the route template, for the log
}

func (a answer) headers() map[string]string {
	h := map[string]string{"content-type": "application/json"}
	for k, v := range a.extra {
		h[k] = v
	}
	return h
}

// qontoError is one entry of Qonto's {"errors": [...]} body.
type qontoError struct {
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Source map[string]string `json:"source,omitempty"`
}

func jsonAnswer(status int, v any) answer {
	b, err := json.Marshal(v)
	if err != nil { // not reached: only plain structs and maps are marshalled
		b = []byte(`{"errors":[{"code":"internal","detail":"encoding failed"}]}`)
		status = http.StatusInternalServerError
	}
	return answer{status: status, body: b}
}

func errorsAnswer(status int, errs ...qontoError) answer {
	return jsonAnswer(status, map[string][]qontoError{"errors": errs})
}

// route runs a described call. Paths are compared as sent: the sandbox,
// like a strict provider, does not clean or decode them.
func (s *Sandbox) route(req descriptor.Request) answer {
	rawPath, rawQuery, _ := strings.Cut(req.Path, "?")
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		a := errorsAnswer(http.StatusBadRequest, qontoError{Code: "invalid", Detail: "the query string is malformed"})
		a.method, a.route = req.Method, "bad_query"
		return a
	}
	var a answer
	var route string
	switch {
	case rawPath == "/v2/organization" || rawPath == "/v2/organization/":
		route = "/v2/organization"
		a = onlyMethods(req.Method, []string{http.MethodGet}, func() answer { return s.organization() })
	case rawPath == "/v2/sepa/beneficiaries":
		route = "/v2/sepa/beneficiaries"
		a = onlyMethods(req.Method, []string{http.MethodGet}, func() answer { return s.dispatch.listBeneficiaries(query) })
	case strings.HasPrefix(rawPath, "/v2/sepa/beneficiaries/") && !strings.Contains(rawPath[len("/v2/sepa/beneficiaries/"):], "/"):
		route = "/v2/sepa/beneficiaries/{id}"
		id := rawPath[len("/v2/sepa/beneficiaries/"):]
		a = onlyMethods(req.Method, []string{http.MethodGet, http.MethodPatch}, func() answer {
			if req.Method == http.MethodGet {
				return s.dispatch.getBeneficiary(id)
			}
			return s.dispatch.patchBeneficiary(id, req, s.now())
		})
	case strings.HasPrefix(rawPath, "/v1/invoices/") && !strings.Contains(rawPath[len("/v1/invoices/"):], "/"):
		route = "/v1/invoices/{id}"
		id := rawPath[len("/v1/invoices/"):]
		a = onlyMethods(req.Method, []string{http.MethodGet}, func() answer { return s.dispatchInvoice(id) })
	default:
		route = "unknown"
		a = errorsAnswer(http.StatusNotFound, qontoError{Code: "not_found", Detail: "no such endpoint in the sandbox"})
	}
	a.method, a.route = req.Method, route
	return a
}

// dispatchInvoice is GET /v1/invoices/{id} through the dispatch endpoint:
// the partner's token reads any invoice, so whoever forwards the call (the
// intermediary) is the one to check that its caller may read this one.
func (s *Sandbox) dispatchInvoice(id string) answer {
	inv, ok := s.checkout.data.invoice(id)
	if !ok {
		return errorsAnswer(http.StatusNotFound, qontoError{Code: "not_found", Detail: "no such invoice"})
	}
	return jsonAnswer(http.StatusOK, inv)
}

// onlyMethods answers 405 with Allow (in the envelope) for other methods.
func onlyMethods(method string, allowed []string, run func() answer) answer {
	for _, m := range allowed {
		if m == method {
			return run()
		}
	}
	a := errorsAnswer(http.StatusMethodNotAllowed, qontoError{Code: "method_not_allowed", Detail: "allowed methods: " + strings.Join(allowed, ", ")})
	a.extra = map[string]string{"allow": strings.Join(allowed, ", ")}
	return a
}

// Organization is GET /v2/organization's payload, shaped like Qonto's.
type organization struct {
	ID           string        `json:"id"`
	Slug         string        `json:"slug"`
	LegalName    string        `json:"legal_name"`
	BankAccounts []bankAccount `json:"bank_accounts"`
}

type bankAccount struct {
	ID                     string  `json:"id"`
	Slug                   string  `json:"slug"`
	Name                   string  `json:"name"`
	IBAN                   string  `json:"iban"`
	BIC                    string  `json:"bic"`
	Currency               string  `json:"currency"`
	Balance                float64 `json:"balance"`
	BalanceCents           int64   `json:"balance_cents"`
	AuthorizedBalance      float64 `json:"authorized_balance"`
	AuthorizedBalanceCents int64   `json:"authorized_balance_cents"`
	Status                 string  `json:"status"`
	Main                   bool    `json:"main"`
}

func (s *Sandbox) organization() answer {
	return jsonAnswer(http.StatusOK, map[string]organization{"organization": {
		ID:        "4b7a9a52-59f4-4b0e-9d3c-2f8f3c1e0a01",
		Slug:      "sandbox-sas-4821",
		LegalName: "Sandbox SAS",
		BankAccounts: []bankAccount{
			{
				ID: "0c5e1f8a-7d2b-4e6f-a1c3-9b8d7e6f5a41", Slug: "sandbox-sas-4821-bank-account-1", Name: "Compte principal",
				IBAN: "FR7930003035400005000123456", BIC: "SOGEFRPPXXX", Currency: "EUR",
				Balance: 48210.75, BalanceCents: 4821075, AuthorizedBalance: 47960.75, AuthorizedBalanceCents: 4796075,
				Status: "active", Main: true,
			},
			{
				ID: "a9d3c2b1-6e5f-4a7b-8c9d-0e1f2a3b4c52", Slug: "sandbox-sas-4821-bank-account-2", Name: "Réserve TVA",
				IBAN: "FR4416958000012345678901295", BIC: "QNTOFRP1XXX", Currency: "EUR",
				Balance: 12000, BalanceCents: 1200000, AuthorizedBalance: 12000, AuthorizedBalanceCents: 1200000,
				Status: "active", Main: false,
			},
		},
	}})
}
