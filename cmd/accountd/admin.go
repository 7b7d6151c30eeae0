package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"accountd/internal/auth"
	"accountd/internal/clock"
)

// admin runs `accountd admin create`: it creates an administrator whose
// password is the first line of stdin, for scripted installs. The database
// settings come from the environment, as for serve.
func admin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader,
	stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(`usage: accountd admin create --username NAME --email ADDRESS < password-file`)
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	username := fs.String("username", "", "username of the new administrator")
	email := fs.String("email", "", "email address of the new administrator")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" || *email == "" {
		return errors.New("admin create needs --username and --email")
	}
	pw, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password from standard input: %w", err)
	}
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" {
		return errors.New("admin create reads the password from standard input; it was empty")
	}

	cfg, _, db, err := start(ctx, nil, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := authService(cfg, db, clock.System{}, nil)
	err = svc.CreateAdministrator(ctx, auth.AdministratorInput{Username: *username, Email: *email, Password: pw})
	var policy *auth.PolicyError
	if errors.As(err, &policy) {
		for _, v := range policy.Violations {
			fmt.Fprintf(stderr, "%s: %s\n", v.Rule, v.Message)
		}
		return errors.New("the password does not satisfy the password policy")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created administrator %s\n", *username)
	return nil
}
