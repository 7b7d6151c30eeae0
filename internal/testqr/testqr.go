// Package testqr reads QR codes in tests, the way a phone's camera reads
// the PNG of an enrolment email.
package testqr

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Decode returns the text of the QR code in a PNG, failing the test when
// there is none.
func Decode(t testing.TB, data []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("binarize PNG: %v", err)
	}
	// gozxing's finder-pattern detector misses about one code in ten
	// that the pure-barcode reader (the grid read straight off the image)
	// decodes; both read the same modules and error correction.
	result, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		pure := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
		if result, err = qrcode.NewQRCodeReader().Decode(bmp, pure); err != nil {
			t.Fatalf("decode QR code: %v", err)
		}
	}
	return result.GetText()
}
