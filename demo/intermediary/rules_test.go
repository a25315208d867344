package intermediary

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAllow(t *testing.T) {
	rules, err := ParseAllow(" GET /v2/sepa/beneficiaries , PATCH /v2/sepa/beneficiaries/{id},GET /v2/organization/ ")
	require.NoError(t, err)
	require.Equal(t, []Rule{
		{"GET", "/v2/sepa/beneficiaries"},
		{"PATCH", "/v2/sepa/beneficiaries/{id}"},
		{"GET", "/v2/organization/"},
	}, rules)

	for _, bad := range []string{
		"", " ", ",", "GET /a,", "GET", "/v2/x", "GET /a extra", "get /a", "TRACE /a", "CONNECT /a",
		"GET v2/a", "GET //a", "GET /a//b", "GET /a/../b", "GET /a/./b", "GET /a/{}", "GET /a/{id-x}",
		"GET /a/x{id}", "GET /a/%2e", "GET /a?b=1", "GET /a/b c", "GET /a,GET /a", "GET /a/{id",
	} {
		_, err := ParseAllow(bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestDefaultAllowIsValid(t *testing.T) {
	_, err := compileRules(DefaultAllow)
	require.NoError(t, err)
}

func TestRuleMatch(t *testing.T) {
	rules, err := compileRules([]Rule{
		{"GET", "/v2/organization"},
		{"GET", "/v2/organization/"},
		{"GET", "/v2/sepa/beneficiaries/{id}"},
		{"PATCH", "/v2/sepa/beneficiaries/{id}"},
		{"GET", "/v2/x/{a}/y/{b}"},
	})
	require.NoError(t, err)
	for _, tc := range []struct {
		method, path, template string
		allowed                []string
	}{
		{"GET", "/v2/organization", "/v2/organization", nil},
		{"GET", "/v2/organization/", "/v2/organization/", nil},
		{"GET", "/v2/sepa/beneficiaries/Ab_9-z", "/v2/sepa/beneficiaries/{id}", nil},
		{"PATCH", "/v2/sepa/beneficiaries/1", "/v2/sepa/beneficiaries/{id}", nil},
		{"GET", "/v2/x/1/y/2", "/v2/x/{a}/y/{b}", nil},
		{"DELETE", "/v2/sepa/beneficiaries/1", "", []string{"GET", "PATCH"}},
		{"GET", "/v2/sepa/beneficiaries/", "", nil},
		{"GET", "/v2/sepa/beneficiaries/a~b", "", nil},
		{"GET", "/v2/sepa/beneficiaries/1/", "", nil},
		{"GET", "/v2/x/1/z/2", "", nil},
		{"GET", "/v2/organizations", "", nil},
	} {
		m, allowed := lookup(rules, tc.method, tc.path)
		if tc.template == "" {
			require.Nil(t, m, "%v", tc)
			require.Equal(t, tc.allowed, allowed, "%v", tc)
		} else {
			require.NotNil(t, m, "%v", tc)
			require.Equal(t, tc.template, m.Template)
		}
	}
}
