package seal

import "sync"

// CacheSize bounds a Cache. A page talks to one provider, which rarely
// serves more than a couple of keys at once; the bound only stops a caller
// that imports keys in a loop from growing memory without end.
const CacheSize = 64

// Cache keeps imported keys by kid, so that the JS side can refer to a key
// by a small handle. It is safe for concurrent use and holds at most
// CacheSize keys, evicting the one put longest ago.
type Cache struct {
	mu    sync.Mutex
	keys  map[string]*Key
	order []string // kids, oldest first
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{keys: make(map[string]*Key)}
}

// Put stores k under its kid, replacing any key with that kid (a rotated key
// reuses or replaces a kid; the newest import wins) and making it the newest.
func (c *Cache) Put(k *Key) {
	if k == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.keys[k.kid]; ok {
		c.remove(k.kid)
	}
	for len(c.order) >= CacheSize {
		delete(c.keys, c.order[0])
		c.order = c.order[1:]
	}
	c.keys[k.kid] = k
	c.order = append(c.order, k.kid)
}

// Get returns the key stored under kid.
func (c *Cache) Get(kid string) (*Key, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[kid]
	return k, ok
}

// Len returns the number of keys held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

func (c *Cache) remove(kid string) {
	delete(c.keys, kid)
	for i, id := range c.order {
		if id == kid {
			c.order = append(c.order[:i:i], c.order[i+1:]...)
			return
		}
	}
}
