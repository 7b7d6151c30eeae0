package twofactor

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// EnrolmentTTL is how long an enrolment link stays valid.
const EnrolmentTTL = 72 * time.Hour

// MaxFailedConfirmations is the number of wrong codes after which an
// enrolment token is invalidated.
const MaxFailedConfirmations = 5

// tokenBytes is the length of an enrolment token's random part (256 bits).
const tokenBytes = 32

// ErrMalformedToken reports a token that cannot have been issued by NewToken.
var ErrMalformedToken = errors.New("the enrolment token is malformed")

var tokenEncoding = base64.RawURLEncoding.Strict()

// NewToken returns a new enrolment token, URL-safe base64 of 256 random
// bits, and the SHA-256 hash to store in its place.
func NewToken() (token string, hash []byte, err error) {
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("generate enrolment token: %w", err)
	}
	sum := sha256.Sum256(raw)
	return tokenEncoding.EncodeToString(raw), sum[:], nil
}

// HashToken returns the stored hash of token, or ErrMalformedToken when the
// token is not the canonical encoding of 256 bits.
func HashToken(token string) ([]byte, error) {
	if len(token) != tokenEncoding.EncodedLen(tokenBytes) {
		return nil, ErrMalformedToken
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenBytes {
		return nil, ErrMalformedToken
	}
	sum := sha256.Sum256(raw)
	return sum[:], nil
}
