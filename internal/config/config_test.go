package config

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.DataDir != "./data" || c.LogLevel != "info" ||
		c.LogFormat != "text" || c.MaxQueryDepth != 15 || c.ShutdownTimeout != 10*time.Second {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.QueryCostBudget != 50000 || c.MaxAliases != 50 || c.MaxFieldRepeats != 10 ||
		c.PersistedQueries != 1000 || c.PlaygroundQuery != "" || c.StatementCache != 256 {
		t.Fatalf("unexpected query limits: %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("PublicURL = %q", c.PublicURL)
	}
	if c.TOTPIssuer != "accountd" {
		t.Fatalf("TOTPIssuer = %q", c.TOTPIssuer)
	}
	if fmt.Sprint(c.ExpiryReminderDays) != "[14 1]" {
		t.Fatalf("ExpiryReminderDays = %v", c.ExpiryReminderDays)
	}
}

func TestExpiryReminderDays(t *testing.T) {
	for _, tc := range []struct {
		value, want string
	}{
		{"30, 7,1", "[30 7 1]"},
		{"off", "[]"},
		{"OFF", "[]"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			c, err := Load(nil, env(map[string]string{"ACCOUNTD_EXPIRY_REMINDER_DAYS": tc.value}),
				&bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(c.ExpiryReminderDays); got != tc.want {
				t.Fatalf("days %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFlagOverridesEnvironment(t *testing.T) {
	c, err := Load([]string{"--listen", ":9000", "--demo"},
		env(map[string]string{
			"ACCOUNTD_LISTEN":       ":7000",
			"ACCOUNTD_CORS_ORIGINS": "https://a.example, https://b.example,",
			"ACCOUNTD_PUBLIC_URL":   "https://accounts.example/",
		}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":9000" || !c.Demo {
		t.Fatalf("flags not applied: %+v", c)
	}
	if len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://b.example" {
		t.Fatalf("CORSOrigins = %q", c.CORSOrigins)
	}
	if c.PublicURL != "https://accounts.example" {
		t.Fatalf("PublicURL = %q", c.PublicURL)
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"depth not a number", nil, map[string]string{"ACCOUNTD_MAX_QUERY_DEPTH": "deep"}},
		{"depth zero", []string{"--max-query-depth", "0"}, nil},
		{"statement cache negative", []string{"--database-statement-cache", "-1"}, nil},
		{"statement cache not a number", nil, map[string]string{"ACCOUNTD_DATABASE_STATEMENT_CACHE": "many"}},
		{"blank TOTP issuer", []string{"--totp-issuer", " "}, nil},
		{"timeout negative", []string{"--shutdown-timeout", "-1s"}, nil},
		{"unknown flag", []string{"--nope"}, nil},
		{"stray argument", []string{"now"}, nil},
		{"secret as flag", []string{"--secret-key", "x"}, nil},
		{"reminder days empty", []string{"--expiry-reminder-days", ","}, nil},
		{"reminder day zero", nil, map[string]string{"ACCOUNTD_EXPIRY_REMINDER_DAYS": "14,0"}},
		{"reminder day not a number", []string{"--expiry-reminder-days", "soon"}, nil},
		{"reminder day over a year", []string{"--expiry-reminder-days", "400"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(tc.args, env(tc.env), &bytes.Buffer{}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	_, _ = Load([]string{"--help"}, env(nil), &out)
	for _, s := range settings {
		if !strings.Contains(out.String(), s.env) {
			t.Errorf("--help does not list %s", s.env)
		}
	}
}
