// Package password hashes passwords with argon2id and checks new passwords
// against the policy of a security manager.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are written into every
// hash, so raising them later leaves existing hashes verifiable.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Iterations is the time cost.
	Iterations uint32
	// Parallelism is the number of lanes.
	Parallelism uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams are the parameters of new hashes: 64 MiB, 3 iterations,
// 2 lanes, a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLen: 16, KeyLen: 32}

// Limits on the parameters read from a stored hash, so that a corrupt or
// planted hash cannot make a verification take unbounded memory or time.
const (
	maxMemory     = 1 << 21 // 2 GiB in KiB
	maxIterations = 64
	maxKeyLen     = 1024
)

// ErrMalformedHash reports a stored hash that is not an argon2id hash of
// this package.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hasher hashes passwords with its parameters.
type Hasher struct {
	Params Params
}

var b64 = base64.RawStdEncoding

// Hash returns the PHC-style encoding of pw's argon2id hash:
// $argon2id$v=19$m=65536,t=3,p=2$salt$key.
func (h Hasher) Hash(pw string) (string, error) {
	p := h.Params
	if p.Memory == 0 || p.Iterations == 0 || p.Parallelism == 0 || p.SaltLen == 0 || p.KeyLen == 0 {
		return "", errors.New("password: every argon2 parameter must be positive")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading a salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the encoded hash, using the parameters
// stored in it and comparing in constant time.
func Verify(encoded, pw string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var p Params
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism)
	if err != nil || p.Memory == 0 || p.Memory > maxMemory || p.Iterations == 0 ||
		p.Iterations > maxIterations || p.Parallelism == 0 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 || len(key) > maxKeyLen {
		return Params{}, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
