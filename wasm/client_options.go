//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"

	"github.com/sealbridge/sealbridge/jsbridge"
	"github.com/sealbridge/sealbridge/wasm/api"
	"github.com/sealbridge/sealbridge/wasm/client"
	"github.com/sealbridge/sealbridge/wasm/sberr"
	"github.com/sealbridge/sealbridge/wasm/session"
)

// readTokenOptions reads the token, its renewal and the cross-tab sharing
// of that renewal. crossTab is index.js's helper (Web Locks and
// BroadcastChannel), passed as createClient's second argument.
func readTokenOptions(opts, crossTab safejs.Value, o *api.ClientOptions) error {
	var err error
	if o.AccessToken, err = jsbridge.OptionalString(opts, "accessToken"); err != nil {
		return err
	}
	if cb := jsbridge.Field(opts, "onAccessTokenExpired"); !jsbridge.IsMissing(cb) {
		if cb.Type() != safejs.TypeFunction {
			return sberr.New(sberr.InvalidArgument, "onAccessTokenExpired must be a function that resolves with a new token")
		}
		o.Renew = renewWith(cb)
	}
	if o.Skew, err = millis(opts, "tokenSkewMs"); err != nil {
		return err
	}
	if o.RenewTimeout, err = millis(opts, "renewTimeoutMs"); err != nil {
		return err
	}
	if o.LockTimeout, err = millis(opts, "lockTimeoutMs"); err != nil {
		return err
	}
	share := jsbridge.Field(opts, "crossTabRenewal")
	if !jsbridge.IsMissing(share) && share.Type() != safejs.TypeBoolean {
		return sberr.New(sberr.InvalidArgument, "crossTabRenewal must be true or false")
	}
	if on, _ := share.Bool(); jsbridge.IsMissing(share) || on {
		o.Tabs = func(scope string) session.Tabs {
			if t := jsbridge.NewCrossTab(crossTab, scope); t != nil {
				return tabs{t}
			}
			return nil
		}
	}
	return nil
}

// tabs adapts jsbridge.CrossTab to session.Tabs.
type tabs struct{ *jsbridge.CrossTab }

func (t tabs) Post(m session.Message) { t.CrossTab.Post(string(m.Kind), m.Token) }

func (t tabs) Listen(fn func(session.Message)) {
	t.CrossTab.Listen(func(kind, token string) { fn(session.Message{Kind: session.MessageKind(kind), Token: token}) })
}

// proxyFunction reads proxyRequest, the Qonto SDK's ProxyRequestFunction.
func proxyFunction(v safejs.Value) (client.ProxyFunc, error) {
	if jsbridge.IsMissing(v) {
		return nil, nil
	}
	if v.Type() != safejs.TypeFunction {
		return nil, sberr.New(sberr.InvalidArgument, "proxyRequest must be a function (descriptor) => Promise<response text>")
	}
	return jsbridge.ProxyFunction(v), nil
}

// readHooks reads onRequest and onResponse. They get events built here
// from client.Event, which has no field for a header, body or token.
func readHooks(opts safejs.Value) (client.Hooks, error) {
	var h client.Hooks
	for name, set := range map[string]func(func(client.Event)){
		"onRequest":  func(f func(client.Event)) { h.OnRequest = f },
		"onResponse": func(f func(client.Event)) { h.OnResponse = f },
	} {
		fn := jsbridge.Field(opts, name)
		if jsbridge.IsMissing(fn) {
			continue
		}
		if fn.Type() != safejs.TypeFunction {
			return h, sberr.New(sberr.InvalidArgument, "%s must be a function", name)
		}
		response := name == "onResponse"
		set(func(e client.Event) { jsbridge.CallHook(fn, hookEvent(e, response)) })
	}
	return h, nil
}

func hookEvent(e client.Event, response bool) map[string]any {
	ev := map[string]any{"method": e.Method, "path": e.Path, "attempt": e.Attempt}
	if response {
		ev["status"] = e.Status
		ev["durationMs"] = float64(e.Duration.Microseconds()) / 1000
		ev["code"] = nil
		if e.Code != "" {
			ev["code"] = string(e.Code)
		}
	}
	return ev
}
