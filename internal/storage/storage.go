// Package storage opens accountd's database, SQLite or PostgreSQL, and
// applies the versioned migrations that shape it.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // registers the "postgres" driver
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"accountd/ent"
	_ "accountd/ent/runtime" // registers the schema hooks and defaults
	"accountd/internal/scope"
)

// DB is an open database with the ent client that reads and writes it.
type DB struct {
	// Client is the ent client over the database.
	Client *ent.Client
	// SQL is the connection pool below the client, for health checks and
	// the few statements ent cannot express.
	SQL *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
}

// Option changes how Open builds the client.
type Option func(*options)

type options struct {
	wrap       func(dialect.Driver) dialect.Driver
	statements int
}

// WithDriver wraps the driver under the ent client, for instance to count
// the statements a request runs.
func WithDriver(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithStatementCache sets how many prepared statements of reads made
// outside transactions are kept (DefaultStatementCache when not given); 0
// turns preparing off, as a pooler that cannot carry prepared statements
// from one transaction to the next needs.
func WithStatementCache(n int) Option {
	return func(o *options) { o.statements = max(n, 0) }
}

// Open connects to the database that rawURL names: postgres:// or
// postgresql:// for PostgreSQL, sqlite:///path/file.db for a SQLite file,
// and the empty string for accountd.db in dataDir. It does not migrate.
// The client enforces the organization scope of package scope: queries
// see users only through an actor in the context.
func Open(ctx context.Context, rawURL, dataDir string, opts ...Option) (*DB, error) {
	o := options{statements: DefaultStatementCache}
	for _, opt := range opts {
		opt(&o)
	}
	driverName, dsn, dialectName, err := parseURL(rawURL, dataDir)
	if err != nil {
		return nil, err
	}
	if dialectName == dialect.SQLite {
		if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(dsn, "file:")), 0o750); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
		dsn = strings.SplitN(dsn, "?", 2)[0] + sqlitePragmas
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	configurePool(db, dialectName)

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connecting to the %s database: %w", dialectName, err)
	}

	base := entsql.OpenDB(dialectName, db)
	var drv dialect.Driver = base
	if o.statements > 0 {
		drv = preparing{Driver: base, cache: newStmtCache(db, o.statements)}
	}
	if o.wrap != nil {
		drv = o.wrap(drv)
	}
	client := ent.NewClient(ent.Driver(drv))
	scope.Enforce(client)
	return &DB{Client: client, SQL: db, Dialect: dialectName}, nil
}

// Close closes the client and its connection pool.
func (d *DB) Close() error {
	return d.Client.Close()
}

// Ping checks that the database answers, for the readiness probe.
func (d *DB) Ping(ctx context.Context) error {
	return d.SQL.PingContext(ctx)
}

// sqlitePragmas turns on what ent and concurrent use need: foreign keys,
// the write-ahead log, a wait instead of an immediate "database is locked",
// and BEGIN IMMEDIATE so that a transaction that will write takes the write
// lock up front instead of failing when it upgrades.
const sqlitePragmas = "?_pragma=foreign_keys(1)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(10000)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_txlock=immediate"

func configurePool(db *sql.DB, dialectName string) {
	if dialectName == dialect.SQLite {
		// One file, one writer: a small pool keeps readers concurrent in
		// WAL mode without piling up writers on the busy timeout.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		return
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// ErrUnsupportedURL is returned for a database URL of an unknown scheme.
var ErrUnsupportedURL = errors.New("database URL must start with sqlite:// or postgres://")

func parseURL(rawURL, dataDir string) (driverName, dsn, dialectName string, err error) {
	switch {
	case rawURL == "":
		return "sqlite", "file:" + filepath.Join(dataDir, "accountd.db"), dialect.SQLite, nil
	case strings.HasPrefix(rawURL, "sqlite://"):
		path := strings.TrimPrefix(rawURL, "sqlite://")
		if path == "" {
			return "", "", "", fmt.Errorf("sqlite URL %q names no file", rawURL)
		}
		return "sqlite", "file:" + path, dialect.SQLite, nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", "", errors.New("the postgres URL cannot be parsed")
		}
		return "postgres", rawURL, dialect.Postgres, nil
	}
	return "", "", "", ErrUnsupportedURL
}
