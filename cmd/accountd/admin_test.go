package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminCreateAndBootstrap(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "accountd.db")
	getenv := func(k string) string {
		if k == "ACCOUNTD_DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	ctx := context.Background()
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
		wantOut string
	}{
		{"no subcommand", []string{"admin"}, "", "usage", ""},
		{"missing email", []string{"admin", "create", "--username", "ops"}, "x\n", "--email", ""},
		{"empty password", []string{"admin", "create", "--username", "ops", "--email", "ops@example.com"},
			"\n", "empty", ""},
		{"weak password", []string{"admin", "create", "--username", "ops", "--email", "ops@example.com"},
			"password1234\n", "policy", ""},
		{"created", []string{"admin", "create", "--username", "ops", "--email", "ops@example.com"},
			"Quiet-Lantern-Orbit-73\n", "", "created administrator ops"},
		// With a user in the database, the first start creates no admin.
		{"migrate", []string{"migrate"}, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(ctx, tc.args, getenv, strings.NewReader(tc.stdin), &stdout, &stderr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v (%s)", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantOut) || strings.Contains(stdout.String(), "password \"") {
				t.Fatalf("output %q, want %q and no password", stdout.String(), tc.wantOut)
			}
		})
	}
}

func TestMigrateBootstrapsOnce(t *testing.T) {
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "accountd.db")
	getenv := func(k string) string {
		if k == "ACCOUNTD_DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	var first, second bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, getenv, nil, &first, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), `username "admin" and password "`) {
		t.Fatalf("first migrate printed %q, want the generated password", first.String())
	}
	if err := run(context.Background(), []string{"migrate"}, getenv, nil, &second, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(second.String(), "password") {
		t.Fatalf("second migrate printed %q", second.String())
	}
}
