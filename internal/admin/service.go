// Package admin holds the operations an administrator performs on accounts
// and on the catalog: each runs in one transaction that also writes its
// audit event and its emails, and refuses bad input without writing.
package admin

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"accountd/ent"
	"accountd/ent/securitymanager"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/ratelimit"
	"accountd/internal/twofactor"
)

// The limits of the operations.
const (
	// MaxBulkUsers is the most users one bulk operation changes.
	MaxBulkUsers = 1000
	// ResetTokenTTL is how long an emailed reset link works.
	ResetTokenTTL = 24 * time.Hour
	// SetupTokenTTL is how long the link of a new user's set-up email works.
	SetupTokenTTL = 72 * time.Hour
	// DefaultLockoutDuration applies when no default security manager exists.
	DefaultLockoutDuration = 15 * time.Minute
)

// Service performs the administrator operations over one database.
type Service struct {
	client    *ent.Client
	clock     clock.Clock
	hasher    password.Hasher
	publicURL string
	dialect   string
	sealer    *twofactor.Sealer
	issuer    string
	limiter   *ratelimit.Limiter
}

// Option configures a Service.
type Option func(*Service)

// WithPasswordParams sets the argon2id parameters of new hashes; tests
// lower them to stay fast.
func WithPasswordParams(p password.Params) Option {
	return func(s *Service) { s.hasher.Params = p }
}

// WithPublicURL sets the base of the links in emails.
func WithPublicURL(u string) Option {
	return func(s *Service) { s.publicURL = u }
}

// WithDialect names the database dialect, so that rows are locked with
// SELECT … FOR UPDATE on PostgreSQL. SQLite transactions take the write
// lock when they begin and need no row locks.
func WithDialect(d string) Option {
	return func(s *Service) { s.dialect = d }
}

// New returns the service over client, reading the time from clk.
func New(client *ent.Client, clk clock.Clock, opts ...Option) *Service {
	s := &Service{
		client:    client,
		clock:     clk,
		hasher:    password.Hasher{Params: password.DefaultParams},
		publicURL: "http://127.0.0.1:8080",
		dialect:   dialect.SQLite,
		issuer:    "accountd",
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// now returns the current time in UTC, truncated to microseconds so that
// both engines store and return the same instant.
func (s *Service) now() time.Time {
	return s.clock.Now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a transaction, committing when fn returns nil and rolling
// back on an error or a panic.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) (err error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("admin: beginning a transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("admin: committing: %w", err)
	}
	return nil
}

// defaultSecurityManager returns the default security manager, or nil when
// none exists yet.
func defaultSecurityManager(ctx context.Context, c *ent.Client) (*ent.SecurityManager, error) {
	sm, err := c.SecurityManager.Query().Where(securitymanager.IsDefault(true)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return unwrap(sm), err
}

// policy returns the password policy of the default security manager, or
// the documented defaults when there is none.
func policy(ctx context.Context, c *ent.Client) (password.Policy, error) {
	sm, err := defaultSecurityManager(ctx, c)
	if err != nil {
		return password.Policy{}, err
	}
	if sm == nil {
		return password.Policy{MinLength: 12, MaxLength: 40, RequireDigit: true,
			RequireSymbol: true, RequireMixedCase: true, MinStrength: 3, HistorySize: 5}, nil
	}
	return password.PolicyOf(sm), nil
}

// notFound maps ent's not-found errors to a NOT_FOUND user error on field.
func notFound(err error, what string, field ...string) error {
	if ent.IsNotFound(err) {
		return refuse(CodeNotFound, "no "+what+" has this ID", field...)
	}
	return err
}

// duplicate maps a unique-constraint violation to a DUPLICATE user error.
func duplicate(err error, msg string, field ...string) error {
	if ent.IsConstraintError(err) {
		return refuse(CodeDuplicate, msg, field...)
	}
	return err
}

var errVersionConflict = refuse(CodeVersionConflict,
	"the object changed since it was read: reload it and try again", "expectedVersion")

// txEntity is an entity that a transaction returned.
type txEntity[T any] interface {
	comparable
	Unwrap() T
}

// unwrap detaches an entity from its committed transaction, so that the
// caller can load its edges through the ordinary client.
func unwrap[T txEntity[T]](v T) T {
	var zero T
	if v == zero {
		return v
	}
	return v.Unwrap()
}

// unwrapAll detaches every entity of vs from its transaction.
func unwrapAll[T txEntity[T]](vs []T) []T {
	for i, v := range vs {
		vs[i] = unwrap(v)
	}
	return vs
}
