package strictjson

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Objects up to smallObject members compare names one by one, larger
// ones through a map: a twin must be found wherever it falls, on either
// side of the switch, and named with the earlier member it collides with.
func TestTwinsFoundAtEveryPosition(t *testing.T) {
	for size := 1; size <= 3*smallObject; size++ {
		for earlier := range size {
			for _, twin := range []struct {
				of   func(string) string
				rule error
			}{
				{func(s string) string { return s }, ErrDuplicate},
				{strings.ToUpper, ErrFoldTwin},
				{func(s string) string { return strings.ReplaceAll(s, "k", "\u212a") }, ErrFoldTwin}, // Kelvin sign
			} {
				members := make([]string, 0, size+1)
				for i := range size {
					members = append(members, `"k`+strconv.Itoa(i)+`":`+strconv.Itoa(i))
				}
				name := twin.of("k" + strconv.Itoa(earlier))
				members = append(members, strconv.Quote(name)+`:0`)
				doc := "{" + strings.Join(members, ",") + "}"
				var e *Error
				require.True(t, errors.As(Validate([]byte(doc)), &e), "accepted %s", doc)
				require.ErrorIs(t, e, twin.rule, doc)
				require.Equal(t, name, e.Name, doc)
				require.Equal(t, "k"+strconv.Itoa(earlier), e.Other, doc)
			}
		}
		// And without a twin, every size is accepted.
		members := make([]string, size)
		for i := range size {
			members[i] = `"k` + strconv.Itoa(i) + `":1`
		}
		require.NoError(t, Validate([]byte("{"+strings.Join(members, ",")+"}")))
	}
}
