package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Oversized input is refused quickly and the tab stays responsive: a 10 MB
// field, a 1.5 MB document of 200,000 fields and 5,000 pointers each come
// back as a clear payload_too_large or invalid_argument (a document of
// 50,000 fields, within the limits, is sealed), nothing is sent, and a
// timer in the page keeps firing meanwhile (no gap of two seconds or more,
// where a hung tab would show several).
func TestOversizedSealInputKeepsTheTabResponsive(t *testing.T) {
	e := newEnv(t)
	e.open("/")
	var out struct {
		Codes  []string `json:"codes"`
		MaxGap float64  `json:"maxGap"`
	}
	e.eval(`(async () => {
		const { load } = await import("/dist/index.js");
		const sb = await load();
		const config = await (await fetch("/api/config")).json();
		const key = await sb.fetchKey(config.keyURL);
		let last = performance.now(), maxGap = 0;
		const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 10);
		const many = {}, tooMany = {};
		for (let i = 0; i < 50000; i++) many["f" + i] = "v";
		for (let i = 0; i < 200000; i++) tooMany["f" + i] = "v";
		const pointers = Array.from({ length: 5000 }, (_, i) => "/f" + i);
		const codes = [];
		for (const f of [
			() => sb.seal("x".repeat(10 << 20), key),
			() => sb.sealFields({ password: "x".repeat(10 << 20) }, ["/password"], key),
			() => sb.sealFields(many, ["/f1"], key),
			() => sb.sealFields(tooMany, ["/f1"], key),
			() => sb.sealFields(many, pointers, key),
		]) {
			try { await f(); codes.push("sealed"); } catch (e) { codes.push(e.code); }
			await new Promise((r) => setTimeout(r, 50));
		}
		clearInterval(timer);
		return { codes, maxGap };
	})()`, &out)
	require.Equal(t, []string{"payload_too_large", "payload_too_large", "sealed", "payload_too_large", "invalid_argument"}, out.Codes)
	t.Logf("longest gap between timer ticks: %.0f ms", out.MaxGap)
	assert.Less(t, out.MaxGap, 2000.0, "the page's timer stopped for %.0f ms", out.MaxGap)
	require.Empty(t, e.net.sent("/api/connections"))
}
