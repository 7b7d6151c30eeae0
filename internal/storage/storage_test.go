package storage_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"entgo.io/ent/dialect/sql/schema"

	"accountd/internal/storage"
	"accountd/internal/testdb"
)

// TestMigrationsMatchTheSchema fails when the ent schema changed without a
// migration: after the migrations, ent finds nothing left to create.
func TestMigrationsMatchTheSchema(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		var plan bytes.Buffer
		if err := db.Client.Schema.WriteTo(context.Background(), &plan,
			schema.WithDropColumn(true), schema.WithDropIndex(true)); err != nil {
			t.Fatal(err)
		}
		var changes []string
		for _, line := range strings.Split(plan.String(), "\n") {
			line = strings.TrimSpace(line)
			if line != "" && line != "BEGIN;" && line != "COMMIT;" {
				changes = append(changes, line)
			}
		}
		if len(changes) > 0 {
			t.Fatalf("the migrations lag behind the ent schema; run make migration NAME=...:\n%s",
				strings.Join(changes, "\n"))
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		applied, err := db.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}
		status, err := db.Status(context.Background())
		if err != nil || len(status) == 0 {
			t.Fatalf("status = %v, err %v", status, err)
		}
		for _, m := range status {
			if !m.Applied {
				t.Errorf("%s is pending after migrate", m.Version)
			}
		}
	})
}

func TestOpenRefusesUnknownURLs(t *testing.T) {
	for _, u := range []string{"mysql://root@localhost/x", "sqlite://", "file.db"} {
		t.Run(u, func(t *testing.T) {
			if db, err := storage.Open(context.Background(), u, t.TempDir()); err == nil {
				db.Close()
				t.Fatal("accepted")
			}
		})
	}
}

func TestDefaultIsSQLiteInTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var journal string
	if err := db.SQL.QueryRow("PRAGMA journal_mode").Scan(&journal); err != nil || journal != "wal" {
		t.Fatalf("journal_mode = %q, err %v", journal, err)
	}
	var fk int
	if err := db.SQL.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, err %v", fk, err)
	}
}
