package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/config"
	"accountd/internal/demo"
	"accountd/internal/logging"
	"accountd/internal/outbox"
	"accountd/internal/ratelimit"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/sweeper"
	"accountd/internal/twofactor"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, logger, db, err := start(ctx, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	sealer, err := serverSealer(ctx, cfg, db, logger)
	if err != nil {
		return err
	}
	clk := clock.System{}
	svc := authService(cfg, db, clk, sealer)
	if err := svc.Bootstrap(ctx, cfg.BootstrapPassword, stdout); err != nil {
		return err
	}
	if cfg.Demo {
		n, err := demo.Seed(ctx, db.Client, clk)
		if err != nil {
			return fmt.Errorf("loading demo data: %w", err)
		}
		logger.Info("demo data", "users_created", n)
	}

	sender, err := mailSender(cfg)
	if err != nil {
		return err
	}
	dispatcher := outbox.NewDispatcher(db.Client, clk, sender, cfg.MailFrom, logger)
	sweep := sweeper.New(db.Client, clk, dispatcher, logger,
		sweeper.WithReminderDays(cfg.ExpiryReminderDays))
	sweepCtx, stopSweeping := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		sweep.Run(sweepCtx, cfg.SweepInterval)
	}()
	defer func() {
		stopSweeping()
		<-swept
	}()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	srv := &http.Server{
		Handler: server.New(db, server.Options{
			Logger:        logger,
			Clock:         clk,
			CORSOrigins:   cfg.CORSOrigins,
			MaxQueryDepth: cfg.MaxQueryDepth,
			Auth:          svc,
			PublicURL:     cfg.PublicURL,
			Sealer:        sealer,
			TOTPIssuer:    cfg.TOTPIssuer,
			QueryLimits: server.QueryLimits{
				CostBudget:       cfg.QueryCostBudget,
				MaxAliases:       cfg.MaxAliases,
				MaxFieldRepeats:  cfg.MaxFieldRepeats,
				PersistedQueries: cfg.PersistedQueries,
			},
			PlaygroundQuery: cfg.PlaygroundQuery,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "accountd %s listening on http://%s (playground at /, API at /graphql)\n",
		version, ln.Addr())
	return serveUntilDone(ctx, srv, ln, cfg.ShutdownTimeout, logger)
}

// mailSender delivers to ACCOUNTD_SMTP_URL, or without it into .eml files
// in the data directory.
func mailSender(cfg config.Config) (outbox.Sender, error) {
	if cfg.SMTPURL == "" {
		return outbox.FileSender{Dir: filepath.Join(cfg.DataDir, "mail")}, nil
	}
	return outbox.NewSMTPSender(cfg.SMTPURL)
}

// serveUntilDone serves until ctx ends, then lets in-flight requests finish
// for up to timeout.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration,
	logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", timeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// authService returns the authentication service configured by cfg.
func authService(cfg config.Config, db *storage.DB, clk clock.Clock, sealer *twofactor.Sealer) *auth.Service {
	settings := auth.DefaultSettings()
	settings.IdleTimeout = cfg.SessionIdleTimeout
	settings.MaxAge = cfg.SessionMaxAge
	settings.RecentAuthentication = cfg.ReauthWindow
	settings.LoginLimit = ratelimit.Limit{PerMinute: cfg.LoginRatePerMinute, Burst: cfg.LoginRateBurst}
	settings.Sealer = sealer
	return auth.New(db.Client, clk, settings)
}

// serverSealer loads the server key (ACCOUNTD_SECRET_KEY, or the
// development key file in the data directory) and checks that it opens the
// stored two-factor secrets, so that a changed key stops the start.
func serverSealer(ctx context.Context, cfg config.Config, db *storage.DB, logger *slog.Logger) (*twofactor.Sealer, error) {
	key, err := twofactor.LoadKey(cfg.SecretKey, cfg.DataDir, logger)
	if err != nil {
		return nil, err
	}
	sealer, err := twofactor.NewSealer(key)
	if err != nil {
		return nil, err
	}
	if err := twofactor.CheckKey(authz.SystemContext(ctx), db.Client, sealer); err != nil {
		return nil, err
	}
	return sealer, nil
}

// start reads the settings, builds the logger and opens the migrated
// database: what every command that touches the database does first.
func start(ctx context.Context, args []string, getenv func(string) string,
	stderr io.Writer) (config.Config, *slog.Logger, *storage.DB, error) {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	logger, err := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	db, err := openAndMigrate(ctx, cfg, logger)
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	return cfg, logger, db, nil
}

func openAndMigrate(ctx context.Context, cfg config.Config, logger *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.DatabaseURL, cfg.DataDir, storage.WithStatementCache(cfg.StatementCache))
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		logger.Info("migrated the database", "dialect", db.Dialect, "applied", applied)
	}
	return db, nil
}
