//go:build js && wasm

package main

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// clocked is a split seal with handle 0 whose clock the test moves.
func clocked(t *testing.T) (*splitSeal, *time.Time) {
	t.Helper()
	split := splitSealWithKey(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	split.now = func() time.Time { return now }
	return split, &now
}

// plannedDoc plans doc's /p and /q and returns the plan's number, the
// document the plan holds and its values in clear (as the plan holds them).
func plannedDoc(t *testing.T, split *splitSeal) (int, []byte, [][]byte) {
	t.Helper()
	doc := []byte(`{"p":"s3cret","q":"pin-4829"}`)
	out, err := split.plan(split.handles[0], doc, []string{"/p", "/q"})
	if err != nil || len(out) < 4 {
		t.Fatalf("planned %q, %v", out, err)
	}
	id := int(binary.BigEndian.Uint32(out))
	return id, doc, split.plans[id].plan.Plaintexts()
}

func requireWiped(t *testing.T, what string, bufs ...[]byte) {
	t.Helper()
	for _, b := range bufs {
		if len(b) == 0 || !bytes.Equal(b, make([]byte, len(b))) {
			t.Fatalf("%s: %q is still in memory", what, b)
		}
	}
}

// requireLate checks that finishFields refuses the plan numbered id with
// timeout, saying to call sealFields again.
func requireLate(t *testing.T, split *splitSeal, id int) {
	t.Helper()
	out, err := split.finishFields(append(u32(uint32(id)), 0, 0, 0, 0, 2))
	if e := sberr.As(err); err == nil || e.Code != sberr.Timeout || !strings.Contains(e.Message, "call sealFields again") {
		t.Fatalf("a late finishFields got %q, %v; want timeout", out, err)
	}
	if _, err := split.finishFields(append(u32(uint32(id)), 0, 0, 0, 0, 2)); sberr.CodeOf(err) != sberr.Internal {
		t.Fatalf("a second late finishFields got %v; want no such call", err)
	}
}

// A plan whose finishFields never comes (the WebCrypto promise never
// settles, the page drops the call) does not keep the document and its
// values in clear past planDeadline: the next planFields wipes and drops
// it, and its late finishFields is refused with timeout. Without a
// planFields in between, the late finishFields itself wipes it and is
// refused the same way. Up to the deadline, the plan finishes.
func TestPlanPastItsDeadlineIsWipedAndRefused(t *testing.T) {
	t.Run("dropped by the next planFields", func(t *testing.T) {
		split, now := clocked(t)
		id, doc, values := plannedDoc(t, split)
		*now = now.Add(planDeadline + time.Second)
		plannedDoc(t, split)
		if _, pending := split.plans[id]; pending {
			t.Fatal("the plan past its deadline is still pending")
		}
		requireWiped(t, "the plan dropped at its deadline", append(values, doc)...)
		requireLate(t, split, id)
	})
	t.Run("refused by its late finishFields", func(t *testing.T) {
		split, now := clocked(t)
		id, doc, values := plannedDoc(t, split)
		*now = now.Add(planDeadline + time.Second)
		requireLate(t, split, id)
		requireWiped(t, "the late plan", append(values, doc)...)
	})
	t.Run("finished at the deadline", func(t *testing.T) {
		split, now := clocked(t)
		id, _, _ := plannedDoc(t, split)
		*now = now.Add(planDeadline)
		plannedDoc(t, split)
		if _, err := split.takePlan(id); err != nil {
			t.Fatalf("a plan at its deadline was refused: %v", err)
		}
	})
}

// maxPendingPlans still bounds the plans waiting at once (planFields then
// answers nothing and index.js takes the ordinary export), but plans past
// their deadline no longer count: abandoned ones cannot keep the split
// seal off for good.
func TestPendingPlansPastTheirDeadlineMakeRoom(t *testing.T) {
	split, now := clocked(t)
	for range maxPendingPlans {
		if _, ok := split.addPlan(&seal.FieldsPlan{}); !ok {
			t.Fatal("refused a plan under maxPendingPlans")
		}
	}
	if _, ok := split.addPlan(&seal.FieldsPlan{}); ok {
		t.Fatal("accepted a plan past maxPendingPlans")
	}
	*now = now.Add(planDeadline + time.Second)
	if _, ok := split.addPlan(&seal.FieldsPlan{}); !ok || len(split.plans) != 1 {
		t.Fatalf("with every plan past its deadline: ok %v, %d pending; want the new plan alone", ok, len(split.plans))
	}
	if len(split.expired) > maxPendingPlans {
		t.Fatalf("%d expired plan numbers kept, more than %d", len(split.expired), maxPendingPlans)
	}
}

// Plan numbers wrap below 2^30 and never give 0 (what zeroed input
// reads as), before or after the wrap.
func TestPlanNumbersWrapPastZero(t *testing.T) {
	split := splitSealWithKey(t)
	for _, start := range []int{0, planNumbers - 2, planNumbers - 1} {
		split.nextPlan = start
		for range 3 {
			id, ok := split.addPlan(&seal.FieldsPlan{})
			if !ok || id <= 0 || id >= planNumbers {
				t.Fatalf("from %d: addPlan gave %d (ok %v)", start, id, ok)
			}
		}
	}
	if _, err := split.finishFields(u32(0)); sberr.CodeOf(err) != sberr.Internal {
		t.Fatalf("finishFields for plan 0: %v, want no such call", err)
	}
}

// pendingNow reports whether plan id is pending, under the split seal's
// lock (the sweep runs on a goroutine of its own).
func pendingNow(split *splitSeal, id int) bool {
	split.mu.Lock()
	defer split.mu.Unlock()
	_, ok := split.plans[id]
	return ok
}

// A plan whose finishFields never comes is wiped at its deadline even when
// no other call follows (the page made one sealFields, whose WebCrypto
// promise never settled): a timer sweeps the plans, armed again for one
// still within its deadline, and stopped once none is pending. Real time,
// with the deadline shortened.
func TestAbandonedPlanIsWipedWithoutAnotherCall(t *testing.T) {
	split := splitSealWithKey(t)
	split.deadline = 50 * time.Millisecond
	first, doc1, values1 := plannedDoc(t, split)
	time.Sleep(30 * time.Millisecond)
	second, doc2, values2 := plannedDoc(t, split)
	for end := time.Now().Add(5 * time.Second); pendingNow(split, first) || pendingNow(split, second); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the abandoned plans are still pending 5 s after their deadline")
		}
	}
	requireWiped(t, "the first abandoned plan", append(values1, doc1)...)
	requireWiped(t, "the second abandoned plan", append(values2, doc2)...)
	split.mu.Lock()
	armed := split.sweep != nil
	split.mu.Unlock()
	if armed {
		t.Fatal("the sweep is still armed with no plan pending")
	}
	requireLate(t, split, first)
	requireLate(t, split, second)

	// A plan finished in time stops the sweep it armed.
	split.deadline = planDeadline
	id, _, _ := plannedDoc(t, split)
	if _, err := split.takePlan(id); err != nil || split.sweep != nil {
		t.Fatalf("after the last plan was taken: %v, sweep armed %v", err, split.sweep != nil)
	}
}
