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
//     would otherwise keep it for the page's lifetime. Each planFields
//     first wipes and drops the plans past their deadline, and a late
//     finishFields is refused with `timeout` (and wipes its plan, if no
//     planFields came first): the page calls sealFields again.
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
	return s.nextPlan, true
}

// takePlan removes and returns the plan numbered id, or says why there is
// none: its deadline passed (the plan is wiped), or no such plan.
func (s *splitSeal) takePlan(id int) (*seal.FieldsPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.plans[id]
	delete(s.plans, id)
	switch {
	case ok && s.now().Sub(p.made) <= planDeadline:
		return p.plan, nil
	case ok:
		p.plan.Wipe()
	case !s.expired[id]:
		return nil, sberr.New(sberr.Internal, "finishFields: no such sealFields call pending")
	}
	delete(s.expired, id)
	return nil, sberr.New(sberr.Timeout, "sealFields: WebCrypto did not seal the values within %d seconds, so Sealbridge wiped them; nothing was sent: call sealFields again", int(planDeadline/time.Second))
}

// dropExpired wipes and drops the plans past their deadline, and notes
// their numbers for the late finishFields. The notes are bounded too: past
// maxPendingPlans they are forgotten, and a late finishFields for one of
// them is told only that no such call is pending.
func (s *splitSeal) dropExpired(now time.Time) {
	for id, p := range s.plans {
		if now.Sub(p.made) <= planDeadline {
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
