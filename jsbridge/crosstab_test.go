//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"
	"time"
)

// fakeHelper stands in for index.js's crossTab helper (Node has no Web
// Locks): its lock is granted when __grant(waited) is called, and it
// records releases and aborts.
const fakeHelper = `(name) => {
	globalThis.__tab = { name, released: 0, aborted: 0, posted: [], closed: false };
	return {
		lock: (ms) => {
			let grant;
			const granted = new Promise((r) => (grant = r));
			globalThis.__grant = grant;
			return { granted, release: () => globalThis.__tab.released++, abort: () => globalThis.__tab.aborted++ };
		},
		post: (kind, token) => globalThis.__tab.posted.push(kind + ":" + token),
		listen: (fn) => (globalThis.__deliver = fn),
		close: () => (globalThis.__tab.closed = true),
	};
}`

func TestCrossTabLockGrantAndRelease(t *testing.T) {
	tab := NewCrossTab(eval(t, fakeHelper), "scope-1")
	if tab == nil {
		t.Fatal("no CrossTab from a helper")
	}
	defer tab.Close()
	go func() { time.Sleep(10 * time.Millisecond); eval(t, `globalThis.__grant(true)`) }()
	release, waited, err := tab.Lock(context.Background())
	if err != nil || !waited {
		t.Fatalf("got waited=%v, %v", waited, err)
	}
	release()
	release() // once only
	if n, _ := eval(t, `globalThis.__tab.released`).Int(); n != 1 {
		t.Fatalf("released %d times", n)
	}
}

func TestCrossTabLockGivesUpAbortsAndReleases(t *testing.T) {
	tab := NewCrossTab(eval(t, fakeHelper), "scope-2")
	defer tab.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := tab.Lock(ctx); err == nil {
		t.Fatal("a lock never granted must time out")
	}
	if s, _ := eval(t, `globalThis.__tab.aborted + "/" + globalThis.__tab.released`).String(); s != "1/1" {
		t.Fatalf("aborted/released = %s: a late grant would keep the lock", s)
	}
}

func TestCrossTabMessagesInOrderAndClose(t *testing.T) {
	tab := NewCrossTab(eval(t, fakeHelper), "scope-3")
	got := make(chan string, 10)
	tab.Listen(func(kind, token string) { got <- kind + ":" + token })
	eval(t, `(globalThis.__deliver("token", "a"), globalThis.__deliver(42, "ignored"), globalThis.__deliver("ask", ""), 0)`)
	for _, want := range []string{"token:a", "ask:"} {
		select {
		case m := <-got:
			if m != want {
				t.Fatalf("got %q, want %q", m, want)
			}
		case <-time.After(time.Second):
			t.Fatalf("no %q", want)
		}
	}
	tab.Post("token", "b")
	tab.Close()
	tab.Close()
	if s, _ := eval(t, `globalThis.__tab.posted.join() + " " + globalThis.__tab.closed`).String(); s != "token:b true" {
		t.Fatalf("got %q", s)
	}
}

func TestCrossTabWithoutHelperIsNil(t *testing.T) {
	if NewCrossTab(eval(t, `undefined`), "x") != nil || NewCrossTab(eval(t, `() => null`), "x") != nil {
		t.Fatal("no helper or no Web Locks must mean no sharing")
	}
}
