// Command migrategen writes a new versioned migration for each dialect: it
// replays the existing migrations on a scratch database and writes the
// statements that bring it to the ent schema. Run it through
// `make migration NAME=...`; PostgreSQL needs a server to replay on.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/url"
	"path/filepath"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"accountd/ent/migrate"
)

func main() {
	name := flag.String("name", "", "name of the migration, such as add_user_locale")
	dir := flag.String("dir", "internal/storage/migrations", "directory of the per-dialect migrations")
	pgURL := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to replay the migrations on (a scratch database is created)")
	flag.Parse()
	if *name == "" {
		log.Fatal("migrategen: -name is required")
	}
	ctx := context.Background()

	if err := diff(ctx, dialect.SQLite, "sqlite", "file:migrategen?mode=memory&_pragma=foreign_keys(1)",
		filepath.Join(*dir, "sqlite"), *name); err != nil {
		log.Fatalf("migrategen: sqlite: %v", err)
	}
	scratch, drop, err := scratchPostgres(ctx, *pgURL)
	if err != nil {
		log.Fatalf("migrategen: postgres: %v", err)
	}
	defer drop()
	if err := diff(ctx, dialect.Postgres, "postgres", scratch,
		filepath.Join(*dir, "postgres"), *name); err != nil {
		log.Printf("migrategen: postgres: %v", err)
	}
}

func diff(ctx context.Context, dialectName, driverName, dsn, dir, name string) error {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The files are in golang-migrate's layout (.up.sql and .down.sql);
	// only the up files are replayed.
	d, err := sqltool.NewGolangMigrateDir(dir)
	if err != nil {
		return err
	}
	// A migration written by hand is not in atlas.sum yet: hash the
	// directory as it is before replaying it.
	sum, err := d.Checksum()
	if err != nil {
		return err
	}
	if err := atlasmigrate.WriteSumFile(d, sum); err != nil {
		return err
	}
	s := migrate.NewSchema(entsql.OpenDB(dialectName, db))
	return s.NamedDiff(ctx, name,
		schema.WithDir(d),
		schema.WithFormatter(sqltool.GolangMigrateFormatter),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialectName),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
}

// scratchPostgres creates an empty database on the server and returns its
// URL and a function that drops it.
func scratchPostgres(ctx context.Context, serverURL string) (string, func(), error) {
	admin, err := sql.Open("postgres", serverURL)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "accountd_migrategen_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
		if err != nil {
			fmt.Println("migrategen: dropping", name, ":", err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}
