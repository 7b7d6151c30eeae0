package twofactor

import (
	"bytes"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"accountd/internal/testqr"
)

func decodeQR(t testing.TB, data []byte) string {
	t.Helper()
	return testqr.Decode(t, data)
}

func TestNewKey(t *testing.T) {
	secret, uri, err := NewKey("Example Corp", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 {
		t.Fatalf("secret has %d base32 characters, want 32 (160 bits)", len(secret))
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Example Corp:alice" {
		t.Fatalf("URI %q is not a TOTP URI for Example Corp:alice", uri)
	}
	want := map[string]string{
		"secret": secret, "issuer": "Example Corp",
		"algorithm": "SHA1", "digits": "6", "period": "30",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Fatalf("URI parameter %s = %q, want %q", k, q.Get(k), v)
		}
	}

	other, _, err := NewKey("Example Corp", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if other == secret {
		t.Fatalf("two keys have the same secret")
	}
}

func TestNewKeyRefusesMissingNames(t *testing.T) {
	if _, _, err := NewKey("", "alice"); err == nil {
		t.Fatalf("NewKey accepted an empty issuer")
	}
	if _, _, err := NewKey("Example", ""); err == nil {
		t.Fatalf("NewKey accepted an empty account name")
	}
}

func TestQRPNGDecodesToURI(t *testing.T) {
	_, uri, err := NewKey("Example Corp", "alice.smith@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{QRSize, 100, 512} {
		data, err := QRPNG(uri, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("image is %v, want %dx%d", b, size, size)
		}
		if got := decodeQR(t, data); got != uri {
			t.Fatalf("QR code at %d px decodes to %q, want %q", size, got, uri)
		}
	}
}

func TestQRPNGRefusesTinySize(t *testing.T) {
	_, err := QRPNG("otpauth://totp/x?secret=AAAA", 20)
	if err == nil || !strings.Contains(err.Error(), "pixels") {
		t.Fatalf("QRPNG error = %v, want one about the size", err)
	}
}

func TestVerify(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 5, 1, 12, 0, 10, 0, time.UTC)
	current := Step(now)
	codeAt := func(step int64) string {
		t.Helper()
		c, err := Code(secret, time.Unix(step*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastUsed int64
		wantStep int64
		wantOK   bool
	}{
		{"current step", codeAt(current), 0, current, true},
		{"one step late", codeAt(current - 1), 0, current - 1, true},
		{"one step early", codeAt(current + 1), 0, current + 1, true},
		{"two steps late", codeAt(current - 2), 0, 0, false},
		{"two steps early", codeAt(current + 2), 0, 0, false},
		{"replay of the current step", codeAt(current), current, 0, false},
		{"step before the last used", codeAt(current - 1), current, 0, false},
		{"next step after the last used", codeAt(current + 1), current, current + 1, true},
		{"five digits", codeAt(current)[:5], 0, 0, false},
		{"seven digits", codeAt(current) + "0", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"letters", "12a456", 0, 0, false},
		{"spaces", " " + codeAt(current)[1:], 0, 0, false},
		{"non-ASCII digits", "١٢٣٤٥٦", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := Verify(secret, tc.code, now, tc.lastUsed)
			if ok != tc.wantOK || step != tc.wantStep {
				t.Fatalf("Verify = (%d, %v), want (%d, %v)", step, ok, tc.wantStep, tc.wantOK)
			}
		})
	}
}

func TestVerifyWrongCode(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 5, 1, 12, 0, 10, 0, time.UTC)
	valid := map[string]bool{}
	for s := Step(now) - 1; s <= Step(now)+1; s++ {
		c, err := Code(secret, time.Unix(s*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "123456", "999999"} {
		if valid[c] {
			continue
		}
		if _, ok := Verify(secret, c, now, 0); ok {
			t.Fatalf("Verify accepted the wrong code %s", c)
		}
	}
	if _, ok := Verify("not base32!", "123456", now, 0); ok {
		t.Fatalf("Verify accepted a code for an invalid secret")
	}
}

func TestCheckCodeFormat(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"012345", true},
		{"12345", false},
		{"1234567", false},
		{"12 456", false},
		{"abcdef", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if err := CheckCodeFormat(tc.code); (err == nil) != tc.ok {
				t.Fatalf("CheckCodeFormat(%q) = %v, want ok %v", tc.code, err, tc.ok)
			}
		})
	}
}
