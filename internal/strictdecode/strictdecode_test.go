package strictdecode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

func TestUnmarshal(t *testing.T) {
	var v struct {
		InvoiceID string `json:"invoice_id"`
	}
	require.NoError(t, Unmarshal([]byte(`{"invoice_id":"inv_1"}`), &v))
	assert.Equal(t, "inv_1", v.InvoiceID)
	assert.ErrorIs(t, Unmarshal([]byte(`{"invoice_id":"a","INVOICE_ID":"b"}`), &v), strictjson.ErrFoldTwin)
	assert.Error(t, Unmarshal([]byte(`{"other":1}`), &v), "unknown member")
	assert.ErrorIs(t, Unmarshal([]byte(`{"invoice_id":"a"} {}`), &v), strictjson.ErrTrailingData)
}
