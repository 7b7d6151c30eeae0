// Package auth logs users in and out: password checks with lockout,
// opaque bearer sessions with idle and absolute timeouts, step-up
// reauthentication, password changes, and the first administrator.
package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"time"

	"accountd/ent"
	"accountd/ent/securitymanager"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/ratelimit"
	"accountd/internal/twofactor"
)

// Settings configures the service; zero fields take the defaults of
// DefaultSettings.
type Settings struct {
	// IdleTimeout ends a session not used for this long.
	IdleTimeout time.Duration
	// MaxAge ends a session this long after login, used or not.
	MaxAge time.Duration
	// RecentAuthentication is how long after a login or reauthentication
	// the operations that need a recent password check are allowed.
	RecentAuthentication time.Duration
	// Hasher hashes new passwords.
	Hasher password.Hasher
	// LoginLimit throttles login, reauthentication and password changes,
	// per client address and per username.
	LoginLimit ratelimit.Limit
	// Sealer opens the two-factor secrets checked at login. When nil, a
	// random key that lasts as long as the process is used, which suits
	// tests only: keys sealed under it do not survive a restart.
	Sealer *twofactor.Sealer
}

// DefaultSettings returns the settings of SPEC section 6: 30 minutes idle,
// 12 hours absolute, 15 minutes for a recent authentication, argon2id with
// password.DefaultParams, and 10 attempts a minute with a burst of 10.
func DefaultSettings() Settings {
	return Settings{
		IdleTimeout:          30 * time.Minute,
		MaxAge:               12 * time.Hour,
		RecentAuthentication: 15 * time.Minute,
		Hasher:               password.Hasher{Params: password.DefaultParams},
		LoginLimit:           ratelimit.Limit{PerMinute: 10, Burst: 10},
	}
}

// The errors of the service. Login failures of every kind are the same
// ErrInvalidCredentials, so that a caller learns nothing about accounts.
var (
	ErrInvalidCredentials = errors.New("auth: the username or password is wrong, or the account cannot log in")
	ErrMalformedToken     = errors.New("auth: the bearer token is malformed")
	ErrInvalidSession     = errors.New("auth: the session is unknown, expired or revoked")
	ErrNoSession          = errors.New("auth: the request has no session")
)

// PolicyError lists the rules a new password breaks.
type PolicyError struct {
	Violations []password.Violation
}

// Error names the broken rules.
func (e *PolicyError) Error() string {
	return fmt.Sprintf("auth: the new password breaks %d rules of the password policy", len(e.Violations))
}

// Service is the authentication service.
type Service struct {
	client   *ent.Client
	clock    clock.Clock
	settings Settings
	limiter  *ratelimit.Limiter
	// dummyHash is verified when the user is unknown, so that an unknown
	// username takes as long as a wrong password.
	dummyHash string
	// hashing bounds the password hashes computed at once, and with them
	// the memory argon2 takes under a flood of logins.
	hashing chan struct{}
}

// New returns the service over client.
func New(client *ent.Client, clk clock.Clock, settings Settings) *Service {
	def := DefaultSettings()
	if settings.IdleTimeout <= 0 {
		settings.IdleTimeout = def.IdleTimeout
	}
	if settings.MaxAge <= 0 {
		settings.MaxAge = def.MaxAge
	}
	if settings.RecentAuthentication <= 0 {
		settings.RecentAuthentication = def.RecentAuthentication
	}
	if p := settings.Hasher.Params; p.Memory == 0 || p.Iterations == 0 || p.Parallelism == 0 ||
		p.SaltLen == 0 || p.KeyLen == 0 {
		settings.Hasher = def.Hasher
	}
	if settings.LoginLimit == (ratelimit.Limit{}) {
		settings.LoginLimit = def.LoginLimit
	}
	if settings.Sealer == nil {
		settings.Sealer = ephemeralSealer()
	}
	// With valid parameters, hashing cannot fail: crypto/rand never does.
	dummy, _ := settings.Hasher.Hash("dummy password of an unknown user")
	return &Service{
		client:    client,
		clock:     clk,
		settings:  settings,
		limiter:   ratelimit.New(settings.LoginLimit, clk),
		dummyHash: dummy,
		hashing:   make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
}

// verify checks pw against the encoded hash, waiting for a free hashing
// slot first.
func (s *Service) verify(ctx context.Context, encoded, pw string) (bool, error) {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashing }()
	return password.Verify(encoded, pw)
}

// ephemeralSealer returns a sealer under a random key.
func ephemeralSealer() *twofactor.Sealer {
	key := make([]byte, twofactor.KeySize)
	_, _ = rand.Read(key)
	// A key of KeySize bytes is always accepted.
	s, _ := twofactor.NewSealer(key)
	return s
}

// Sealer returns the sealer of two-factor secrets.
func (s *Service) Sealer() *twofactor.Sealer { return s.settings.Sealer }

// Settings returns the settings in effect.
func (s *Service) Settings() Settings { return s.settings }

// Limiter returns the limiter of login attempts, for the other public
// operations that guess secrets (password reset, 2FA confirmation).
func (s *Service) Limiter() *ratelimit.Limiter { return s.limiter }

// RecentlyAuthenticated reports whether the actor entered its password
// within the RecentAuthentication window.
func (s *Service) RecentlyAuthenticated(a *authz.Actor) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	return s.clock.Now().Sub(a.AuthenticatedAt) <= s.settings.RecentAuthentication
}

// PasswordPolicy returns the policy of the default security manager.
func (s *Service) PasswordPolicy(ctx context.Context) (password.Policy, error) {
	r, err := loadRules(ctx, s.client)
	return r.policy, err
}

// rules are the settings of the default security manager that govern
// logins to this API.
type rules struct {
	failedLoginLimit   int
	lockoutDuration    time.Duration
	permanentLockAfter int
	policy             password.Policy
}

// loadRules reads the default security manager; before one exists, the
// schema defaults apply.
func loadRules(ctx context.Context, client *ent.Client) (rules, error) {
	sm, err := client.SecurityManager.Query().Where(securitymanager.IsDefault(true)).First(ctx)
	switch {
	case ent.IsNotFound(err):
		return rules{failedLoginLimit: 5, lockoutDuration: 15 * time.Minute,
			permanentLockAfter: 3, policy: password.PolicyOf(nil)}, nil
	case err != nil:
		return rules{}, fmt.Errorf("auth: reading the default security manager: %w", err)
	}
	return rules{
		failedLoginLimit:   sm.FailedLoginLimit,
		lockoutDuration:    time.Duration(sm.LockoutDurationSeconds) * time.Second,
		permanentLockAfter: sm.PermanentLockAfter,
		policy:             password.PolicyOf(sm),
	}, nil
}

// withTx runs fn in a transaction of client.
func withTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("auth: starting a transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("auth: committing: %w", err)
	}
	return nil
}
