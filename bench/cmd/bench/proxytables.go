package main

import (
	"fmt"
	"time"
)

func (r *results) proxyTables() []*table {
	p := r.proxy
	t := &table{
		title: fmt.Sprintf("Proxy overhead: GET /v2/organization as a descriptor, loopback, %d concurrent clients for %s each", p.clients, p.duration),
		head:  []string{"path", "requests/s", "p50 (ms)", "p99 (ms)", "errors", "CPU per call (µs)", "throughput vs direct", "p50 added"},
	}
	for _, run := range []proxyRun{p.direct, p.via} {
		t.add(run.name, fmt.Sprintf("%.0f", run.rps), ms(run.lat.Median), ms(run.lat.P99), fmt.Sprint(run.errors), micros(run.cpu),
			fmt.Sprintf("%.2f×", run.rps/p.direct.rps), ms(run.lat.Median-p.direct.lat.Median))
	}
	one := &table{
		title: "The same, one client (no queueing): what one hop costs",
		head:  []string{"path", "requests/s", "p50 (ms)", "p99 (ms)", "p50 added"},
	}
	for _, run := range []proxyRun{p.direct1, p.via1} {
		one.add(run.name, fmt.Sprintf("%.0f", run.rps), ms(run.lat.Median), ms(run.lat.P99), ms(run.lat.Median-p.direct1.lat.Median))
	}
	slow := &table{
		title: fmt.Sprintf("The same, %d clients, against a provider that takes %s to answer (as a real one across a network would): the budget's case", p.clients, providerDelay),
		head:  []string{"path", "requests/s", "p50 (ms)", "p99 (ms)", "CPU per call (µs)", "cores busy", "throughput vs direct", "p50 added"},
	}
	for _, run := range []proxyRun{p.directSlow, p.viaSlow} {
		slow.add(run.name, fmt.Sprintf("%.0f", run.rps), ms(run.lat.Median), ms(run.lat.P99), micros(run.cpu), fmt.Sprintf("%.2f", run.rps*run.cpu.Seconds()),
			fmt.Sprintf("%.2f×", run.rps/p.directSlow.rps), ms(run.lat.Median-p.directSlow.lat.Median))
	}
	t.notes = append(t.notes, p.cpuBoundNotes()...)
	slow.notes = append(slow.notes, p.budgetNotes())
	return []*table{t, one, slow, p.hopsTable()}
}

// hopsTable splits the budget case's median call into the time the
// servers' handlers held it and the HTTP exchanges around them.
func (p *proxyResults) hopsTable() *table {
	t := &table{
		title: "The budget's case, hop by hop: medians of each part (ms)",
		head:  []string{"path", "call, end to end", "intermediary's handler", fmt.Sprintf("provider's handler (its %s wait included)", providerDelay), "exchange: client ↔ first server", "exchange: intermediary ↔ provider"},
	}
	d, v := p.directSlow, p.viaSlow
	if len(d.held) != 1 || len(v.held) != 2 {
		t.notes = append(t.notes, "Not measured: the handlers' times are missing.")
		return t
	}
	call, prov := d.lat.Median, d.held[0].Median
	t.add("direct", ms(call), "", ms(prov), ms(call-prov), "")
	call, via, prov := v.lat.Median, v.held[0].Median, v.held[1].Median
	t.add("intermediary", ms(call), ms(via), ms(prov), ms(call-via), ms(via-prov))
	t.notes = append(t.notes,
		"Each server's handler is timed from the start of its ServeHTTP to its return (bench/cmd/bench/stopwatch.go), the intermediary's around all of its work (the descriptor's checks, the provider's call, the answer's checks). "+
			"An exchange is the difference of two medians: what the caller waited less what the handler held the call, that is, the request and the answer written and read by net/http on both sides, the goroutines that do it woken, and the wait for a core.",
		p.exchangeNote(via-prov, d.lat.Median-d.held[0].Median),
		fmt.Sprintf("The provider's handler holds a call longer than its %s wait: the sandbox's own work, and time.Sleep waking late (when the process has nothing to run, the Go runtime waits for its next timer in whole milliseconds: runtime/netpoll_epoll.go). "+
			"Both paths meet the same provider.", providerDelay),
	)
	return t
}

func (p *proxyResults) cpuBoundNotes() []string {
	return []string{
		"direct = POST /v1/encoded_requests/dispatch on the sandbox with the bearer token; intermediary = the page's call (raw descriptor, X-Sealbridge-Request) " +
			"to demo/intermediary, which checks and re-encodes it and makes that same dispatch call. Load generator, intermediary and sandbox share this process and its 2 cores. " +
			"CPU per call is the process's CPU time (user + system, getrusage) over the run divided by the calls answered: all three parts together.",
		"The intermediary runs with its default upstream client (provider.NewTransport: 64 idle connections to the provider, so 32 concurrent calls reuse theirs); " +
			"the load generator's pool keeps 64 per host too, and each run opens one connection per client before its clock starts, for both paths alike.",
		fmt.Sprintf("This table is CPU-bound: the sandbox answers in microseconds, so each path runs as fast as the two shared cores allow, and its throughput follows the CPU a call costs. "+
			"Through the intermediary a call costs %s µs more (%s against %s): a second HTTP exchange (a request parsed and answered, a request sent and its answer read, in net/http) "+
			"and the handler's own work (the descriptor read under the strict-JSON rules, checked against the allowlist and re-encoded; the answer checked: BenchmarkOwnWork in demo/intermediary). "+
			"No change to the intermediary can make two exchanges as cheap as one here: a hop that checks nothing (BenchmarkBareHop, same transport) costs most of the difference.",
			micros(p.via.cpu-p.direct.cpu), micros(p.via.cpu), micros(p.direct.cpu)),
	}
}

func (p *proxyResults) budgetNotes() string {
	return fmt.Sprintf("With %d clients each waiting %s per call, throughput is %d calls per (%s + the rest of a call), so the intermediary keeps 0.95× of direct only if its hop, "+
		"waiting for a core included, adds under about %s ms to a call. The hop's work is the difference in CPU per call (%s µs here); cores busy = requests/s × CPU per call, "+
		"the share of the 2 cores each path kept busy. What the machine's other processes leave of the cores is not measured here (see the load average in the header): "+
		"when it is less than a path needs at the moment calls arrive together, they wait, and the wait grows with each hop's scheduling, not with the handler's work. "+
		"The two paths take turns in 6 rounds, each going first in 3.",
		p.clients, providerDelay, p.clients, providerDelay, fmt.Sprintf("%.1f", 0.05*p.directSlow.lat.Median), micros(p.viaSlow.cpu-p.directSlow.cpu))
}

// micros formats a duration in whole microseconds.
func micros(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }

// exchangeNote compares the intermediary's exchange with the provider to
// the direct path's, and to the CPU the intermediary adds.
func (p *proxyResults) exchangeNote(inner, direct float64) string {
	note := fmt.Sprintf("The intermediary's own exchange with the provider took %s ms here, the direct path's single exchange %s ms; "+
		"a call through the intermediary cost %s µs of CPU more than a direct one, the handler's checks included.",
		ms(inner), ms(direct), micros(p.viaSlow.cpu-p.directSlow.cpu))
	cpu := float64(p.viaSlow.cpu-p.directSlow.cpu) / float64(time.Millisecond)
	if direct > 0.5 && inner > 0.5 && cpu < inner/2 {
		note += " The budget's 0.5 ms is less than the one exchange the direct path already pays on this machine at this load: most of an exchange's time is waiting (for the goroutines that write and read to be woken, and for a core), not the intermediary's work."
	}
	return note
}
