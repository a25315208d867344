package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/sealbridge/sealbridge/internal/strictdecode"
)

// Invoice is one of the sandbox's demo invoices. Amount is in minor units
// (cents).
type Invoice struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	Status     string `json:"status"` // "open" or "paid"
	// AmountPaid is the sum of the payments so far; the invoice is paid
	// when it reaches Amount.
	AmountPaid  int64  `json:"amount_paid"`
	Description string `json:"description,omitempty"`
}

// AmountDue is what is left to pay.
func (inv Invoice) AmountDue() int64 { return inv.Amount - inv.AmountPaid }

// checkoutPayment is a recorded payment.
type checkoutPayment struct {
	ID        string `json:"id"`
	InvoiceID string `json:"invoice_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	Created   int64  `json:"created"` // Unix seconds
}

// checkoutData holds the demo customers, invoices and payments in memory.
type checkoutData struct {
	mu          sync.Mutex
	customers   map[string]bool
	invoices    map[string]Invoice
	payments    map[string][]checkoutPayment // oldest first, at most maxPayments each
	maxPayments int
}

// newCheckoutData seeds the demo data: cus_demo is the dev server's demo
// user's customer; cus_other exists so that tests can try to reach an
// invoice that is not theirs.
func newCheckoutData(maxPayments int) *checkoutData {
	d := &checkoutData{
		maxPayments: maxPayments,
		customers:   map[string]bool{"cus_demo": true, "cus_other": true},
		invoices:    map[string]Invoice{},
		payments:    map[string][]checkoutPayment{},
	}
	for _, inv := range []Invoice{
		{ID: "inv_1001", CustomerID: "cus_demo", Amount: 12900, Currency: "EUR", Status: "open", Description: "Société Générale de Démo: consulting, March"},
		{ID: "inv_1002", CustomerID: "cus_demo", Amount: 4250, Currency: "EUR", Status: "paid", AmountPaid: 4250, Description: "Support plan, February"},
		{ID: "inv_2001", CustomerID: "cus_other", Amount: 99900, Currency: "EUR", Status: "open", Description: "Someone else's invoice"},
	} {
		d.invoices[inv.ID] = inv
	}
	return d
}

func (d *checkoutData) hasCustomer(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.customers[id]
}

func (d *checkoutData) invoice(id string) (Invoice, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	inv, ok := d.invoices[id]
	return inv, ok
}

// errInvoicePaid and errOverpayment are why pay refused a payment.
var (
	errInvoicePaid = errors.New("invoice already paid")
	errOverpayment = errors.New("amount over what is due")
)

// pay records a payment of amount (0: all that is due) and marks the
// invoice paid once nothing is due. Under the lock, so that two payments
// racing for the last cents cannot both succeed.
func (d *checkoutData) pay(id string, amount int64, now time.Time) (checkoutPayment, Invoice, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	inv := d.invoices[id]
	if inv.Status == "paid" || inv.AmountDue() <= 0 {
		return checkoutPayment{}, inv, errInvoicePaid
	}
	if amount == 0 {
		amount = inv.AmountDue()
	}
	if amount > inv.AmountDue() {
		return checkoutPayment{}, inv, errOverpayment
	}
	p := checkoutPayment{
		ID: randomToken("pay_")[:24], InvoiceID: inv.ID, Amount: amount,
		Currency: inv.Currency, Status: "succeeded", Created: now.Unix(),
	}
	inv.AmountPaid += amount
	if inv.AmountDue() == 0 {
		inv.Status = "paid"
	}
	d.invoices[id] = inv
	d.payments[inv.ID] = appendBounded(d.payments[inv.ID], p, d.maxPayments)
	return p, inv, nil
}

// appendBounded appends p and keeps the newest max.
func appendBounded(ps []checkoutPayment, p checkoutPayment, max int) []checkoutPayment {
	ps = append(ps, p)
	if len(ps) > max {
		ps = append([]checkoutPayment(nil), ps[len(ps)-max:]...)
	}
	return ps
}

func (d *checkoutData) paymentCounts() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]int, len(d.payments))
	for id, ps := range d.payments {
		out[id] = len(ps)
	}
	return out
}

func (d *checkoutData) paymentCount(invoiceID string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.payments[invoiceID])
}

// Invoice returns a demo invoice by id.
func (s *Sandbox) Invoice(id string) (Invoice, bool) { return s.checkout.data.invoice(id) }

// Payments returns how many payments have been recorded for an invoice.
func (s *Sandbox) Payments(invoiceID string) int { return s.checkout.data.paymentCount(invoiceID) }

// scopedInvoice verifies the scoped token and that it names the invoice in
// the path. On failure it has written the answer (401, 403 or 404).
func (c *checkoutServer) scopedInvoice(w http.ResponseWriter, r *http.Request) (Invoice, bool) {
	cl, ok := c.authorize(w, r)
	if !ok {
		return Invoice{}, false
	}
	id := r.PathValue("id")
	if cl.InvoiceID != id {
		writeError(w, http.StatusForbidden, "forbidden", "the token is scoped to another invoice")
		return Invoice{}, false
	}
	inv, found := c.data.invoice(id)
	if !found {
		writeError(w, http.StatusNotFound, "not_found", "no such invoice")
		return Invoice{}, false
	}
	if inv.CustomerID != cl.CustomerID {
		writeError(w, http.StatusForbidden, "forbidden", "the token is scoped to another customer")
		return Invoice{}, false
	}
	return inv, true
}

// handleGetInvoice is GET /v1/invoices/{id}.
func (c *checkoutServer) handleGetInvoice(w http.ResponseWriter, r *http.Request) {
	inv, ok := c.scopedInvoice(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

// handlePay is POST /v1/invoices/{id}/payments, body optional
// {"amount": minor units}; the default pays all that is due. A payment
// that leaves nothing due marks the invoice paid, and a paid invoice
// refuses further payments with 409 invoice_paid.
func (c *checkoutServer) handlePay(w http.ResponseWriter, r *http.Request) {
	inv, ok := c.scopedInvoice(w, r)
	if !ok {
		return
	}
	amount, ok := readPaymentAmount(w, r)
	if !ok {
		return
	}
	p, after, err := c.data.pay(inv.ID, amount, c.now())
	switch {
	case errors.Is(err, errInvoicePaid):
		writeError(w, http.StatusConflict, "invoice_paid", "invoice "+inv.ID+" is already paid; nothing is due")
	case errors.Is(err, errOverpayment):
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("amount must be between 1 and the %d still due (minor units)", after.AmountDue()))
	default:
		writeJSON(w, http.StatusCreated, p)
	}
}

// readPaymentAmount reads the optional payment body; an empty body means
// "pay the whole invoice" (0). On failure it has written a 400 or 413.
func readPaymentAmount(w http.ResponseWriter, r *http.Request) (int64, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		if !tooLarge(w, err, 4<<10) {
			writeError(w, http.StatusBadRequest, "bad_json", "could not read the request body")
		}
		return 0, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return 0, true
	}
	var req struct {
		Amount *int64 `json:"amount"`
	}
	if err := strictdecode.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", `body must be empty or {"amount": <integer minor units>}`)
		return 0, false
	}
	if req.Amount == nil {
		return 0, true
	}
	if *req.Amount <= 0 {
		writeError(w, http.StatusBadRequest, "invalid_request", "amount must be a positive integer (minor units)")
		return 0, false
	}
	return *req.Amount, true
}
