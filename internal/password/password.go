// Package password hashes passwords with argon2id and checks them against
// the password policy of a security manager.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"accountd/ent"
)

// Params are the argon2id cost parameters; they are stored in every hash so
// that they can be raised later.
type Params struct {
	Memory, Iterations uint32
	Parallelism        uint8
	SaltLen, KeyLen    uint32
}

// DefaultParams are the parameters of new hashes.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLen: 16, KeyLen: 32}

// Hasher hashes passwords with its Params.
type Hasher struct{ Params Params }

// ErrMalformedHash is returned by Verify for a hash it cannot read.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hash returns the encoded argon2id hash of pw with a fresh salt.
func (h Hasher) Hash(pw string) (string, error) {
	p := h.Params
	if p.KeyLen == 0 {
		p = DefaultParams
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt),
		b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches the encoded hash, comparing in
// constant time.
func Verify(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations,
		&p.Parallelism); err != nil {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism,
		uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Policy is the set of rules a new password must meet.
type Policy struct {
	MinLength, MaxLength                          int
	RequireDigit, RequireSymbol, RequireMixedCase bool
	MinStrength, HistorySize                      int
}

// PolicyOf returns the password policy of a security manager.
func PolicyOf(sm *ent.SecurityManager) Policy {
	return Policy{
		MinLength:        sm.PasswordMinLength,
		MaxLength:        sm.PasswordMaxLength,
		RequireDigit:     sm.PasswordRequireDigit,
		RequireSymbol:    sm.PasswordRequireSymbol,
		RequireMixedCase: sm.PasswordRequireMixedCase,
		MinStrength:      sm.PasswordMinStrength,
		HistorySize:      sm.PasswordHistorySize,
	}
}

// Inputs are the user's own words, which a password may not contain.
type Inputs struct{ Username, FirstName, LastName, Email string }

// Violation is one rule a password breaks.
type Violation struct{ Rule, Message string }

// Check returns every rule pw breaks; history holds the previous hashes,
// newest first.
func (p Policy) Check(pw string, in Inputs, history []string) []Violation {
	var out []Violation
	add := func(rule, msg string) { out = append(out, Violation{Rule: rule, Message: msg}) }
	n := len([]rune(pw))
	if n < p.MinLength {
		add("MIN_LENGTH", fmt.Sprintf("the password must be at least %d characters long", p.MinLength))
	}
	if p.MaxLength > 0 && n > p.MaxLength {
		add("MAX_LENGTH", fmt.Sprintf("the password must be at most %d characters long", p.MaxLength))
	}
	var letter, digit, symbol, upper, lower bool
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
			letter = true
			upper = upper || unicode.IsUpper(r)
			lower = lower || unicode.IsLower(r)
		default:
			symbol = true
		}
	}
	if p.RequireDigit && (!letter || !digit) {
		add("LETTER_AND_DIGIT", "the password needs a letter and a digit")
	}
	if p.RequireSymbol && !symbol {
		add("SYMBOL", "the password needs a character that is neither letter nor digit")
	}
	if p.RequireMixedCase && (!upper || !lower) {
		add("MIXED_CASE", "the password needs upper- and lower-case letters")
	}
	if in.Username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(in.Username)) {
		add("CONTAINS_USERNAME", "the password may not contain the username")
	}
	for i, h := range history {
		if i >= p.HistorySize {
			break
		}
		if ok, _ := Verify(h, pw); ok {
			add("REUSED", fmt.Sprintf("the password was one of the last %d", p.HistorySize))
			break
		}
	}
	return out
}
