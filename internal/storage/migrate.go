package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// migrations holds one directory of SQL files a dialect, generated from the
// ent schema by `make migration NAME=...` and applied in the order of their
// names.
//
//go:embed migrations
var migrations embed.FS

// migrationLockKey is the PostgreSQL advisory lock that serializes the
// migrations of instances starting at once.
const migrationLockKey = 7_302_046_118

// Migration is one applied or pending migration file.
type Migration struct {
	Version string
	Applied bool
}

// Migrate applies every migration the database has not seen yet, each in
// its own transaction, and returns the versions it applied.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()

	if d.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("migrate: taking the migration lock: %w", err)
		}
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx),
				"SELECT pg_advisory_unlock($1)", migrationLockKey)
		}()
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version VARCHAR(255) PRIMARY KEY,
		applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate: creating schema_migrations: %w", err)
	}

	pending, err := d.pending(ctx, conn)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, file := range pending {
		if err := d.apply(ctx, conn, file); err != nil {
			return applied, err
		}
		applied = append(applied, versionOf(file))
	}
	return applied, nil
}

// Status lists every migration of the dialect and whether it was applied.
func (d *DB) Status(ctx context.Context) ([]Migration, error) {
	files, err := d.files()
	if err != nil {
		return nil, err
	}
	done, err := d.appliedVersions(ctx, d.SQL)
	if err != nil {
		return nil, err
	}
	out := make([]Migration, len(files))
	for i, f := range files {
		out[i] = Migration{Version: versionOf(f), Applied: done[versionOf(f)]}
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (d *DB) appliedVersions(ctx context.Context, q queryer) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: reading schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: reading schema_migrations: %w", err)
		}
		done[v] = true
	}
	return done, rows.Err()
}

func (d *DB) pending(ctx context.Context, conn *sql.Conn) ([]string, error) {
	files, err := d.files()
	if err != nil {
		return nil, err
	}
	done, err := d.appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if !done[versionOf(f)] {
			out = append(out, f)
		}
	}
	return out, nil
}

func (d *DB) files() ([]string, error) {
	dir := path.Join("migrations", dirOf(d.Dialect))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: listing %s: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), upSuffix) {
			files = append(files, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

func (d *DB) apply(ctx context.Context, conn *sql.Conn, file string) error {
	body, err := migrations.ReadFile(file)
	if err != nil {
		return fmt.Errorf("migrate: reading %s: %w", file, err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	for _, stmt := range statements(string(body)) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: %s: %w", versionOf(file), err)
		}
	}
	insert := "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"
	if d.Dialect == dialect.Postgres {
		insert = "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"
	}
	if _, err := tx.ExecContext(ctx, insert, versionOf(file), time.Now().UTC()); err != nil {
		return fmt.Errorf("migrate: recording %s: %w", versionOf(file), err)
	}
	return tx.Commit()
}

// statements splits a migration file into its statements. The generated
// files end each statement with a semicolon at the end of a line and put
// comments on lines of their own.
func statements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// upSuffix ends the files that migrate forward; the .down.sql files beside
// them are kept for operators who roll back by hand.
const upSuffix = ".up.sql"

func versionOf(file string) string {
	return strings.TrimSuffix(path.Base(file), upSuffix)
}

func dirOf(dialectName string) string {
	if dialectName == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}
