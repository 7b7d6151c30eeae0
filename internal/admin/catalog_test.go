package admin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"accountd/ent"
	"accountd/ent/securitymanager"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/testdb"
)

func TestCatalog(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		first, err := f.svc.CreateSecurityManager(ctx, admin.SecurityManagerInput{Name: ptr("Portal")})
		if err != nil || !first.IsDefault {
			t.Fatalf("the first security manager is not the default: %v", err)
		}
		second, err := f.svc.CreateSecurityManager(ctx, admin.SecurityManagerInput{
			Name: ptr("Partners"), IsDefault: ptr(true), InactivityDeactivationDays: ptr(90)})
		if err != nil {
			t.Fatal(err)
		}
		defaults := f.c.SecurityManager.Query().Where(securitymanager.IsDefault(true)).AllX(ctx)
		if len(defaults) != 1 || defaults[0].ID != second.ID {
			t.Fatalf("defaults = %v", defaults)
		}
		org, err := f.svc.CreateOrganization(ctx, admin.OrganizationInput{Code: ptr("ACME"),
			Name: ptr("Acme")})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := f.svc.CreateFormSpace(ctx, admin.FormSpaceInput{Code: ptr("CLAIMS"),
			Name: ptr("Claims"), SecurityManagerID: ptr(first.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UpdateOrganization(ctx, admin.OrganizationInput{ID: org.ID,
			Description: ptr("The customer")}); err != nil {
			t.Fatal(err)
		}
		u := f.user(t, "member", account.StatusActive)
		if _, err := f.svc.AssignOrganizations(ctx, u.ID, []int{org.ID}); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name string
			run  func() error
			code admin.Code
		}{
			{"duplicate organization code", func() error {
				_, err := f.svc.CreateOrganization(ctx, admin.OrganizationInput{Code: ptr("ACME"), Name: ptr("Other")})
				return err
			}, admin.CodeDuplicate},
			{"over-long organization name", func() error {
				_, err := f.svc.CreateOrganization(ctx, admin.OrganizationInput{Code: ptr("X"),
					Name: ptr(strings.Repeat("n", 257))})
				return err
			}, admin.CodeTooLong},
			{"missing role name", func() error {
				_, err := f.svc.CreateRole(ctx, admin.RoleInput{Name: ptr(" ")})
				return err
			}, admin.CodeRequired},
			{"form space of an unknown security manager", func() error {
				_, err := f.svc.CreateFormSpace(ctx, admin.FormSpaceInput{Code: ptr("NEW"),
					Name: ptr("New"), SecurityManagerID: ptr(1 << 40)})
				return err
			}, admin.CodeNotFound},
			{"lockout duration out of range", func() error {
				_, err := f.svc.UpdateSecurityManager(ctx, admin.SecurityManagerInput{ID: first.ID,
					LockoutDurationSeconds: ptr(0)})
				return err
			}, admin.CodeInvalidValue},
			{"unset the default", func() error {
				_, err := f.svc.UpdateSecurityManager(ctx, admin.SecurityManagerInput{ID: second.ID,
					IsDefault: ptr(false)})
				return err
			}, admin.CodeInvalidValue},
			{"delete the default security manager", func() error {
				_, err := f.svc.DeleteSecurityManager(ctx, second.ID)
				return err
			}, admin.CodeInUse},
			{"delete a security manager of a form space", func() error {
				_, err := f.svc.DeleteSecurityManager(ctx, first.ID)
				return err
			}, admin.CodeInUse},
			{"delete an organization with members", func() error {
				_, err := f.svc.DeleteOrganization(ctx, admin.DeleteInput{ID: org.ID})
				return err
			}, admin.CodeInUse},
			{"delete an organization with removeAssignments", func() error {
				_, err := f.svc.DeleteOrganization(ctx, admin.DeleteInput{ID: org.ID, RemoveAssignments: true})
				return err
			}, ""},
			{"delete a form space", func() error {
				_, err := f.svc.DeleteFormSpace(ctx, admin.DeleteInput{ID: fs.ID})
				return err
			}, ""},
			{"delete the former default", func() error {
				_, err := f.svc.DeleteSecurityManager(ctx, first.ID)
				return err
			}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if code := codeOf(t, tc.run()); code != tc.code {
					t.Fatalf("code = %q, want %q", code, tc.code)
				}
			})
		}
		if got := f.reload(t, u); got.Version != u.Version+2 {
			t.Fatalf("member version %d, want %d", got.Version, u.Version+2)
		}
	})
}

// TestSecurityManagerRules checks that every rule given on creation and on
// update is stored, and that contradicting lengths are refused.
func TestSecurityManagerRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		rules := func(n int, b bool) admin.SecurityManagerInput {
			return admin.SecurityManagerInput{
				TwoFactorEnabled: ptr(b), FailedLoginLimit: ptr(n), LockoutDurationSeconds: ptr(60 * n),
				PermanentLockAfter: ptr(n), InactivityDeactivationDays: ptr(10 * n),
				PasswordMinLength: ptr(10 + n), PasswordMaxLength: ptr(100 + n),
				PasswordRequireDigit: ptr(b), PasswordRequireSymbol: ptr(b),
				PasswordRequireMixedCase: ptr(b), PasswordMinStrength: ptr(n % 5),
				PasswordHistorySize: ptr(n),
			}
		}
		check := func(sm *ent.SecurityManager, n int, b bool) {
			t.Helper()
			got := []any{sm.TwoFactorEnabled, sm.FailedLoginLimit, sm.LockoutDurationSeconds,
				sm.PermanentLockAfter, *sm.InactivityDeactivationDays, sm.PasswordMinLength,
				sm.PasswordMaxLength, sm.PasswordRequireDigit, sm.PasswordRequireSymbol,
				sm.PasswordRequireMixedCase, sm.PasswordMinStrength, sm.PasswordHistorySize}
			want := []any{b, n, 60 * n, n, 10 * n, 10 + n, 100 + n, b, b, b, n % 5, n}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("rules %v, want %v", got, want)
			}
		}
		in := rules(3, true)
		in.Name = ptr("Strict")
		sm, err := f.svc.CreateSecurityManager(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		check(sm, 3, true)
		in = rules(4, false)
		in.ID = sm.ID
		if sm, err = f.svc.UpdateSecurityManager(ctx, in); err != nil {
			t.Fatal(err)
		}
		check(sm, 4, false)
		_, err = f.svc.UpdateSecurityManager(ctx, admin.SecurityManagerInput{ID: sm.ID,
			PasswordMinLength: ptr(64), PasswordMaxLength: ptr(32)})
		if code := codeOf(t, err); code != admin.CodeInvalidValue {
			t.Fatalf("min above max: code %q", code)
		}
		check(f.c.SecurityManager.GetX(ctx, sm.ID), 4, false)
	})
}
