// Package twofactor holds the parts of TOTP two-factor authentication that
// know nothing of GraphQL: the server key that seals TOTP secrets at rest,
// key generation and code verification, enrolment tokens, the eligibility
// rules and the enrolment email.
package twofactor

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"accountd/ent"
	"accountd/ent/twofactorkey"
)

// KeySize is the length in bytes of the server key (AES-256).
const KeySize = 32

// KeyFile is the name of the development key file in the data directory.
const KeyFile = "secret.key"

// sealVersion is the first byte of every sealed value, so that the format
// can change later without guessing.
const sealVersion byte = 1

// keyIDSize is the length of the key fingerprint stored in sealed values; it
// tells a wrong key apart from damaged data.
const keyIDSize = 4

// headerSize is the length of the version byte and the key fingerprint.
const headerSize = 1 + keyIDSize

var (
	// ErrWrongKey reports a value sealed under another server key.
	ErrWrongKey = errors.New("sealed with a different server key")
	// ErrCorrupt reports a sealed value that is truncated, of an unknown
	// version or altered since it was sealed.
	ErrCorrupt = errors.New("sealed value is damaged or altered")
)

// LoadKey returns the server key. encoded is the value of
// ACCOUNTD_SECRET_KEY: when set, it must be the standard base64 of exactly
// 32 bytes. When empty, the development key in dataDir/secret.key is read,
// or generated with 0600 permissions, and a warning is logged.
func LoadKey(encoded, dataDir string, logger *slog.Logger) ([]byte, error) {
	if encoded != "" {
		key, err := decodeKey(encoded)
		if err != nil {
			return nil, fmt.Errorf("ACCOUNTD_SECRET_KEY: %w", err)
		}
		return key, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	key, created, err := loadOrCreateKeyFile(path)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		logger.Warn("the server key file is readable by other users; chmod 600 it",
			"path", path, "mode", fmt.Sprintf("%#o", info.Mode().Perm()))
	}
	logger.Warn("ACCOUNTD_SECRET_KEY is not set: a development key encrypts "+
		"two-factor secrets; set the variable in production",
		"path", path, "generated", created)
	return key, nil
}

// GenerateKey returns a new random server key, base64-encoded as
// ACCOUNTD_SECRET_KEY expects it.
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate server key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}

func decodeKey(encoded string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return nil, errors.New("not valid base64 (generate one with: openssl rand -base64 32)")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("decodes to %d bytes, want %d "+
			"(generate one with: openssl rand -base64 32)", len(key), KeySize)
	}
	return key, nil
}

// loadOrCreateKeyFile reads the key file at path, or creates it. The new key
// is written to a temporary file first and linked into place, so that a
// concurrent start-up never sees a half-written file nor replaces a key.
func loadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create data directory for the server key: %w", err)
	}
	encoded, err := GenerateKey()
	if err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(dir, KeyFile+".*")
	if err != nil {
		return nil, false, fmt.Errorf("write server key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(encoded + "\n"); err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("write server key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("write server key: %w", err)
	}

	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		key, err = readKeyFile(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("write server key: %w", err)
	}
	key, err = readKeyFile(path)
	return key, err == nil, err
}

func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read server key: %w", err)
	}
	key, err := decodeKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("server key file %s: %w", path, err)
	}
	return key, nil
}

// Sealer encrypts and authenticates small secrets with AES-256-GCM under
// the server key. A sealed value is a version byte, a fingerprint of the
// key, a random nonce and the ciphertext with its tag.
type Sealer struct {
	aead  cipher.AEAD
	keyID [keyIDSize]byte
}

// NewSealer returns a Sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("server key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	s := &Sealer{aead: aead}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("accountd sealer key id"))
	copy(s.keyID[:], mac.Sum(nil))
	return s, nil
}

// Seal encrypts plain under a fresh random nonce.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	nonceSize := s.aead.NonceSize()
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:headerSize], s.keyID[:])
	nonce := out[headerSize:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return s.aead.Seal(out, nonce, plain, out[:headerSize]), nil
}

// Open decrypts a value made by Seal. It returns ErrWrongKey when the value
// was sealed under another key and ErrCorrupt when it was altered; it never
// returns unauthenticated data.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	nonceSize := s.aead.NonceSize()
	if len(sealed) < headerSize+nonceSize+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrCorrupt, sealed[0])
	}
	if !hmac.Equal(sealed[1:headerSize], s.keyID[:]) {
		return nil, ErrWrongKey
	}
	nonce := sealed[headerSize : headerSize+nonceSize]
	plain, err := s.aead.Open(nil, nonce, sealed[headerSize+nonceSize:], sealed[:headerSize])
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// CheckKey opens one stored two-factor secret, if any exists, so that a
// server started with another ACCOUNTD_SECRET_KEY fails at start-up instead
// of refusing every code later.
func CheckKey(ctx context.Context, client *ent.Client, sealer *Sealer) error {
	stored, err := client.TwoFactorKey.Query().
		Order(ent.Asc(twofactorkey.FieldID)).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check server key: %w", err)
	}
	if _, err := sealer.Open(stored.SecretCiphertext); err != nil {
		return fmt.Errorf("the server key cannot decrypt stored two-factor secrets "+
			"(was ACCOUNTD_SECRET_KEY changed?): %w", err)
	}
	return nil
}
