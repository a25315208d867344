//go:build js && wasm

package main

import (
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/seal"
)

// The plans of the split sealFields: planFields keeps each one under a
// number until its finishFields, which index.js makes once WebCrypto has
// sealed the values, milliseconds later. A plan holds the document and
// its values in clear, so none waits without bound:
//   - at most maxPendingPlans wait at once; past that, planFields answers
//     nothing and index.js takes the ordinary export, which keeps no plan;
//   - a plan waits at most planDeadline. A finishFields that never comes
//     (a WebCrypto promise that never settles, a page that drops the call)
//     would otherwise keep it for the page's lifetime. A timer, armed
//     while any plan is pending and stopped once none is (a pending Go
//     timer keeps a Node.js process alive), wipes and drops the plans past
//     their deadline even when no other call comes; each planFields does
//     too, and a late finishFields is refused with `timeout` (and wipes
//     its plan, if nothing came first): the page calls sealFields again.
//   - numbers run from 1 to planNumbers-1 and wrap; 0 is never a plan's
//     number (zeroed input names no plan), and a number still pending is
//     skipped, or a late finishFields would finish another document.
const (
	maxPendingPlans = 1024
	planDeadline    = time.Minute
	planNumbers     = 1 << 30
)

// pendingPlan is a plan and when planFields made it.
type pendingPlan struct {
	plan *seal.FieldsPlan
	made time.Time
}

// addPlan keeps p and returns its number; false when maxPendingPlans are
// pending (once those past their deadline are dropped).
func (s *splitSeal) addPlan(p *seal.FieldsPlan) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropExpired(now)
	if len(s.plans) >= maxPendingPlans {
		return 0, false
	}
	for {
		s.nextPlan = (s.nextPlan + 1) % planNumbers
		if _, used := s.plans[s.nextPlan]; s.nextPlan != 0 && !used {
			break
		}
	}
	delete(s.expired, s.nextPlan)
	s.plans[s.nextPlan] = pendingPlan{plan: p, made: now}
	if s.sweep == nil {
		s.armSweep(s.deadline)
	}
	return s.nextPlan, true
}

// takePlan removes and returns the plan numbered id, or says why there is
// none: its deadline passed (the plan is wiped), or no such plan.
func (s *splitSeal) takePlan(id int) (*seal.FieldsPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[id]
	delete(s.plans, id)
	s.stopSweepWhenIdle()
	switch {
	case ok && s.now().Sub(p.made) <= s.deadline:
		return p.plan, nil
	case ok:
		p.plan.Wipe()
	case !s.expired[id]:
		return nil, sberr.New(sberr.Internal, "finishFields: no such sealFields call pending")
	}
	delete(s.expired, id)
	return nil, sberr.New(sberr.Timeout, "sealFields: WebCrypto did not seal the values within %d seconds, so Sealbridge wiped them; nothing was sent: call sealFields again", int(s.deadline/time.Second))
}

// dropExpired wipes and drops the plans past their deadline, and notes
// their numbers for the late finishFields. The notes are bounded too: past
// maxPendingPlans they are forgotten, and a late finishFields for one of
// them is told only that no such call is pending.
func (s *splitSeal) dropExpired(now time.Time) {
	for id, p := range s.plans {
		if now.Sub(p.made) <= s.deadline {
			continue
		}
		p.plan.Wipe()
		delete(s.plans, id)
		if len(s.expired) >= maxPendingPlans {
			clear(s.expired)
		}
		s.expired[id] = true
	}
}

// armSweep starts the timer. Its number tells a timer that fired while
// stopped (its callback then waiting for the lock) from the current one.
func (s *splitSeal) armSweep(after time.Duration) {
	s.sweepArmed++
	armed := s.sweepArmed
	s.sweep = time.AfterFunc(after, func() { s.sweepExpired(armed) })
}

// sweepExpired is the timer's: it drops the plans past their deadline and
// is armed again for the oldest one left, if any.
func (s *splitSeal) sweepExpired(armed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if armed != s.sweepArmed || s.sweep == nil {
		return // stopped, or replaced, since it fired
	}
	now := s.now()
	s.dropExpired(now)
	s.sweep = nil
	if len(s.plans) == 0 {
		return
	}
	oldest := now
	for _, p := range s.plans {
		if p.made.Before(oldest) {
			oldest = p.made
		}
	}
	// Past the deadline by a millisecond, so that the next sweep drops it.
	s.armSweep(oldest.Add(s.deadline + time.Millisecond).Sub(now))
}

// stopSweepWhenIdle stops the timer once no plan is pending.
func (s *splitSeal) stopSweepWhenIdle() {
	if len(s.plans) == 0 && s.sweep != nil {
		s.sweep.Stop()
		s.sweep = nil
	}
}
