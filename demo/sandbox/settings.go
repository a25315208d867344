package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Settings is what a sandbox running as its own process (`go run ./demo
// sandbox`) writes for the dev servers that share it: where it is, the
// client credentials it generated, and its demo users. It holds secrets,
// so the file is written with mode 0600; none of them is anyone's but this
// sandbox run's.
type Settings struct {
	URL          string         `json:"url"`
	ClientID     string         `json:"clientId"`
	ClientSecret string         `json:"clientSecret"`
	Users        []SettingsUser `json:"users"`
}

// SettingsUser is one demo user in Settings.
type SettingsUser struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	TwoFactor bool   `json:"twoFactor"`
}

// Settings describes this sandbox, served at url.
func (s *Sandbox) Settings(url string) Settings {
	st := Settings{URL: url, ClientID: s.client.ID, ClientSecret: s.client.Secret, Users: []SettingsUser{}}
	for _, u := range s.DemoUsers() {
		st.Users = append(st.Users, SettingsUser(u))
	}
	return st
}

// WriteSettings writes st to path with mode 0600, atomically (a temporary
// file renamed over it), so a dev server never reads half a file.
func WriteSettings(path string, st Settings) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sandbox-settings-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadSettings reads a settings file that WriteSettings wrote.
func ReadSettings(path string) (Settings, error) {
	var st Settings
	b, err := os.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("sandbox settings: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("sandbox settings %s: not the JSON `go run ./demo sandbox` writes: %w", path, err)
	}
	if st.URL == "" || st.ClientID == "" || st.ClientSecret == "" {
		return st, errors.New("sandbox settings " + path + ": url, clientId and clientSecret are required")
	}
	return st, nil
}
