package twofactor

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestTokenHashRoundTrip(t *testing.T) {
	token, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || url.QueryEscape(token) != token {
		t.Fatalf("token %q is not 43 URL-safe characters", token)
	}
	if len(hash) != 32 {
		t.Fatalf("hash is %d bytes, want 32", len(hash))
	}
	got, err := HashToken(token)
	if err != nil {
		t.Fatalf("HashToken: %v", err)
	}
	if !bytes.Equal(got, hash) {
		t.Fatalf("HashToken differs from the hash NewToken returned")
	}

	other, otherHash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if other == token || bytes.Equal(otherHash, hash) {
		t.Fatalf("two tokens are equal")
	}
}

func TestHashTokenRefusesMalformedTokens(t *testing.T) {
	token, _, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	// The last character carries two unused bits, zero in the canonical
	// encoding; the next letter of the alphabet sets one of them.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, token[len(token)-1])
	if last%4 != 0 {
		t.Fatalf("token %q is not canonical", token)
	}
	noncanonical := token[:len(token)-1] + alphabet[last+1:last+2]
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"too short", token[:42]},
		{"too long", token + "A"},
		{"padded", token[:42] + "="},
		{"standard alphabet", strings.Repeat("+", 43)},
		{"space", " " + token[1:]},
		{"non-canonical last character", noncanonical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hash, err := HashToken(tc.token)
			if !errors.Is(err, ErrMalformedToken) || hash != nil {
				t.Fatalf("HashToken(%q) = (%x, %v), want ErrMalformedToken", tc.token, hash, err)
			}
		})
	}
}
