package twofactor

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func testEnrolmentData(t testing.TB) (EnrolmentData, string) {
	t.Helper()
	secret, uri, err := NewKey("Example Corp", "alice")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return EnrolmentData{
		Issuer:      "Example Corp",
		AccountName: "alice",
		URI:         uri,
		PublicURL:   "https://accounts.example/base/",
		Token:       token,
		ExpiresAt:   time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC),
	}, secret
}

func TestEnrolmentEmail(t *testing.T) {
	d, secret := testEnrolmentData(t)
	subject, text, html, attachments, err := EnrolmentEmail(d)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://accounts.example/base/2fa/confirm?token=" + d.Token
	htmlURI := strings.ReplaceAll(d.URI, "&", "&amp;")

	if subject != "Set up two-factor authentication for Example Corp" {
		t.Fatalf("subject = %q", subject)
	}
	checks := []struct {
		name, part, want string
	}{
		{"text URI", text, d.URI},
		{"text link", text, link},
		{"text expiry", text, "72 hours, on Monday 4 May 2026 at 12:00 UTC"},
		{"text names the attachment", text, QRFilename},
		{"HTML URI", html, htmlURI},
		{"HTML URI link", html, `href="` + htmlURI + `"`},
		{"HTML link", html, `<a href="` + link + `">`},
		{"HTML image", html, `<img src="cid:` + QRContentID + `"`},
		{"HTML image text", html, `alt="QR code that adds your Example Corp account`},
		{"HTML expiry", html, "72 hours, on Monday 4 May 2026 at 12:00 UTC"},
	}
	for _, c := range checks {
		if !strings.Contains(c.part, c.want) {
			t.Fatalf("%s: %q not found in\n%s", c.name, c.want, c.part)
		}
	}

	// The secret appears only inside the URI.
	if strings.Contains(strings.ReplaceAll(text, d.URI, ""), secret) {
		t.Fatalf("the text part shows the secret outside the URI")
	}
	if strings.Contains(strings.ReplaceAll(html, htmlURI, ""), secret) {
		t.Fatalf("the HTML part shows the secret outside the URI")
	}
	if strings.Contains(subject, secret) {
		t.Fatalf("the subject shows the secret")
	}

	if len(attachments) != 2 {
		t.Fatalf("%d attachments, want 2", len(attachments))
	}
	inline, attached := attachments[0], attachments[1]
	if !inline.Inline || inline.ContentID != QRContentID || inline.ContentType != "image/png" {
		t.Fatalf("inline image = %+v", inline)
	}
	if attached.Inline || attached.ContentID != "" || attached.ContentType != "image/png" ||
		attached.Filename != QRFilename {
		t.Fatalf("attached image = %+v", attached)
	}
	for _, a := range attachments {
		if got := decodeQR(t, a.Data); got != d.URI {
			t.Fatalf("%s decodes to %q, want the URI", a.Filename, got)
		}
	}
}

func TestEnrolmentEmailEscapesNames(t *testing.T) {
	d, _ := testEnrolmentData(t)
	d.Issuer = "<b>Evil</b>\r\nBcc: x@example.com"
	subject, _, html, _, err := EnrolmentEmail(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(subject, "\r\n") {
		t.Fatalf("subject %q spans lines", subject)
	}
	if strings.Contains(html, "<b>Evil</b>") {
		t.Fatalf("the HTML part does not escape the issuer")
	}
}

func TestEnrolmentEmailRefusesBadData(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *EnrolmentData)
		want   string
	}{
		{"not an otpauth URI", func(d *EnrolmentData) { d.URI = "https://example.com" }, "otpauth"},
		{"no public URL", func(d *EnrolmentData) { d.PublicURL = "" }, "public URL"},
		{"relative public URL",
			func(d *EnrolmentData) { d.PublicURL = "accounts.example" }, "public URL"},
		{"no token", func(d *EnrolmentData) { d.Token = "" }, "token"},
		{"no expiry", func(d *EnrolmentData) { d.ExpiresAt = time.Time{} }, "expiry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testEnrolmentData(t)
			tc.change(&d)
			_, _, _, _, err := EnrolmentEmail(d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("EnrolmentEmail error = %v, want one about %q", err, tc.want)
			}
		})
	}
}

func TestConfirmLink(t *testing.T) {
	tests := []struct {
		publicURL, want string
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/2fa/confirm?token=abc"},
		{"https://accounts.example/", "https://accounts.example/2fa/confirm?token=abc"},
		{"https://example.com/accounts", "https://example.com/accounts/2fa/confirm?token=abc"},
	}
	for _, tc := range tests {
		t.Run(tc.publicURL, func(t *testing.T) {
			got, err := ConfirmLink(tc.publicURL, "abc")
			if err != nil || got != tc.want {
				t.Fatalf("ConfirmLink = (%q, %v), want %q", got, err, tc.want)
			}
			u, err := url.Parse(got)
			if err != nil || u.Query().Get("token") != "abc" {
				t.Fatalf("link %q does not carry the token", got)
			}
		})
	}
}
