// Package testdb gives tests fresh, migrated databases: a SQLite file per
// test always, and a PostgreSQL database per test when TEST_DATABASE_URL
// names a server. Each PostgreSQL database is created for the test and
// dropped after it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"accountd/internal/storage"
)

// EnvURL is the variable naming the PostgreSQL server tests use, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "TEST_DATABASE_URL"

// Engine names a database engine under test.
type Engine struct {
	// Name is "sqlite" or "postgres", used as the subtest name.
	Name string
	// URL opens a fresh database of this engine.
	open func(t testing.TB, opts ...storage.Option) *storage.DB
}

// Open returns a fresh, migrated database of the engine, closed (and for
// PostgreSQL dropped) when the test ends.
func (e Engine) Open(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	return e.open(t, opts...)
}

// Engines lists the engines to run database tests on: SQLite, and
// PostgreSQL when TEST_DATABASE_URL is set. An unreachable server named by
// the variable fails the test instead of skipping it.
func Engines() []Engine {
	engines := []Engine{{Name: "sqlite", open: openSQLite}}
	if os.Getenv(EnvURL) != "" {
		engines = append(engines, Engine{Name: "postgres", open: openPostgres})
	}
	return engines
}

// Each runs fn as a subtest once for every engine.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	if os.Getenv(EnvURL) == "" {
		t.Logf("%s is not set: PostgreSQL is not tested", EnvURL)
	}
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

func openSQLite(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "accountd.db")
	return openMigrated(t, "sqlite://"+path, opts...)
}

func openPostgres(t testing.TB, opts ...storage.Option) *storage.DB {
	t.Helper()
	server := os.Getenv(EnvURL)
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("testdb: %s: %v", EnvURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("testdb: PostgreSQL at %s is unreachable: %v", EnvURL, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "accountd_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("testdb: creating %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("testdb: dropping %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("testdb: %s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return openMigrated(t, u.String(), opts...)
}

func openMigrated(t testing.TB, dbURL string, opts ...storage.Option) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, "", opts...)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return db
}

// IsPostgres reports whether db is a PostgreSQL database.
func IsPostgres(db *storage.DB) bool { return db.Dialect == dialect.Postgres }
