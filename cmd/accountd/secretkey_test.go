package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"accountd/internal/authz"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/twofactor"
)

// TestServeRefusesAnotherSecretKey stores a two-factor secret under one
// server key and starts the server with another: the start must fail with
// an error that names the variable, before the server listens.
func TestServeRefusesAnotherSecretKey(t *testing.T) {
	dir := t.TempDir()
	keyA, err := twofactor.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyB, err := twofactor.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ctx := authz.SystemContext(context.Background())
	db, err := storage.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := twofactor.LoadKey(keyA, dir, testapi.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := twofactor.NewSealer(raw)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealer.Seal([]byte("JBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	u := db.Client.User.Create().SetUsername("frank").SetEmail("frank@example.com").SaveX(ctx)
	db.Client.TwoFactorKey.Create().SetUserID(u.ID).SetSecretCiphertext(sealed).ExecX(ctx)
	db.Close()

	tests := []struct {
		name, key string
	}{
		{"another key", keyB},
		{"the development key file instead", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{
				"ACCOUNTD_DATA_DIR":           dir,
				"ACCOUNTD_SECRET_KEY":         tt.key,
				"ACCOUNTD_LISTEN":             "127.0.0.1:0",
				"ACCOUNTD_BOOTSTRAP_PASSWORD": "Quiet-Lantern-Orbit-73",
			}
			var out bytes.Buffer
			err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] },
				strings.NewReader(""), &out, &out)
			if err == nil || !strings.Contains(err.Error(), "ACCOUNTD_SECRET_KEY") {
				t.Fatalf("serve = %v, want a start-up error naming ACCOUNTD_SECRET_KEY", err)
			}
			if strings.Contains(out.String(), "listening") {
				t.Fatalf("the server started listening:\n%s", out.String())
			}
		})
	}
	// The right key opens the stored secret.
	db, err = storage.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := twofactor.CheckKey(ctx, db.Client, sealer); err != nil {
		t.Fatalf("the right key is refused: %v", err)
	}
}
