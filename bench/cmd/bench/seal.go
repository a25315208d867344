package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	jose "github.com/go-jose/go-jose/v4"
)

// plaintext is the anchors' "100-byte JSON".
const plaintext = `{"login":"jean.dupont@example.com","password":"correct horse battery staple","otp":"123456","n":1}`

// fieldsBody is a realistic connection body (the Powens pattern): the
// login and password are sealed, the rest travels as it is.
var fieldsBody = map[string]any{
	"id_connector": 40,
	"login":        "jean.dupont@example.com",
	"password":     "correct horse battery staple",
	"website":      "par",
	"birthday":     "1980-01-31",
	"options":      map[string]any{"save_credentials": true, "language": "fr"},
}

var fieldsPointers = []string{"/login", "/password"}

var sealLibs = []string{"sealbridge", "jose", "webcrypto"}

type sealSetup struct {
	LoadMs            float64            `json:"loadMs"`
	SbImportMs        float64            `json:"sbImportMs"`
	SbImportAgainMs   float64            `json:"sbImportAgainMs"`
	JoseImportMs      float64            `json:"joseImportMs"`
	WebcryptoImportMs float64            `json:"webcryptoImportMs"`
	WarmDigestMs      float64            `json:"warmDigestMs"`
	WarmImportMs      float64            `json:"warmImportMs"`
	First             map[string]float64 `json:"first"`
	JWE               map[string]string  `json:"jwe"`
	MemoryBytes       int64              `json:"memoryBytes"`
}

type sealResults struct {
	setup  sealSetup
	calls  map[string][]float64 // per library, after warm-up
	fields map[string][]float64 // sealbridge, jose
}

// benchKey is a fresh provider key pair; the page gets the public JWK.
type benchKey struct {
	priv *rsa.PrivateKey
	jwk  map[string]any
}

func newBenchKey() (*benchKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	return &benchKey{priv: priv, jwk: map[string]any{
		"kty": "RSA", "kid": "bench-1", "use": "enc", "alg": "RSA-OAEP-256",
		"n": b64(priv.N.Bytes()), "e": b64(big.NewInt(int64(priv.E)).Bytes()),
	}}, nil
}

// open checks that jwe is a compact JWE with the wire format's header that
// the private key opens to want: a benchmark of broken sealing is no
// benchmark.
func (k *benchKey) open(jwe, want string) error {
	obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return err
	}
	if obj.Header.KeyID != "bench-1" {
		return fmt.Errorf("kid %q", obj.Header.KeyID)
	}
	got, err := obj.Decrypt(k.priv)
	if err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("decrypted to %q", got)
	}
	return nil
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// openSealPage opens the seal page in a fresh context and runs its setup.
func openSealPage(c *chrome, s *site, key *benchKey) (context.Context, func(), sealSetup, error) {
	var setup sealSetup
	tab, cancel, err := c.tab(3 * time.Minute)
	if err != nil {
		return nil, nil, setup, err
	}
	var ready bool
	err = chromedp.Run(tab,
		chromedp.Navigate(s.srv.URL+"/seal"),
		chromedp.Poll(`window.__setupReady === true`, &ready, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err == nil {
		err = eval(tab, fmt.Sprintf(`bench.setup(%s, %s)`, js(key.jwk), js(plaintext)), &setup)
	}
	if err != nil {
		cancel()
		return nil, nil, setup, fmt.Errorf("seal page: %w", err)
	}
	for _, lib := range sealLibs {
		if err := key.open(setup.JWE[lib], plaintext); err != nil {
			cancel()
			return nil, nil, setup, fmt.Errorf("%s's JWE does not open: %w", lib, err)
		}
	}
	return tab, cancel, setup, nil
}

// measureSeal times calls sequential seals per library after warm-up, in
// rounds that take turns between the libraries, then sealFields.
func measureSeal(c *chrome, s *site, key *benchKey, calls int) (*sealResults, error) {
	tab, cancel, setup, err := openSealPage(c, s, key)
	if err != nil {
		return nil, err
	}
	defer cancel()
	res := &sealResults{setup: setup, calls: map[string][]float64{}, fields: map[string][]float64{}}
	const rounds = 3
	per := (calls + rounds - 1) / rounds
	for _, lib := range sealLibs { // warm-up: the JITs tier up
		var discard []float64
		if err := eval(tab, fmt.Sprintf(`bench.run(%q, 200, %s)`, lib, js(plaintext)), &discard); err != nil {
			return nil, err
		}
	}
	for range rounds {
		for _, lib := range sealLibs {
			var ms []float64
			if err := eval(tab, fmt.Sprintf(`bench.run(%q, %d, %s)`, lib, per, js(plaintext)), &ms); err != nil {
				return nil, err
			}
			res.calls[lib] = append(res.calls[lib], ms...)
		}
	}

	fieldLibs := []string{"sealbridge", "jose"}
	for _, lib := range fieldLibs {
		var discard struct{}
		if err := eval(tab, fmt.Sprintf(`bench.fields(%q, 50, %s, %s).then(() => ({}))`, lib, js(fieldsBody), js(fieldsPointers)), &discard); err != nil {
			return nil, err
		}
	}
	for range rounds {
		for _, lib := range fieldLibs {
			var out struct {
				Ms   []float64      `json:"ms"`
				Last map[string]any `json:"last"`
			}
			if err := eval(tab, fmt.Sprintf(`bench.fields(%q, %d, %s, %s)`, lib, per, js(fieldsBody), js(fieldsPointers)), &out); err != nil {
				return nil, err
			}
			for _, p := range fieldsPointers {
				name := strings.TrimPrefix(p, "/")
				jwe, _ := out.Last[name].(string)
				if err := key.open(jwe, fieldsBody[name].(string)); err != nil {
					return nil, fmt.Errorf("%s sealed %s badly: %w", lib, p, err)
				}
			}
			res.fields[lib] = append(res.fields[lib], out.Ms...)
		}
	}
	return res, nil
}

type memPoint struct {
	Seals int   `json:"seals"`
	Bytes int64 `json:"bytes"`
}

// measureMemory seals 10,000 times in a fresh page and reads the module's
// linear memory along the way.
func measureMemory(c *chrome, s *site, key *benchKey) (int64, []memPoint, error) {
	tab, cancel, setup, err := openSealPage(c, s, key)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	var pts []memPoint
	err = eval(tab, fmt.Sprintf(`bench.memory([100, 1000, 2500, 5000, 7500, 10000], %s)`, js(plaintext)), &pts)
	return setup.MemoryBytes, pts, err
}
