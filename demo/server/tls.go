package server

import (
	"crypto/tls"
	"fmt"
)

// tlsConfig loads the certificate named by TLSCertFile and TLSKeyFile, so
// that a bad path or a key that does not match fails at start rather than
// at the first handshake. nil when the server speaks plain HTTP.
func (c *Config) tlsConfig() (*tls.Config, error) {
	if c.TLSCertFile == "" && c.TLSKeyFile == "" {
		return nil, nil
	}
	if c.TLSCertFile == "" || c.TLSKeyFile == "" {
		return nil, fmt.Errorf("HTTPS needs both %s and %s", EnvTLSCertFile, EnvTLSKeyFile)
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		// The error names the files, never their content.
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
