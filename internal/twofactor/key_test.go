package twofactor

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"accountd/internal/testdb"
)

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	encoded, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := LoadKey(encoded, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	s := testSealer(t)
	for _, plain := range []string{"", "JBSWY3DPEHPK3PXP", strings.Repeat("x", 1000)} {
		sealed, err := s.Seal([]byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 0 && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plain text")
		}
		got, err := s.Open(sealed)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if string(got) != plain {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	s := testSealer(t)
	a, err := s.Seal([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Seal([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatalf("two seals of one value are equal")
	}
}

func TestOpenRefusesBadInput(t *testing.T) {
	s := testSealer(t)
	other := testSealer(t)
	sealed, err := s.Seal([]byte("JBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	modified := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		sealer *Sealer
		sealed []byte
		want   error
	}{
		{"wrong key", other, sealed, ErrWrongKey},
		{"tampered ciphertext", s, modified(len(sealed) - 20), ErrCorrupt},
		{"tampered tag", s, modified(len(sealed) - 1), ErrCorrupt},
		{"tampered nonce", s, modified(headerSize), ErrCorrupt},
		{"tampered key id", s, modified(1), ErrWrongKey},
		{"unknown version", s, modified(0), ErrCorrupt},
		{"truncated", s, sealed[:20], ErrCorrupt},
		{"empty", s, nil, ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.sealed)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
			if got != nil {
				t.Fatalf("Open returned data %q with an error", got)
			}
		})
	}
}

func TestNewSealerRefusesShortKey(t *testing.T) {
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Fatalf("NewSealer accepted a 16-byte key")
	}
}

func TestLoadKeyFromVariable(t *testing.T) {
	encode := base64.StdEncoding.EncodeToString
	valid := encode(bytes.Repeat([]byte{7}, KeySize))
	tests := []struct {
		name    string
		encoded string
		wantErr string
	}{
		{"valid", valid, ""},
		{"valid with newline", valid + "\n", ""},
		{"too short", encode(make([]byte, 16)), "decodes to 16 bytes, want 32"},
		{"too long", encode(make([]byte, 33)), "decodes to 33 bytes, want 32"},
		{"not base64", "this is not base64!", "not valid base64"},
		{"URL-safe alphabet", strings.Repeat("_", 43) + "=", "not valid base64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			key, err := LoadKey(tc.encoded, dir, slog.New(slog.NewTextHandler(&logs, nil)))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) ||
					!strings.Contains(err.Error(), "ACCOUNTD_SECRET_KEY") {
					t.Fatalf("LoadKey error = %v, want one naming the variable and %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.encoded) {
					t.Fatalf("error %q repeats the key", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKey: %v", err)
			}
			if !bytes.Equal(key, bytes.Repeat([]byte{7}, KeySize)) {
				t.Fatalf("LoadKey = %x", key)
			}
			if logs.Len() != 0 {
				t.Fatalf("a configured key logged %q", logs.String())
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFile)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a configured key wrote a key file (stat: %v)", err)
			}
		})
	}
}

func TestLoadKeyGeneratesDevelopmentKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	first, err := LoadKey("", dir, logger)
	if err != nil {
		t.Fatal(err)
	}

	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file permissions = %o, want 600", perm)
	}
	if len(first) != KeySize {
		t.Fatalf("generated key is %d bytes", len(first))
	}
	if !strings.Contains(logs.String(), "level=WARN") ||
		!strings.Contains(logs.String(), "development key") ||
		!strings.Contains(logs.String(), "generated=true") {
		t.Fatalf("no warning about the development key: %q", logs.String())
	}
	if strings.Contains(logs.String(), base64.StdEncoding.EncodeToString(first)) {
		t.Fatalf("the log contains the key")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("data directory holds %d files, want only the key", len(entries))
	}

	logs.Reset()
	second, err := LoadKey("", dir, logger)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("the key file was not reused")
	}
	if !strings.Contains(logs.String(), "generated=false") {
		t.Fatalf("reusing the key did not warn: %q", logs.String())
	}
}

func TestLoadKeyRefusesBadKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKey("", dir, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), KeyFile) {
		t.Fatalf("LoadKey error = %v, want one naming the key file", err)
	}
}

func TestLoadKeyWarnsAboutReadableKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFile)
	encoded, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(encoded), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	if _, err := LoadKey("", dir, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "readable by other users") {
		t.Fatalf("no warning about the key file's permissions: %q", logs.String())
	}
}

func TestCheckKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		ctx := context.Background()
		client := e.Open(t).Client
		right, wrong := testSealer(t), testSealer(t)
		if err := CheckKey(ctx, client, wrong); err != nil {
			t.Fatalf("CheckKey without stored keys: %v", err)
		}

		u, err := client.User.Create().
			SetUsername("alice").
			SetEmail("alice@example.com").
			Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := right.Seal([]byte("JBSWY3DPEHPK3PXP"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.TwoFactorKey.Create().
			SetUserID(u.ID).
			SetSecretCiphertext(sealed).
			Save(ctx); err != nil {
			t.Fatal(err)
		}

		if err := CheckKey(ctx, client, right); err != nil {
			t.Fatalf("CheckKey with the right key: %v", err)
		}
		err = CheckKey(ctx, client, wrong)
		if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "ACCOUNTD_SECRET_KEY") {
			t.Fatalf("CheckKey with another key = %v, want ErrWrongKey naming the variable", err)
		}
	})
}
