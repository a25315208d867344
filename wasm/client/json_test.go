package client

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

func directClient(t *testing.T, ft *fakeTransport) *Client {
	t.Helper()
	c, err := New(Config{Transport: ft, BaseURL: "http://127.0.0.1:9"})
	require.NoError(t, err)
	return c
}

// TestBodyIsReadUnderTheStrictRules: in direct mode without seal, nothing
// else reads the body before it leaves, so the call itself refuses a body
// that two readers could take differently, as the sealer and the
// intermediary do in the other paths.
func TestBodyIsReadUnderTheStrictRules(t *testing.T) {
	ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
		return &Response{Status: 200, Body: []byte(`{}`)}, nil
	}}
	c := directClient(t, ft)
	for body, want := range map[string]string{
		`{not json`:               "body must be JSON",
		`{"a":1} {}`:              "body must be JSON",
		`{"iban":"x","IBAN":"y"}`: `body: members "iban" and "IBAN" in the object at the top level are equal after Unicode case folding`,
		`{"k":1,"\u212a":2}`:      `are equal after Unicode case folding`,
		`{"a":1,"a":2}`:           `body: member "a" appears twice`,
		`{"a":"\ud800"}`:          `body: the value at "/a": holds an unpaired UTF-16 surrogate`,
		"{\"a\":\"\xff\"}":        `body: the value at "/a": is not valid UTF-8`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`: "body: the document nests too deeply",
	} {
		_, err := c.Do(context.Background(), Call{Method: "POST", Path: "/x", Body: []byte(body)})
		var e *sberr.Error
		require.ErrorAs(t, err, &e, body)
		assert.Equal(t, sberr.InvalidArgument, e.Code, body)
		assert.Contains(t, e.Message, want, body)
	}
	assert.Zero(t, ft.count())
}

// TestDirectModeAnswerBodies: the page gets the provider's JSON as it is
// when it is JSON under the strict rules, null for no body, an error for a
// success it cannot read, and an error answer's text as a JSON string.
func TestDirectModeAnswerBodies(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		code       sberr.Code
		want       string // the result's body, or a part of the error message
	}{
		{"json", ` {"id": "pay_1"} `, 200, "", ` {"id": "pay_1"} `},
		{"no body", ``, 204, "", `null`},
		{"html success", `<html>`, 200, sberr.BadResponse, "GET /x answered HTTP 200 with a body that is not JSON"},
		{"twins in a success", `{"id":"a","ID":"b"}`, 200, sberr.BadResponse, `GET /x answered HTTP 200 with JSON that readers could take differently: members "id" and "ID"`},
		{"html error", `<b>bad & "worse"</b>`, 502, sberr.HTTPError, `"\u003cb\u003ebad \u0026 \"worse\"\u003c/b\u003e"`},
		{"broken UTF-8 in an error", "oops \xff", 500, sberr.HTTPError, `"oops \ufffd"`},
		{"twins in an error", `{"message":"a","Message":"b"}`, 400, sberr.HTTPError, `"{\"message\":\"a\",\"Message\":\"b\"}"`},
	} {
		ft := &fakeTransport{fn: func(context.Context, *Request) (*Response, error) {
			return &Response{Status: tc.status, Body: []byte(tc.body)}, nil
		}}
		res, err := directClient(t, ft).Do(context.Background(), Call{Path: "/x"})
		if tc.code == "" {
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.want, string(res.Body), tc.name)
			continue
		}
		var e *sberr.Error
		require.ErrorAs(t, err, &e, tc.name)
		assert.Equal(t, tc.code, e.Code, tc.name)
		assert.Equal(t, tc.status, e.Status, tc.name)
		if tc.code == sberr.HTTPError {
			assert.Equal(t, tc.want, string(e.Body), tc.name)
			var text string
			require.NoError(t, json.Unmarshal(e.Body, &text), tc.name)
		} else {
			assert.Contains(t, e.Message, tc.want, tc.name)
		}
	}
}

// FuzzErrorBody holds errorBody to what encoding/json reads into the
// struct the client used before: the same code and message, and the same
// success, for every body the strict rules accept.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{`{"code":"invalid_token"}`, `{"CODE":"RESTRICTED","Message":"no"}`, `{"code":1,"message":"m"}`,
		`{"code":"c","message":null}`, `{"meſſage":"long s","code":null}`, `["code"]`, `"text"`, `{"Code":"a","x":[{"code":2}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if strictjson.Validate(body) != nil || strictjson.KindAt(body) == strictjson.Null {
			return // the client's bodies are strict JSON; null has no members either way
		}
		var want struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		wantOK := json.Unmarshal(body, &want) == nil
		code, message, ok := errorBody(body)
		require.Equal(t, wantOK, ok, "%s", body)
		require.Equal(t, want.Code, code, "%s", body)
		require.Equal(t, want.Message, message, "%s", body)
	})
}
