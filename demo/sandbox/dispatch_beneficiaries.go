package sandbox

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// Beneficiary is a SEPA beneficiary, shaped like Qonto's
// /v2/sepa/beneficiaries objects.
type Beneficiary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	IBAN        string    `json:"iban"`
	BIC         string    `json:"bic"`
	Email       string    `json:"email"`
	ActivityTag string    `json:"activity_tag"`
	Status      string    `json:"status"`
	Trusted     bool      `json:"trusted"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ActivityTags are the activity_tag values a PATCH may set.
var ActivityTags = []string{
	"fees", "hardware_and_equipment", "legal_and_accounting", "logistics", "marketing",
	"office_supply", "online_service", "other_expense", "subscription", "treasury_and_interco",
}

const (
	maxBeneficiaryName = 140
	maxPerPage         = 100
)

// seedBeneficiaries are the same five on every start, so that demos and
// tests can name them.
func seedBeneficiaries() []Beneficiary {
	at := func(day int) time.Time { return time.Date(2024, 11, day, 9, 30, 0, 0, time.UTC) }
	return []Beneficiary{
		{ID: "0e7c6f3a-1b2d-4c5e-8f90-a1b2c3d4e5f6", Name: "Société Générale Fournitures", IBAN: "FR7030004008190001234567890", BIC: "BNPAFRPPXXX", Email: "compta@sg-fournitures.example", ActivityTag: "office_supply", Status: "validated", Trusted: true, CreatedAt: at(4), UpdatedAt: at(4)},
		{ID: "1f8d7a4b-2c3e-4d6f-9a01-b2c3d4e5f6a7", Name: "Atelier Lumière SARL", IBAN: "FR9716958000013234567890184", BIC: "QNTOFRP1XXX", Email: "factures@atelier-lumiere.example", ActivityTag: "hardware_and_equipment", Status: "validated", Trusted: true, CreatedAt: at(5), UpdatedAt: at(5)},
		{ID: "2a9e8b5c-3d4f-4e70-8b12-c3d4e5f6a7b8", Name: "Cabinet Dupont & Associés", IBAN: "FR1420041010050500013M02606", BIC: "PSSTFRPPXXX", Email: "contact@dupont-associes.example", ActivityTag: "legal_and_accounting", Status: "validated", Trusted: false, CreatedAt: at(6), UpdatedAt: at(6)},
		{ID: "3b0f9c6d-4e50-4f81-9c23-d4e5f6a7b8c9", Name: "Transports Müller GmbH", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX", Email: "billing@mueller-transporte.example", ActivityTag: "logistics", Status: "validated", Trusted: false, CreatedAt: at(7), UpdatedAt: at(7)},
		{ID: "4c1a0d7e-5f61-4092-8d34-e5f6a7b8c9d0", Name: "Nuvola Servizi S.r.l.", IBAN: "IT60X0542811101000000123456", BIC: "BPMOIT22XXX", Email: "amministrazione@nuvola.example", ActivityTag: "online_service", Status: "pending", Trusted: false, CreatedAt: at(8), UpdatedAt: at(8)},
	}
}

// Beneficiary returns a copy of the beneficiary with this id.
func (s *Sandbox) Beneficiary(id string) (Beneficiary, bool) {
	d := s.dispatch
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.benefByID[id]
	if !ok {
		return Beneficiary{}, false
	}
	return *b, true
}

// BeneficiaryIDs returns the beneficiaries' ids in list order.
func (s *Sandbox) BeneficiaryIDs() []string {
	d := s.dispatch
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := make([]string, len(d.benefs))
	for i, b := range d.benefs {
		ids[i] = b.ID
	}
	return ids
}

// pageMeta is Qonto's pagination block.
type pageMeta struct {
	CurrentPage int  `json:"current_page"`
	NextPage    *int `json:"next_page"`
	PrevPage    *int `json:"prev_page"`
	TotalPages  int  `json:"total_pages"`
	TotalCount  int  `json:"total_count"`
	PerPage     int  `json:"per_page"`
}

// listBeneficiaries is GET /v2/sepa/beneficiaries?page=&per_page=. Other
// query parameters (Qonto's filters) are accepted and ignored.
func (d *dispatcher) listBeneficiaries(q url.Values) answer {
	page, errPage := positiveParam(q, "page", 1, 0)
	perPage, errPer := positiveParam(q, "per_page", maxPerPage, maxPerPage)
	var errs []qontoError
	for _, e := range []*qontoError{errPage, errPer} {
		if e != nil {
			errs = append(errs, *e)
		}
	}
	if len(errs) > 0 {
		return errorsAnswer(http.StatusUnprocessableEntity, errs...)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	total := len(d.benefs)
	meta := pageMeta{CurrentPage: page, TotalCount: total, PerPage: perPage, TotalPages: (total + perPage - 1) / perPage}
	if page < meta.TotalPages {
		n := page + 1
		meta.NextPage = &n
	}
	if page > 1 {
		p := page - 1
		meta.PrevPage = &p
	}
	items := []Beneficiary{}
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		items = append(items, *d.benefs[i])
	}
	return jsonAnswer(http.StatusOK, struct {
		Beneficiaries []Beneficiary `json:"beneficiaries"`
		Meta          pageMeta      `json:"meta"`
	}{items, meta})
}

// positiveParam reads an integer query parameter >= 1 (and <= max when max
// > 0), or def when absent.
func positiveParam(q url.Values, name string, def, max int) (int, *qontoError) {
	vs, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil || len(vs) != 1 || n < 1 || (max > 0 && n > max) {
		detail := name + " must be one integer >= 1"
		if max > 0 {
			detail += " and <= " + strconv.Itoa(max)
		}
		return 0, &qontoError{Code: "invalid", Detail: detail, Source: map[string]string{"parameter": name}}
	}
	return n, nil
}

func (d *dispatcher) getBeneficiary(id string) answer {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.benefByID[id]
	if !ok {
		return beneficiaryNotFound()
	}
	return jsonAnswer(http.StatusOK, map[string]Beneficiary{"beneficiary": *b})
}

func beneficiaryNotFound() answer {
	return errorsAnswer(http.StatusNotFound, qontoError{Code: "not_found", Detail: "no beneficiary with this id"})
}

// patchBeneficiary is PATCH /v2/sepa/beneficiaries/{id} with
// {"beneficiary": {"name", "email", "activity_tag"}}: all optional, at
// least one.
func (d *dispatcher) patchBeneficiary(id string, req descriptor.Request, now time.Time) answer {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.benefByID[id]
	if !ok {
		return beneficiaryNotFound()
	}
	if req.Headers[SCAHeader] == "required" {
		a := errorsAnswer(http.StatusPreconditionRequired, qontoError{Code: "sca_required", Detail: "strong customer authentication is needed: confirm the change, then retry with the x-qonto-sca-session-token header"})
		a.extra = map[string]string{"x-qonto-sca-session-token": randomToken("sbx_sca_")}
		return a
	}
	upd, errs := parseBeneficiaryUpdate(req.Payload)
	if len(errs) > 0 {
		return errorsAnswer(http.StatusUnprocessableEntity, errs...)
	}
	if upd.name != nil {
		b.Name = *upd.name
	}
	if upd.email != nil {
		b.Email = *upd.email
	}
	if upd.activityTag != nil {
		b.ActivityTag = *upd.activityTag
	}
	b.UpdatedAt = now.UTC()
	return jsonAnswer(http.StatusOK, map[string]Beneficiary{"beneficiary": *b})
}

type beneficiaryUpdate struct{ name, email, activityTag *string }

func invalid(pointer, detail string) qontoError {
	return qontoError{Code: "invalid", Detail: detail, Source: map[string]string{"pointer": pointer}}
}

// parseBeneficiaryUpdate checks every field and reports every problem, each
// with a JSON pointer into the payload.
func parseBeneficiaryUpdate(payload json.RawMessage) (beneficiaryUpdate, []qontoError) {
	var upd beneficiaryUpdate
	var top map[string]json.RawMessage
	if len(payload) == 0 || json.Unmarshal(payload, &top) != nil || top == nil {
		return upd, []qontoError{invalid("/beneficiary", `the body must be {"beneficiary": {...}}`)}
	}
	var errs []qontoError
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k != "beneficiary" {
			errs = append(errs, invalid("/"+escapePointer(k), "unknown field"))
		}
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(top["beneficiary"], &fields) != nil || fields == nil {
		return upd, append(errs, invalid("/beneficiary", "must be an object with name, email or activity_tag"))
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		ptr := "/beneficiary/" + escapePointer(k)
		var v string
		if json.Unmarshal(fields[k], &v) != nil {
			if k == "name" || k == "email" || k == "activity_tag" {
				errs = append(errs, invalid(ptr, "must be a string"))
			} else {
				errs = append(errs, invalid(ptr, "unknown field; allowed: name, email, activity_tag"))
			}
			continue
		}
		switch k {
		case "name":
			if msg := nameProblem(v); msg != "" {
				errs = append(errs, invalid(ptr, msg))
			}
			upd.name = &v
		case "email":
			if !looksLikeEmail(v) {
				errs = append(errs, invalid(ptr, "must be an email address like name@example.com"))
			}
			upd.email = &v
		case "activity_tag":
			if !slices.Contains(ActivityTags, v) {
				errs = append(errs, invalid(ptr, "must be one of: "+strings.Join(ActivityTags, ", ")))
			}
			upd.activityTag = &v
		default:
			errs = append(errs, invalid(ptr, "unknown field; allowed: name, email, activity_tag"))
		}
	}
	if len(errs) == 0 && upd.name == nil && upd.email == nil && upd.activityTag == nil {
		errs = append(errs, invalid("/beneficiary", "give at least one of name, email, activity_tag"))
	}
	return upd, errs
}

func nameProblem(v string) string {
	if strings.TrimSpace(v) == "" {
		return "must not be blank"
	}
	if n := utf8.RuneCountInString(v); n > maxBeneficiaryName {
		return "must be at most " + strconv.Itoa(maxBeneficiaryName) + " characters, got " + strconv.Itoa(n)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return "must not contain control characters"
		}
	}
	return ""
}

// looksLikeEmail is a plausibility check, as a provider would make: one
// '@', a non-empty local part, a dotted domain, no spaces or controls.
func looksLikeEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || len(v) > 254 || strings.Contains(domain, "@") {
		return false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' || r == ',' {
			return false
		}
	}
	return true
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
