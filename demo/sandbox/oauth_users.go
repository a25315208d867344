package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
)

// sbxUser is one provider user with its profile and 2FA state.
type sbxUser struct {
	DemoUser
	ID, Profile, Email, Name string
	pwHash                   [32]byte

	totpSecret []byte
	// lastOTPStep is the newest TOTP time step accepted for this user; an
	// OTP at or before it is refused, which makes every OTP single use
	// (RFC 6238 §5.2).
	lastOTPStep uint64
	// otpFailures are the times of recent wrong OTPs, for the rate limit.
	otpFailures []time.Time
}

// defaultUsers are the demo's users. Their passwords are generated at
// start, so no secret lives in the code; the dev server shows them.
var defaultUsers = []DemoUser{
	{Username: "alice"},
	{Username: "bob", TwoFactor: true},
}

func (o *oauthServer) initUsers(users []DemoUser) error {
	if users == nil {
		users = defaultUsers
	}
	o.users = map[string]*sbxUser{}
	o.usersByID = map[string]*sbxUser{}
	for _, du := range users {
		if du.Username == "" {
			return fmt.Errorf("sandbox oauth: a user has an empty username")
		}
		if _, dup := o.users[du.Username]; dup {
			return fmt.Errorf("sandbox oauth: user %q is listed twice", du.Username)
		}
		if du.Password == "" {
			du.Password = readablePassword()
		}
		u := &sbxUser{
			DemoUser:   du,
			ID:         randomUUID(),
			Profile:    randomUUID(),
			Email:      du.Username + "@sandbox.test",
			Name:       displayName(du.Username),
			pwHash:     sha256.Sum256([]byte(du.Password)),
			totpSecret: randomBytes(20), // RFC 4226 §4: 160-bit shared secret
		}
		o.users[u.Username] = u
		o.usersByID[u.ID] = u
		o.order = append(o.order, u)
	}
	o.dummyHash = sha256.Sum256(randomBytes(32))
	return nil
}

// DemoUsers returns the provider's users with their passwords, in
// configuration order, for the dev server to print or show.
func (s *Sandbox) DemoUsers() []DemoUser {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	out := make([]DemoUser, 0, len(s.oauth.order))
	for _, u := range s.oauth.order {
		out = append(out, u.DemoUser)
	}
	return out
}

// DemoUser returns the demo user named username, if there is one.
func (s *Sandbox) DemoUser(username string) (DemoUser, bool) {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	u, ok := s.oauth.users[username]
	if !ok {
		return DemoUser{}, false
	}
	return u.DemoUser, true
}

// checkPassword returns the user when username and password match, nil
// otherwise. Unknown users and wrong passwords take the same path (a hash
// comparison in constant time) so that neither the answer nor, roughly, its
// timing tells whether a username exists. Callers hold o.mu.
func (o *oauthServer) checkPassword(username, password string) *sbxUser {
	u := o.users[username]
	want := o.dummyHash
	if u != nil {
		want = u.pwHash
	}
	got := sha256.Sum256([]byte(password))
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if u == nil || !match {
		return nil
	}
	return u
}

// readablePassword is 4 groups of 4 characters from an alphabet without
// look-alikes (about 79 bits): easy to type from a terminal, hard to guess.
func readablePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := randomBytes(16)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func displayName(username string) string {
	if username == "" {
		return ""
	}
	return strings.ToUpper(username[:1]) + username[1:] + " Sandbox"
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go >= 1.24)
	return b
}

// randomUUID is a version 4 UUID, the shape of the provider's userId and profile.
func randomUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
