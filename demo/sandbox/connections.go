package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sealbridge/sealbridge/internal/strictjson"
)

// ConnectionsPath creates a bank connection, Powens-style: the connector's
// sensitive fields must arrive sealed with the key at KeyPath.
const ConnectionsPath = "/v1/users/me/connections"

const (
	maxConnectionBody   = 64 << 10
	maxConnectionFields = 64 // bounds the RSA work one request can ask for
)

// Connection is a connection the sandbox created. Fields holds every
// connector field in clear, sealed ones decrypted: it lives only in memory,
// so that tests can check what the provider side received.
type Connection struct {
	ID        int
	Connector int
	Fields    map[string]string
	Created   time.Time
}

// connStore keeps the connections and counts attempts.
type connStore struct {
	// sensitive maps strictjson.Fold(name) to the name: a member whose
	// name folds to a sensitive one ("Password", "paſſword") must be
	// sealed too, since a case-insensitive reader takes it for that field.
	sensitive map[string]string

	mu       sync.Mutex
	attempts int
	conns    []Connection // oldest first; at most limit, none older than ttl
	nextID   int
	limit    int
	ttl      time.Duration
}

// add keeps c and forgets the oldest connections: those past the limit
// and those older than the lifetime. Each leaves once, from the front.
// Callers hold c.mu.
func (cs *connStore) add(c Connection) {
	cs.conns = append(cs.conns, c)
	drop := 0
	for drop < len(cs.conns) && (len(cs.conns)-drop > cs.limit || !c.Created.Before(cs.conns[drop].Created.Add(cs.ttl))) {
		drop++
	}
	clear(cs.conns[:drop]) // the fields' memory goes now, not at the next reallocation
	cs.conns = cs.conns[drop:]
}

func (s *Sandbox) mountConnections() error {
	names := s.cfg.Keys.Sensitive
	if names == nil {
		names = []string{"login", "password"}
	}
	sensitive := map[string]string{}
	for _, n := range names {
		if n == "" || n == "id_connector" {
			return fmt.Errorf("sandbox: Keys.Sensitive: %q cannot be a sealed field", n)
		}
		sensitive[strictjson.Fold(n)] = n
	}
	s.conns = &connStore{sensitive: sensitive, limit: s.cfg.Limits.Connections, ttl: s.cfg.Limits.ConnectionTTL}
	s.mux.HandleFunc("POST "+ConnectionsPath, s.handleCreateConnection)
	return nil
}

// SensitiveFields returns the sorted names of the fields that must be sealed.
func (s *Sandbox) SensitiveFields() []string {
	return slices.Sorted(maps.Values(s.conns.sensitive))
}

// Connections returns copies of the connections the sandbox still keeps
// (Limits.Connections, Limits.ConnectionTTL), oldest first.
func (s *Sandbox) Connections() []Connection {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	out := make([]Connection, len(s.conns.conns))
	for i, c := range s.conns.conns {
		c.Fields = maps.Clone(c.Fields)
		out[i] = c
	}
	return out
}

// ConnectionAttempts counts POSTs to ConnectionsPath, refused ones included.
func (s *Sandbox) ConnectionAttempts() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	return s.conns.attempts
}

// connectionCreated is the 201 body. It names the fields received and
// never echoes a value, sealed or not.
type connectionCreated struct {
	ID        int      `json:"id"`
	Connector int      `json:"id_connector"`
	State     *string  `json:"state"`
	Fields    []string `json:"fields"`
}

// refusal is a 400 answer: code, message, and the field at fault (for the
// log; never its value).
type refusal struct{ code, field, message string }

