package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/testutil"
)

// servedKey fetches the current public key the way a page would.
func servedKey(t *testing.T, srv *httptest.Server) (*rsa.PublicKey, string) {
	t.Helper()
	res, body := doRequest(t, srv, http.MethodGet, KeyPath, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	k := parseJWK(t, body)
	return k.Key.(*rsa.PublicKey), k.KeyID
}

// sealWith makes a compact JWE with the given algorithms and options.
func sealWith(t *testing.T, pub *rsa.PublicKey, kid string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, opts *jose.EncrypterOptions, plain []byte) string {
	t.Helper()
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: pub, KeyID: kid}, opts)
	require.NoError(t, err)
	obj, err := e.Encrypt(plain)
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// seal is what the shim does: RSA-OAEP-256, A256GCM, kid.
func seal(t *testing.T, pub *rsa.PublicKey, kid, plain string) string {
	t.Helper()
	return sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A256GCM, nil, []byte(plain))
}

func postConnection(t *testing.T, srv *httptest.Server, token string, body any) (*http.Response, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(t, err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return doRequest(t, srv, http.MethodPost, ConnectionsPath, h, bytes.NewReader(raw))
}

type syncBuffer = testutil.Buffer

func TestConnectionSealedRoundTrip(t *testing.T) {
	clock := newTestClock()
	var logs syncBuffer
	s, srv := newTestSandbox(t, Config{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)

	login, password := "jean.dupont", "S3cr€t p@ss"
	sealedLogin, sealedPassword := seal(t, pub, kid, login), seal(t, pub, kid, password)
	res, body := postConnection(t, srv, tok, map[string]any{
		"id_connector": 40, "login": sealedLogin, "password": sealedPassword, "website": "par",
	})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", body)
	assert.JSONEq(t, `{"id":1,"id_connector":40,"state":null,"fields":["login","password","website"]}`, string(body))
	for _, secret := range []string{login, password, sealedLogin, sealedPassword} {
		assert.NotContains(t, string(body), secret)
		assert.NotContains(t, logs.String(), secret, "logs must hold no value")
	}

	conns := s.Connections()
	require.Len(t, conns, 1)
	assert.Equal(t, Connection{ID: 1, Connector: 40, Created: clock.Now(),
		Fields: map[string]string{"login": login, "password": password, "website": "par"}}, conns[0])
	assert.Equal(t, 1, s.ConnectionAttempts())

	// Connections hands out copies.
	conns[0].Fields["password"] = "changed"
	assert.Equal(t, password, s.Connections()[0].Fields["password"])

	res, body = postConnection(t, srv, tok, map[string]any{"id_connector": 7, "password": seal(t, pub, kid, "x")})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", body)
	assert.JSONEq(t, `{"id":2,"id_connector":7,"state":null,"fields":["password"]}`, string(body))
}

func TestConnectionRefusesCleartext(t *testing.T) {
	var logs syncBuffer
	s, srv := newTestSandbox(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)

	for _, cleartext := range []string{"hunter2-cleartext", "", "a.b.c.d.e", `{"ciphertext-ish":1}`} {
		res, body := postConnection(t, srv, tok, map[string]any{
			"id_connector": 40, "login": seal(t, pub, kid, "jean"), "password": cleartext,
		})
		require.Equal(t, http.StatusBadRequest, res.StatusCode)
		e := apiErrorOf(t, body)
		if cleartext == "a.b.c.d.e" { // shaped like a JWE: judged as one
			assert.Equal(t, "invalid_jwe", e.Code)
		} else {
			assert.Equal(t, "cleartext_field", e.Code)
			assert.Contains(t, e.Message, `"password"`)
		}
		if cleartext != "" {
			assert.NotContains(t, string(body), cleartext, "never echo the value")
			assert.NotContains(t, logs.String(), cleartext, "never log the value")
		}
	}
	assert.Empty(t, s.Connections())
	assert.Equal(t, 4, s.ConnectionAttempts())
}

func TestConnectionRefusesBadJWE(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)
	good := seal(t, pub, kid, "s3cret")
	parts := strings.Split(good, ".")
	flip := func(i int) string {
		p := append([]string(nil), parts...)
		b, err := base64.RawURLEncoding.DecodeString(p[i])
		require.NoError(t, err)
		b[len(b)/2] ^= 1
		p[i] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(p, ".")
	}
	withHeader := func(h string) string {
		p := append([]string(nil), parts...)
		p[0] = base64.RawURLEncoding.EncodeToString([]byte(h))
		return strings.Join(p, ".")
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: pub, KeyID: kid}, nil)
	require.NoError(t, err)
	obj, err := e.Encrypt([]byte("s3cret"))
	require.NoError(t, err)

	for name, v := range map[string]string{
		"RSA1_5":             sealWith(t, pub, kid, jose.RSA1_5, jose.A256GCM, nil, []byte("s3cret")),
		"RSA-OAEP (SHA-1)":   sealWith(t, pub, kid, jose.RSA_OAEP, jose.A256GCM, nil, []byte("s3cret")),
		"A128GCM":            sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A128GCM, nil, []byte("s3cret")),
		"zip":                sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A256GCM, &jose.EncrypterOptions{Compression: jose.DEFLATE}, []byte("s3cret")),
		"crit":               sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A256GCM, (&jose.EncrypterOptions{}).WithHeader("crit", []string{"exp"}).WithHeader("exp", 1), []byte("s3cret")),
		"jku":                sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A256GCM, (&jose.EncrypterOptions{}).WithHeader("jku", "http://127.0.0.1/k"), []byte("s3cret")),
		"no kid":             sealWith(t, pub, "", jose.RSA_OAEP_256, jose.A256GCM, nil, []byte("s3cret")),
		"wrong key same kid": sealWith(t, &other.PublicKey, kid, jose.RSA_OAEP_256, jose.A256GCM, nil, []byte("s3cret")),
		"not UTF-8":          sealWith(t, pub, kid, jose.RSA_OAEP_256, jose.A256GCM, nil, []byte{0xff, 0xfe}),
		"tampered key":       flip(1),
		"tampered iv":        flip(2),
		"tampered text":      flip(3),
		"tampered tag":       flip(4),
		"duplicate header":   withHeader(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"` + kid + `","kid":"` + kid + `"}`),
		"header not JSON":    withHeader(`alg`),
		"JSON serialization": obj.FullSerialize(),
		"empty encrypted key (go-jose panicked before 4.1.4)": strings.Join([]string{parts[0], "", parts[2], parts[3], parts[4]}, "."),
	} {
		t.Run(name, func(t *testing.T) {
			res, body := postConnection(t, srv, tok, map[string]any{"id_connector": 40, "password": v})
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Equal(t, "invalid_jwe", apiErrorOf(t, body).Code, "body: %s", body)
			assert.NotContains(t, string(body), "s3cret")
		})
	}
	assert.Empty(t, s.Connections())

	// The untouched one still goes through: the failures above are the tampering.
	res, body := postConnection(t, srv, tok, map[string]any{"id_connector": 40, "password": good})
	assert.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", body)
}

// A value of many dots (the shape of go-jose's CVE-2025-27144) is refused
// before go-jose parses it.
func TestConnectionRefusesManyDots(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)
	res, _ := postConnection(t, srv, tok, map[string]any{"id_connector": 40, "password": seal(t, pub, kid, "s3cret") + strings.Repeat(".", 2000)})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Empty(t, s.Connections())
}

func TestConnectionKidRotation(t *testing.T) {
	clock := newTestClock()
	s, srv := newTestSandbox(t, Config{Now: clock.Now})
	tok := clientToken(t, srv, s)
	pub, oldKid := servedKey(t, srv)
	post := func(pub *rsa.PublicKey, kid string) (int, apiError) {
		res, body := postConnection(t, srv, tok, map[string]any{"id_connector": 40, "password": seal(t, pub, kid, "s3cret")})
		if res.StatusCode == http.StatusCreated {
			return res.StatusCode, apiError{}
		}
		return res.StatusCode, apiErrorOf(t, body)
	}

	newKid, err := s.RotateKey(10 * time.Minute)
	require.NoError(t, err)
	status, _ := post(pub, oldKid)
	assert.Equal(t, http.StatusCreated, status, "old kid still decrypts in grace")

	clock.Advance(10 * time.Minute)
	status, e := post(pub, oldKid)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "unknown_kid", e.Code)
	assert.Contains(t, e.Message, "refetch the key")

	newPub, kid := servedKey(t, srv)
	require.Equal(t, newKid, kid)
	status, _ = post(newPub, newKid)
	assert.Equal(t, http.StatusCreated, status, "resealed with the new key")

	_, err = s.RotateKey(0)
	require.NoError(t, err)
	status, e = post(newPub, newKid)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "unknown_kid", e.Code, "grace 0: refused at once")

	status, e = post(newPub, "sbx-00000000")
	assert.Equal(t, "unknown_kid", e.Code, "never-issued kid")
	assert.Equal(t, http.StatusBadRequest, status)
}

func TestConnectionNeedsBearer(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	for _, tok := range []string{"", "sbx_at_forged"} {
		res, body := postConnection(t, srv, tok, map[string]any{"id_connector": 40})
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		assert.Equal(t, "invalid_token", apiErrorOf(t, body).Code)
		assert.NotEmpty(t, res.Header.Get("WWW-Authenticate"))
	}
	assert.Equal(t, 2, s.ConnectionAttempts())
	assert.Empty(t, s.Connections())
}

func TestConnectionRefusesBadBodies(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)
	sealed := seal(t, pub, kid, "s3cret")

	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"duplicate field":        {`{"id_connector":40,"password":"` + sealed + `","password":"` + sealed + `"}`, 400, "bad_json"},
		"duplicate id_connector": {`{"id_connector":40,"id_connector":41}`, 400, "bad_json"},
		"not an object":          {`[1]`, 400, "bad_json"},
		"trailing data":          {`{"id_connector":40}{}`, 400, "bad_json"},
		"broken JSON":            {`{"id_connector":40,`, 400, "bad_json"},
		"empty":                  {``, 400, "bad_json"},
		"no id_connector":        {`{"password":"` + sealed + `"}`, 400, "invalid_request"},
		"id_connector string":    {`{"id_connector":"40"}`, 400, "invalid_request"},
		"id_connector zero":      {`{"id_connector":0}`, 400, "invalid_request"},
		"id_connector float":     {`{"id_connector":4.5}`, 400, "invalid_request"},
		"id_connector null":      {`{"id_connector":null}`, 400, "invalid_request"},
		"field not a string":     {`{"id_connector":40,"website":3}`, 400, "invalid_request"},
		"sealed field object":    {`{"id_connector":40,"password":{"v":"s3cret"}}`, 400, "invalid_request"},
		"oversize":               {`{"id_connector":40,"website":"` + strings.Repeat("x", 64<<10) + `"}`, 413, "too_large"},
	} {
		t.Run(name, func(t *testing.T) {
			res, body := postConnection(t, srv, tok, tc.body)
			assert.Equal(t, tc.status, res.StatusCode)
			assert.Equal(t, tc.code, apiErrorOf(t, body).Code, "body: %s", body)
			assert.NotContains(t, string(body), "s3cret")
		})
	}
	assert.Empty(t, s.Connections())
}

func TestConnectionTooManyFields(t *testing.T) {
	s, srv := newTestSandbox(t, Config{})
	tok := clientToken(t, srv, s)
	body := map[string]any{"id_connector": 40}
	for i := range maxConnectionFields + 1 {
		body[strings.Repeat("f", i+1)] = "v"
	}
	res, raw := postConnection(t, srv, tok, body)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "invalid_request", apiErrorOf(t, raw).Code)
}

func TestConnectionSensitiveFieldsConfigurable(t *testing.T) {
	s, srv := newTestSandbox(t, Config{Keys: KeysConfig{Sensitive: []string{"pin"}}})
	assert.Equal(t, []string{"pin"}, s.SensitiveFields())
	tok := clientToken(t, srv, s)
	pub, kid := servedKey(t, srv)

	res, body := postConnection(t, srv, tok, map[string]any{"id_connector": 1, "login": "jean", "pin": "1234"})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "cleartext_field", apiErrorOf(t, body).Code)

	res, body = postConnection(t, srv, tok, map[string]any{"id_connector": 1, "login": "jean", "pin": seal(t, pub, kid, "1234")})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", body)
	assert.Equal(t, map[string]string{"login": "jean", "pin": "1234"}, s.Connections()[0].Fields)
}

func TestDefaultSensitiveFields(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	assert.Equal(t, []string{"login", "password"}, s.SensitiveFields())
}

// FuzzConnectionBody: whatever the body, the answer is a clean 201, 400 or
// 413, never a panic or a 5xx.
func FuzzConnectionBody(f *testing.F) {
	s, err := New(Config{})
	require.NoError(f, err)
	tok := s.tokens.issue(grant{ClientID: s.client.ID, Expires: time.Now().Add(time.Hour)})
	s.KeyID() // the first key is made on first use
	k := publicJWK(s.keys.current)
	e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: k.Key, KeyID: k.KeyID}, nil)
	require.NoError(f, err)
	obj, err := e.Encrypt([]byte("s3cret"))
	require.NoError(f, err)
	sealed, err := obj.CompactSerialize()
	require.NoError(f, err)
	for _, seed := range []string{
		`{"id_connector":40,"login":"` + sealed + `","password":"` + sealed + `"}`,
		`{"id_connector":40,"password":"clear"}`,
		`{"id_connector":40,"password":"a.b.c.d.e"}`,
		`{"id_connector":40,"password":"` + sealed[:len(sealed)/2] + `"}`,
		`{"id_connector":1e3}`, `{}`, `[]`, `null`, `{"a":1,"a":2}`, `{"id_connector":40,"x":"\u0000"}`,
	} {
		f.Add(seed)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, ConnectionsPath, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code == http.StatusCreated {
			// Only names come back: a sealed value never does.
			assert.NotContains(t, rec.Body.String(), sealed)
		}
	})
}
