package twofactor

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"accountd/ent/schema/fieldtype"
)

// The QR code's place in the enrolment email.
const (
	// QRSize is the width and height of the QR code image in pixels.
	QRSize = 256
	// QRContentID is the content ID the HTML part references the inline
	// image by.
	QRContentID = "qr-code@accountd"
	// QRFilename is the name of the attached QR code image.
	QRFilename = "two-factor-qr-code.png"
	// ConfirmPath is the path of the enrolment page, relative to the
	// public URL.
	ConfirmPath = "/2fa/confirm"
)

//go:embed templates/enrolment.txt templates/enrolment.html
var templateFiles embed.FS

var (
	textTemplate = texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/enrolment.txt"))
	htmlTemplate = htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/enrolment.html"))
)

// EnrolmentData is what the enrolment email says.
type EnrolmentData struct {
	// Issuer is the product name shown in the app, from configuration.
	Issuer string
	// AccountName is the username the key belongs to.
	AccountName string
	// URI is the otpauth:// URI from NewKey.
	URI string
	// PublicURL is the base of the enrolment link (ACCOUNTD_PUBLIC_URL).
	PublicURL string
	// Token is the enrolment token from NewToken.
	Token string
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time
}

// emailView is the template's view of EnrolmentData.
type emailView struct {
	Issuer, AccountName  string
	URI, Link, ExpiresAt string
	ValidFor             string
	URIHref              htmltemplate.URL
	QRContentID          string
	QRFilename           string
	QRSize               int
}

// ConfirmLink returns the enrolment link for token under publicURL.
func ConfirmLink(publicURL, token string) (string, error) {
	base, err := url.Parse(strings.TrimSuffix(publicURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return "", fmt.Errorf("public URL %q is not an http(s) URL", publicURL)
	}
	link := base.JoinPath(ConfirmPath)
	link.RawQuery = url.Values{"token": {token}}.Encode()
	return link.String(), nil
}

// EnrolmentEmail builds the email that delivers a new key: a subject, a
// plain-text and an HTML part, and the QR code of the URI as a PNG twice,
// inline for the HTML part (cid:QRContentID) and as an attachment. The
// secret appears only inside the otpauth:// URI.
func EnrolmentEmail(d EnrolmentData) (subject, text, html string,
	attachments []fieldtype.Attachment, err error) {
	uri, err := url.Parse(d.URI)
	if err != nil || uri.Scheme != "otpauth" {
		return "", "", "", nil, fmt.Errorf("enrolment email: %q is not an otpauth URI", d.URI)
	}
	if d.Token == "" || d.ExpiresAt.IsZero() {
		return "", "", "", nil, fmt.Errorf("enrolment email: token and expiry are required")
	}
	link, err := ConfirmLink(d.PublicURL, d.Token)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("enrolment email: %w", err)
	}
	qrPNG, err := QRPNG(d.URI, QRSize)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("enrolment email: %w", err)
	}

	view := emailView{
		Issuer:      d.Issuer,
		AccountName: d.AccountName,
		URI:         d.URI,
		URIHref:     htmltemplate.URL(d.URI),
		Link:        link,
		ExpiresAt:   d.ExpiresAt.UTC().Format("Monday 2 January 2006 at 15:04 UTC"),
		ValidFor:    fmt.Sprintf("%d hours", int(EnrolmentTTL/time.Hour)),
		QRContentID: QRContentID,
		QRFilename:  QRFilename,
		QRSize:      QRSize,
	}
	var textBuf, htmlBuf bytes.Buffer
	if err := textTemplate.Execute(&textBuf, view); err != nil {
		return "", "", "", nil, fmt.Errorf("enrolment email text: %w", err)
	}
	if err := htmlTemplate.Execute(&htmlBuf, view); err != nil {
		return "", "", "", nil, fmt.Errorf("enrolment email HTML: %w", err)
	}

	subject = "Set up two-factor authentication for " + oneLine(d.Issuer)
	attachments = []fieldtype.Attachment{
		{Filename: "qr-code.png", ContentType: "image/png", ContentID: QRContentID,
			Inline: true, Data: qrPNG},
		{Filename: QRFilename, ContentType: "image/png", Data: qrPNG},
	}
	return subject, textBuf.String(), htmlBuf.String(), attachments, nil
}

// oneLine keeps a configured name from breaking the subject header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
