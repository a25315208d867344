package seal

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func cacheKey(t testing.TB, kid string) *Key {
	t.Helper()
	a, _, _ := testKeys(t)
	return importKid(t, &a.PublicKey, kid, std)
}

func TestCachePutGet(t *testing.T) {
	c := NewCache()
	_, ok := c.Get("a")
	require.False(t, ok)

	ka := cacheKey(t, "a")
	c.Put(ka)
	got, ok := c.Get("a")
	require.True(t, ok)
	require.Same(t, ka, got)

	// A new import under the same kid (a rotation) replaces the old key.
	ka2 := cacheKey(t, "a")
	c.Put(ka2)
	got, _ = c.Get("a")
	require.Same(t, ka2, got)
	require.Equal(t, 1, c.Len())

	c.Put(nil)
	require.Equal(t, 1, c.Len())
}

func TestCacheEvictsOldest(t *testing.T) {
	c := NewCache()
	keys := make([]*Key, CacheSize+1)
	for i := range keys {
		keys[i] = cacheKey(t, fmt.Sprintf("k%d", i))
	}
	for _, k := range keys[:CacheSize] {
		c.Put(k)
	}
	// Re-putting k0 makes it the newest, so k1 is now the oldest.
	c.Put(keys[0])
	c.Put(keys[CacheSize])
	require.Equal(t, CacheSize, c.Len())

	_, ok := c.Get("k1")
	require.False(t, ok, "the oldest key is evicted")
	for _, kid := range []string{"k0", "k2", fmt.Sprintf("k%d", CacheSize-1), fmt.Sprintf("k%d", CacheSize)} {
		_, ok := c.Get(kid)
		require.True(t, ok, kid)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache()
	keys := make([]*Key, 8)
	for i := range keys {
		keys[i] = cacheKey(t, fmt.Sprintf("k%d", i))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := keys[(g+i)%len(keys)]
				c.Put(k)
				if got, ok := c.Get(k.Kid()); ok {
					require.Equal(t, k.Kid(), got.Kid())
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, len(keys), c.Len())
}
