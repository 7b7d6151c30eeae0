package twofactor

import (
	"testing"
	"time"
)

// BenchmarkCreateKey measures what creating or resetting a key costs the
// server besides the database: the secret, its sealing, the enrolment token
// and the email with its QR code.
func BenchmarkCreateKey(b *testing.B) {
	sealer := testSealer(b)
	expires := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		secret, uri, err := NewKey("Example Corp", "alice")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sealer.Seal([]byte(secret)); err != nil {
			b.Fatal(err)
		}
		token, _, err := NewToken()
		if err != nil {
			b.Fatal(err)
		}
		_, _, _, _, err = EnrolmentEmail(EnrolmentData{
			Issuer: "Example Corp", AccountName: "alice", URI: uri,
			PublicURL: "https://accounts.example", Token: token, ExpiresAt: expires,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRPNG measures the QR code rendering alone.
func BenchmarkQRPNG(b *testing.B) {
	_, uri, err := NewKey("Example Corp", "alice")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := QRPNG(uri, QRSize); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures a login's code check, including opening the
// sealed secret; the code is wrong so every candidate step is computed.
func BenchmarkVerify(b *testing.B) {
	sealer := testSealer(b)
	secret, _, err := NewKey("Example Corp", "alice")
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := sealer.Seal([]byte(secret))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 10, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		plain, err := sealer.Open(sealed)
		if err != nil {
			b.Fatal(err)
		}
		Verify(string(plain), "000000", now, 0)
	}
}
