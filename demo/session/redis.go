package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBackend keeps sealed sessions, locks and counters in Redis, so that
// every dev-server instance pointed at the same Redis shares them. Each
// operation is one command or one Lua script: atomic on the server.
type RedisBackend struct {
	c *redis.Client
}

// Timeouts bound every Redis call, so that an outage costs a caller about
// a second and a clear 503, never a hang.
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = time.Second
)

// NewRedisBackend connects to the Redis named by url: redis://[user:pass@]host:port/db,
// or rediss:// for TLS. It does not wait for Redis to answer (see Ping).
func NewRedisBackend(url string) (*RedisBackend, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: say what is wrong without it.
		return nil, errors.New("session store: not a redis:// or rediss:// URL of the form redis://[user:pass@]host:port/db")
	}
	opt.DialTimeout = redisDialTimeout
	opt.ReadTimeout = redisIOTimeout
	opt.WriteTimeout = redisIOTimeout
	opt.PoolTimeout = redisIOTimeout
	opt.MaxRetries = 1
	opt.ContextTimeoutEnabled = true
	return &RedisBackend{c: redis.NewClient(opt)}, nil
}

// Add implements Backend: SET NX PX.
func (r *RedisBackend) Add(ctx context.Context, key string, item Item) (bool, error) {
	return r.c.SetNX(ctx, key, item.Value, item.TTL).Result()
}

// Load implements Backend: GET and PTTL in one round trip.
func (r *RedisBackend) Load(ctx context.Context, key string) ([]byte, time.Duration, error) {
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, key)
		ttl = p.PTTL(ctx, key)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, 0, errNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	b, err := get.Bytes()
	if err != nil {
		return nil, 0, err
	}
	return b, ttl.Val(), nil
}

// swapScript is compare-and-set on the whole value: the session is
// replaced only if nobody wrote it since it was read.
var swapScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`)

// Swap implements Backend.
func (r *RedisBackend) Swap(ctx context.Context, key string, old []byte, item Item) (bool, error) {
	n, err := swapScript.Run(ctx, r.c, []string{key}, old, item.Value, millis(item.TTL)).Int()
	return n == 1, err
}

// Touch implements Backend: PEXPIRE.
func (r *RedisBackend) Touch(ctx context.Context, key string, ttl time.Duration) error {
	return r.c.PExpire(ctx, key, ttl).Err()
}

// Remove implements Backend: DEL.
func (r *RedisBackend) Remove(ctx context.Context, key string) error {
	return r.c.Del(ctx, key).Err()
}

// TryLock implements Backend: SET key token NX PX ttl.
func (r *RedisBackend) TryLock(ctx context.Context, key, token string, ttl time.Duration) (bool, error) {
	return r.c.SetNX(ctx, key, token, ttl).Result()
}

// unlockScript deletes the lock only if it still holds our token.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// Unlock implements Backend.
func (r *RedisBackend) Unlock(ctx context.Context, key, token string) error {
	return unlockScript.Run(ctx, r.c, []string{key}, token).Err()
}

// incrScript is INCR, with PEXPIRE on the window's first hit (or on a key
// somehow left without one), and the time left.
var incrScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}`)

// Incr implements Backend.
func (r *RedisBackend) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	v, err := incrScript.Run(ctx, r.c, []string{key}, millis(window)).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if len(v) != 2 {
		return 0, 0, fmt.Errorf("session store: unexpected answer to INCR script: %v", v)
	}
	return v[0], time.Duration(v[1]) * time.Millisecond, nil
}

// Ping implements Backend.
func (r *RedisBackend) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Close implements Backend.
func (r *RedisBackend) Close() error { return r.c.Close() }

// Client is the underlying go-redis client (tests dump keys with it).
func (r *RedisBackend) Client() *redis.Client { return r.c }

func millis(d time.Duration) int64 { return max(1, d.Milliseconds()) }
