package main

import (
	"context"
	"fmt"
	"io"

	"accountd/internal/clock"
)

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, db, err := start(ctx, args, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := authService(cfg, db, clock.System{}, nil).Bootstrap(ctx, cfg.BootstrapPassword, stdout); err != nil {
		return err
	}
	status, err := db.Status(ctx)
	if err != nil {
		return err
	}
	for _, m := range status {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%s\t%s\n", m.Version, state)
	}
	return nil
}
