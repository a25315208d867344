package session

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

func redisStore(t *testing.T, url string, opt Options) *Sealed {
	t.Helper()
	s, err := Open(url, opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// memoryDump is every byte a memory backend holds: keys and values.
func memoryDump(m *MemoryBackend) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var buf bytes.Buffer
	for k, el := range m.sessions {
		buf.WriteString(k)
		buf.Write(el.Value.(*memoryEntry).item.Value)
	}
	for k, v := range m.locks {
		buf.WriteString(k + v.token)
	}
	for k := range m.counters {
		buf.WriteString(k)
	}
	return buf.Bytes()
}

// redisDump is every key and value in the Redis database, as a person
// with access to Redis (or its AOF file) would see them.
func redisDump(t *testing.T, r *RedisBackend) []byte {
	t.Helper()
	ctx := context.Background()
	keys, err := r.Client().Keys(ctx, "*").Result() // every prefix: nothing anywhere may leak
	require.NoError(t, err)
	var buf bytes.Buffer
	for _, k := range keys {
		v, err := r.Client().Dump(ctx, k).Result()
		if errors.Is(err, redis.Nil) {
			continue // expired or deleted since KEYS (another case's short-lived key)
		}
		require.NoError(t, err)
		buf.WriteString(k)
		buf.WriteString(v)
	}
	return buf.Bytes()
}
