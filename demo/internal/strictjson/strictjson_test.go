package strictjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeObject(t *testing.T) {
	m, err := DecodeObject([]byte(` {"a": 1, "b": {"c": [2]}} `))
	require.NoError(t, err)
	assert.JSONEq(t, `{"c":[2]}`, string(m["b"]))

	for name, bad := range map[string]string{
		"duplicate":         `{"password":"x","password":"y"}`,
		"escaped duplicate": `{"password":"x","passwor\u0064":"y"}`,
		"trailing data":     `{"a":1} x`,
		"two objects":       `{"a":1}{}`,
		"array":             `[{"a":1}]`,
		"truncated":         `{"a":`,
		"empty":             ``,
	} {
		_, err := DecodeObject([]byte(bad))
		assert.Error(t, err, name)
		if err != nil {
			assert.NotContains(t, err.Error(), `"x"`, "errors never quote values")
		}
	}
}
