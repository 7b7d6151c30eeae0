package graph

import (
	"context"
	"errors"
	"testing"
	"time"

	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
)

func TestRequires(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc := auth.New(nil, clock.NewManual(now), auth.Settings{Hasher: password.Hasher{Params: password.Params{
		Memory: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}}})
	requires := directives(svc).Requires
	next := func(context.Context) (any, error) { return "done", nil }
	reader := func(authenticatedAt time.Time) *authz.Actor {
		return &authz.Actor{UserID: 1, Username: "reader", AuthenticatedAt: authenticatedAt,
			Permissions: map[authz.Permission]bool{authz.UsersRead: true}}
	}
	yes, no := true, false
	tests := []struct {
		name   string
		actor  *authz.Actor
		perms  []authz.Permission
		recent *bool
		want   string
	}{
		{"no session", nil, nil, nil, CodeUnauthenticated},
		{"session only", reader(now), nil, nil, ""},
		{"held permission", reader(now), []authz.Permission{authz.UsersRead}, nil, ""},
		{"missing permission", reader(now), []authz.Permission{authz.UsersRead, authz.UsersAccess}, nil,
			CodeForbidden},
		{"recent, 15 minutes ago", reader(now.Add(-15 * time.Minute)), nil, &yes, ""},
		{"recent, 15 minutes and a second ago", reader(now.Add(-15*time.Minute - time.Second)), nil, &yes,
			CodeReauthenticationRequired},
		{"not asked to be recent", reader(now.Add(-time.Hour)), nil, &no, ""},
		{"system", authz.System, []authz.Permission{authz.GlobalAccess}, &yes, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.actor != nil {
				ctx = authz.WithActor(ctx, tc.actor)
			}
			_, err := requires(ctx, nil, next, tc.perms, tc.recent)
			var coded *CodedError
			got := ""
			if errors.As(err, &coded) {
				got = coded.Code
			} else if err != nil {
				t.Fatalf("uncoded error %v", err)
			}
			if got != tc.want {
				t.Fatalf("code = %q, want %q", got, tc.want)
			}
		})
	}
}
