package twofactor

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// The TOTP parameters that every authenticator app accepts.
const (
	// Period is the length of a time step.
	Period = 30 * time.Second
	// CodeLength is the number of digits of a code.
	CodeLength = 6
	// SecretSize is the length in bytes of a generated secret (160 bits).
	SecretSize = 20
	// Skew is the number of time steps a code may be early or late.
	Skew = 1
)

// quietZone is the white border, in modules, that QR readers need.
const quietZone = 4

// ErrCodeFormat reports a code that is not exactly six digits.
var ErrCodeFormat = fmt.Errorf("the code must be %d digits", CodeLength)

var codeOptions = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewKey generates a TOTP secret (SHA1, 6 digits, 30 s, 160 bits) and returns
// it base32-encoded, with the otpauth:// URI that enrols it in an app.
func NewKey(issuer, accountName string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: accountName,
		Period:      uint(Period / time.Second),
		SecretSize:  SecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("generate TOTP key: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// QRPNG renders uri as a black-on-white QR code in a size×size PNG, with the
// quiet zone readers need. Modules are whole pixels, so the code is drawn as
// large as fits and centred.
func QRPNG(uri string, size int) ([]byte, error) {
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	modules := code.Bounds().Dx()
	scale := size / (modules + 2*quietZone)
	if scale < 1 {
		return nil, fmt.Errorf("QR code needs at least %d pixels, got %d",
			modules+2*quietZone, size)
	}

	palette := color.Palette{color.White, color.Black}
	img := image.NewPaletted(image.Rect(0, 0, size, size), palette)
	offset := (size - modules*scale) / 2
	for my := 0; my < modules; my++ {
		for mx := 0; mx < modules; mx++ {
			if r, _, _, _ := code.At(mx, my).RGBA(); r != 0 {
				continue
			}
			x0, y0 := offset+mx*scale, offset+my*scale
			for y := y0; y < y0+scale; y++ {
				row := img.Pix[y*img.Stride+x0 : y*img.Stride+x0+scale]
				for i := range row {
					row[i] = 1
				}
			}
		}
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode QR code PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// Step returns the TOTP time step that t falls in.
func Step(t time.Time) int64 {
	return t.Unix() / int64(Period/time.Second)
}

// CheckCodeFormat returns ErrCodeFormat unless code is exactly six ASCII
// digits, so that callers can tell a typing mistake from a wrong code.
func CheckCodeFormat(code string) error {
	if len(code) != CodeLength {
		return ErrCodeFormat
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return ErrCodeFormat
		}
	}
	return nil
}

// Verify reports whether code is valid for the base32 secret at now, allowing
// one time step of skew either way. A step at or before lastUsedStep is
// refused, so a code is accepted once; on success the matched step is
// returned for the caller to store as the new lastUsedStep. Every candidate
// step is computed and compared in constant time.
func Verify(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	if CheckCodeFormat(code) != nil {
		return 0, false
	}
	current := Step(now)
	matched := int64(-1)
	for s := current - Skew; s <= current+Skew; s++ {
		if s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), codeOptions)
		if err != nil {
			return 0, false
		}
		equal := subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
		if equal && s > lastUsedStep {
			matched = s
		}
	}
	if matched < 0 {
		return 0, false
	}
	return matched, true
}

// Code returns the code of the base32 secret at t, as an authenticator app
// shows it; tests use it to play the app.
func Code(secret string, t time.Time) (string, error) {
	c, err := hotp.GenerateCodeCustom(secret, uint64(Step(t)), codeOptions)
	if err != nil {
		return "", fmt.Errorf("TOTP code: %w", err)
	}
	return c, nil
}
