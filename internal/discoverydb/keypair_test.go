package discoverydb

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
)

// writeKey writes key as an unencrypted PEM file of the given kind.
func writeKey(t *testing.T, key *rsa.PrivateKey, pkcs8 bool) string {
	t.Helper()
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if pkcs8 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		require.NoError(t, err)
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	path := filepath.Join(t.TempDir(), "rsa_key.p8")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	return path
}

// TestKeyPairLogin logs in with private_key_path through the real driver's
// JWT authenticator; the fake endpoint verifies the token's signature with
// the registered public key.
func TestKeyPairLogin(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	require.NoError(t, fakesnowflake.Seed(ctx, lite, fixtureWorkspace(), testNow, fakesnowflake.SeedOptions{Seed: 7}))
	srv := fakesnowflake.NewServer(lite, fakesnowflake.WithCredentials(testUser, testPassword),
		fakesnowflake.WithPublicKey(&key.PublicKey))
	t.Cleanup(srv.Close)
	base := Config{Account: "acme", User: testUser, Host: srv.Host(), Port: srv.Port(), Protocol: "http"}

	for _, tt := range []struct {
		name  string
		key   *rsa.PrivateKey
		pkcs8 bool
		ok    bool
	}{
		{"pkcs8 key", key, true, true},
		{"pkcs1 key", key, false, true},
		{"key not registered for the user", other, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.PrivateKeyPath = writeKey(t, tt.key, tt.pkcs8)
			db, err := Open(ctx, cfg)
			if !tt.ok {
				require.Error(t, err)
				var le *LoginError
				assert.True(t, errors.As(err, &le), "error %T: %v", err, err)
				return
			}
			require.NoError(t, err)
			defer db.Close()
			pop, err := db.Popularity(ctx, testNow, 90)
			require.NoError(t, err)
			assert.NotEmpty(t, pop)
		})
	}
}

func TestPrivateKeyErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	encrypted := filepath.Join(dir, "enc.pem")
	require.NoError(t, os.WriteFile(encrypted, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), 0o600))
	for _, tt := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.pem"), "read discovery private key"},
		{notPEM, "no PEM block"},
		{encrypted, "encrypted"},
	} {
		_, err := loadPrivateKey(tt.path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
	}
}
