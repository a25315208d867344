package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// sealWith is a Keyring that cannot be refreshed, sealing with fn.
func sealWith(fn func([]byte) ([]byte, error)) Keyring { return fixedKey(fn) }

type fixedKey func([]byte) ([]byte, error)

func (f fixedKey) Seal(b []byte, _ []string) ([]byte, string, error) {
	out, err := f(b)
	return out, "fixed", err
}

func (fixedKey) Refresh(context.Context, string) error {
	return sberr.New(sberr.KeyUnknown, "fixed key")
}

// rotatingKeys seals "secret" as "sealed-by-<key>" and records every body it
// was asked to seal; Refresh moves to the next key.
type rotatingKeys struct {
	mu       sync.Mutex
	gen      int
	seen     []string
	refreshs []string
	stuck    bool // Refresh fails like a key endpoint still serving the old key
}

func (k *rotatingKeys) Seal(b []byte, _ []string) ([]byte, string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen = append(k.seen, string(b))
	id := fmt.Sprint("k", k.gen)
	return []byte(strings.ReplaceAll(string(b), "secret", "sealed-by-"+id)), id, nil
}

func (k *rotatingKeys) Refresh(_ context.Context, keyID string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refreshs = append(k.refreshs, keyID)
	if k.stuck {
		return sberr.New(sberr.KeyUnknown, "the key endpoint still serves %s", keyID)
	}
	k.gen++
	return nil
}

// kidProvider refuses every body not sealed by one of the known keys with
// the provider's unknown_kid answer.
func kidProvider(t *testing.T, known ...string) *fakeTransport {
	return &fakeTransport{fn: func(_ context.Context, r *Request) (*Response, error) {
		raw, err := base64.StdEncoding.DecodeString(string(r.Body))
		require.NoError(t, err)
		for _, k := range known {
			if strings.Contains(string(raw), "sealed-by-"+k) {
				return envelope(t, 201, `{"ok":true}`, nil), nil
			}
		}
		return envelope(t, 400, `{"code":"unknown_kid","message":"no such kid"}`, nil), nil
	}}
}

func keyClient(t *testing.T, ft *fakeTransport, keys Keyring) *Client {
	c, err := New(Config{Transport: ft, Proxy: &ProxyEndpoint{Path: "/p"}, Keys: keys})
	require.NoError(t, err)
	return c
}

var ibanCall = Call{Method: "POST", Path: "/v2/sepa/beneficiaries", Body: json.RawMessage(`{"iban":"secret","name":"n"}`), Seal: []string{"/iban"}}

func TestRotatedKeyRefreshesResealsFromOriginalAndRetriesOnce(t *testing.T) {
	ft := kidProvider(t, "k1")
	keys := &rotatingKeys{}
	res, err := keyClient(t, ft, keys).Do(context.Background(), ibanCall)
	require.NoError(t, err)
	assert.Equal(t, 201, res.Status)
	assert.Equal(t, []string{"k0"}, keys.refreshs, "one refresh, of the refused key")
	require.Len(t, keys.seen, 2, "one reseal")
	assert.Equal(t, keys.seen[0], keys.seen[1], "the reseal starts from the original values, not from the sealed body")
	assert.Contains(t, keys.seen[1], `"secret"`)
	assert.Equal(t, 2, ft.count())
}

func TestKeyRefusedAgainIsKeyUnknownAfterOneRetry(t *testing.T) {
	ft := kidProvider(t) // knows no key at all
	keys := &rotatingKeys{}
	_, err := keyClient(t, ft, keys).Do(context.Background(), ibanCall)
	e := sberr.As(err)
	assert.Equal(t, sberr.KeyUnknown, e.Code)
	assert.Equal(t, 400, e.Status)
	assert.Contains(t, e.Message, "again")
	assert.Len(t, keys.refreshs, 1)
	assert.Equal(t, 2, ft.count(), "one retry, no loop")
}

func TestKeyRefreshFailureSendsNothingMore(t *testing.T) {
	ft := kidProvider(t)
	keys := &rotatingKeys{stuck: true}
	_, err := keyClient(t, ft, keys).Do(context.Background(), ibanCall)
	assert.Equal(t, sberr.KeyUnknown, sberr.CodeOf(err))
	assert.Equal(t, 1, ft.count(), "no retry with the key the provider refused")
}

func TestUnknownKidWithoutSealingIsNotRetried(t *testing.T) {
	ft := kidProvider(t)
	keys := &rotatingKeys{}
	_, err := keyClient(t, ft, keys).Do(context.Background(), Call{Method: "POST", Path: "/x", Body: json.RawMessage(`{}`)})
	assert.Equal(t, sberr.KeyUnknown, sberr.CodeOf(err))
	assert.Empty(t, keys.refreshs)
	assert.Equal(t, 1, ft.count())
}
