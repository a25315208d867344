package redistest

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without redis-server the helper reports an error (Start turns it into
// t.Fatal): a machine without Redis fails the suite, it does not skip.
func TestLaunchWithoutRedisIsAnError(t *testing.T) {
	t.Setenv("REDIS_SERVER", "/nonexistent/redis-server")
	_, err := Launch(t.TempDir())
	assert.ErrorContains(t, err, "redis-server not found")
}

// A started server answers on loopback, stops, and starts again on the
// same port.
func TestStartStopStart(t *testing.T) {
	s := Start(t)
	require.NoError(t, s.ping())
	s.Stop()
	_, err := net.Dial("tcp", s.Addr())
	assert.Error(t, err, "stopped means stopped")
	s.Start()
	assert.NoError(t, s.ping())
}