func (s *Sandbox) handleCreateConnection(w http.ResponseWriter, r *http.Request) {
	s.conns.mu.Lock()
	s.conns.attempts++
	s.conns.mu.Unlock()
	if _, _, ok := s.bearer(w, r); !ok {
		s.log.Info("sandbox: connection refused", "code", "invalid_token")
		return
	}
	body, ok := readObject(w, r, maxConnectionBody)
	if !ok {
		s.log.Info("sandbox: connection refused", "code", "bad_body")
		return
	}
	connector, fields, ref := s.parseConnection(body)
	if ref != nil {
		// Names and codes only: a value here could be a password.
		s.log.Info("sandbox: connection refused", "code", ref.code, "field", ref.field)
		writeError(w, http.StatusBadRequest, ref.code, ref.message)
		return
	}
	s.conns.mu.Lock()
	s.conns.nextID++
	c := Connection{ID: s.conns.nextID, Connector: connector, Fields: fields, Created: s.now()}
	s.conns.add(c)
	s.conns.mu.Unlock()
	names := slices.Sorted(maps.Keys(fields))
	s.log.Info("sandbox: connection created", "id", c.ID, "id_connector", connector, "fields", names)
	writeJSON(w, http.StatusCreated, connectionCreated{ID: c.ID, Connector: connector, Fields: names})
}

// parseConnection checks id_connector and every field, opening sealed ones.
// Fields are checked in name order so that the error is deterministic.
func (s *Sandbox) parseConnection(body strictjson.Members) (int, map[string]string, *refusal) {
	raw, ok := body["id_connector"]
	if !ok {
		return 0, nil, &refusal{"invalid_request", "id_connector", "id_connector is required: the connector's id, a positive integer"}
	}
	connector, err := strconv.Atoi(string(raw))
	if err != nil || connector <= 0 {
		return 0, nil, &refusal{"invalid_request", "id_connector", "id_connector must be a positive integer"}
	}
	delete(body, "id_connector")
	if len(body) > maxConnectionFields {
		return 0, nil, &refusal{"invalid_request", "", fmt.Sprintf("too many fields: at most %d", maxConnectionFields)}
	}
	fields := make(map[string]string, len(body))
	for _, name := range slices.Sorted(maps.Keys(body)) {
		var v string
		if name == "" || json.Unmarshal(body[name], &v) != nil {
			return 0, nil, &refusal{"invalid_request", name, fmt.Sprintf("field %q must have a non-empty name and a string value", name)}
		}
		if _, ok := s.conns.sensitive[strictjson.Fold(name)]; ok {
			plain, ref := s.openField(name, v)
			if ref != nil {
				return 0, nil, ref
			}
			v = plain
		}
		fields[name] = v
	}
	return connector, fields, nil
}

// openField decrypts one sealed field and maps failures to the API's codes.
func (s *Sandbox) openField(name, v string) (string, *refusal) {
	plain, err := s.keys.open(v)
	switch {
	case errors.Is(err, errNotJWE):
		return "", &refusal{"cleartext_field", name, fmt.Sprintf(
			"field %q must be sealed: a compact JWE (RSA-OAEP-256, A256GCM, kid) made with the key at %s; cleartext is refused", name, KeyPath)}
	case errors.Is(err, errUnknownKid):
		return "", &refusal{"unknown_kid", name, fmt.Sprintf(
			"field %q is sealed with a key this server no longer knows (rotated); refetch the key at %s and seal again", name, KeyPath)}
	case err != nil:
		return "", &refusal{"invalid_jwe", name, fmt.Sprintf("field %q: %v", name, err)}
	case !utf8.Valid(plain):
		return "", &refusal{"invalid_jwe", name, fmt.Sprintf("field %q: the sealed value is not UTF-8 text", name)}
	}
	return string(plain), nil
}

// readObject reads a bounded body holding one JSON object. On failure it
// has already written a 413 (too_large) or a 400 (bad_json).
func readObject(w http.ResponseWriter, r *http.Request, max int64) (strictjson.Members, bool) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if !tooLarge(w, err, max) {
			writeError(w, http.StatusBadRequest, "bad_json", "request body could not be read")
		}
		return nil, false
	}
	m, err := strictjson.DecodeObject(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "request body must be one JSON object: "+err.Error())
		return nil, false
	}
	return m, true
}
