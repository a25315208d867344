package session

import (
	"errors"
	"strings"
)

// EnvStore names the session store: empty or "memory" for process memory,
// redis://[user:pass@]host:port/db or rediss://… for Redis.
const EnvStore = "SEALBRIDGE_SESSION_STORE"

// Open returns the Store that config (the value of SEALBRIDGE_SESSION_STORE)
// names. It does not wait for Redis: the first calls, and /readyz, tell
// whether it answers.
func Open(config string, opt Options) (*Sealed, error) {
	switch {
	case config == "" || config == "memory":
		return NewStore(NewMemoryBackend(opt.MaxSessions), opt), nil
	case strings.HasPrefix(config, "redis://") || strings.HasPrefix(config, "rediss://"):
		b, err := NewRedisBackend(config)
		if err != nil {
			return nil, err
		}
		return NewStore(b, opt), nil
	default:
		return nil, errors.New(EnvStore + ` must be empty, "memory", or a redis:// or rediss:// URL`)
	}
}
