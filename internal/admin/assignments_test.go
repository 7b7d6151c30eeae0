package admin_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/group"
	"accountd/ent/roleassignment"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/testdb"
)

func TestAssignRolesConcurrently(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		u := f.user(t, "popular", account.StatusActive)
		var roles []*ent.Role
		for i := range 20 {
			roles = append(roles, f.role(t, fmt.Sprint("role-", i)))
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(roles))
		for _, r := range roles {
			wg.Go(func() {
				_, err := f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: r.ID}})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := f.c.RoleAssignment.Query().CountX(ctx); n != 20 {
			t.Fatalf("%d assignments, want 20", n)
		}
		if n := f.auditCount(t, u.ID); n != 20 {
			t.Fatalf("%d audit events, want 20", n)
		}
		if got := f.reload(t, u); got.Version != u.Version+20 {
			t.Fatalf("version %d, want %d", got.Version, u.Version+20)
		}
	})
}

func TestAssignments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		u := f.user(t, "erin", account.StatusActive)
		r := f.role(t, "Auditor")
		g := f.c.Group.Create().SetName("Alerts").SetType(group.TypeALERT).SaveX(ctx)
		org := f.c.Organization.Create().SetCode("ACME").SetName("Acme").SaveX(ctx)
		sm := f.c.SecurityManager.Create().SetName("Default").SetIsDefault(true).SaveX(ctx)
		fs := f.c.FormSpace.Create().SetCode("FS").SetName("Forms").SetSecurityManager(sm).SaveX(ctx)
		later := f.clock.Now().Add(48 * time.Hour)
		past := f.clock.Now().Add(-time.Second)
		const unknown = 1 << 40

		t.Run("happy paths", func(t *testing.T) {
			steps := []struct {
				name string
				run  func() (*ent.User, error)
			}{
				{"assign role", func() (*ent.User, error) {
					return f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: r.ID, ExpiresAt: &later}})
				}},
				{"reassign role updates expiry", func() (*ent.User, error) {
					return f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: r.ID}})
				}},
				{"set role expiry", func() (*ent.User, error) {
					return f.svc.SetRoleExpiry(ctx, u.ID, r.ID, &later)
				}},
				{"assign group", func() (*ent.User, error) {
					return f.svc.AssignGroups(ctx, u.ID, []admin.Grant{{ID: g.ID}})
				}},
				{"set group expiry", func() (*ent.User, error) {
					return f.svc.SetGroupExpiry(ctx, u.ID, g.ID, &later)
				}},
				{"assign organization", func() (*ent.User, error) {
					return f.svc.AssignOrganizations(ctx, u.ID, []int{org.ID})
				}},
				{"assign form space", func() (*ent.User, error) {
					return f.svc.AssignFormSpaces(ctx, u.ID, []int{fs.ID})
				}},
				{"unassign role", func() (*ent.User, error) { return f.svc.UnassignRoles(ctx, u.ID, []int{r.ID}) }},
				{"unassign group", func() (*ent.User, error) { return f.svc.UnassignGroups(ctx, u.ID, []int{g.ID}) }},
				{"unassign organization", func() (*ent.User, error) {
					return f.svc.UnassignOrganizations(ctx, u.ID, []int{org.ID})
				}},
				{"unassign form space", func() (*ent.User, error) {
					return f.svc.UnassignFormSpaces(ctx, u.ID, []int{fs.ID})
				}},
			}
			for i, st := range steps {
				before := f.reload(t, u)
				got, err := st.run()
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if got.Version != before.Version+1 {
					t.Fatalf("%s: version %d, want %d", st.name, got.Version, before.Version+1)
				}
				if n := f.auditCount(t, u.ID); n != i+1 {
					t.Fatalf("%s: %d audit events, want %d", st.name, n, i+1)
				}
			}
			if a := f.c.RoleAssignment.Query().CountX(ctx); a != 0 {
				t.Fatalf("%d role assignments left", a)
			}
		})

		t.Run("user errors", func(t *testing.T) {
			tests := []struct {
				name string
				run  func() error
				code admin.Code
			}{
				{"role expiry in the past", func() error {
					_, err := f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: r.ID, ExpiresAt: &past}})
					return err
				}, admin.CodeExpiryInPast},
				{"group expiry in the past", func() error {
					_, err := f.svc.AssignGroups(ctx, u.ID, []admin.Grant{{ID: g.ID, ExpiresAt: &past}})
					return err
				}, admin.CodeExpiryInPast},
				{"set expiry in the past", func() error {
					_, err := f.svc.SetRoleExpiry(ctx, u.ID, r.ID, &past)
					return err
				}, admin.CodeExpiryInPast},
				{"unknown role", func() error {
					_, err := f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: unknown}})
					return err
				}, admin.CodeNotFound},
				{"unknown group", func() error {
					_, err := f.svc.AssignGroups(ctx, u.ID, []admin.Grant{{ID: unknown}})
					return err
				}, admin.CodeNotFound},
				{"unknown organization", func() error {
					_, err := f.svc.AssignOrganizations(ctx, u.ID, []int{unknown})
					return err
				}, admin.CodeNotFound},
				{"unknown form space", func() error {
					_, err := f.svc.AssignFormSpaces(ctx, u.ID, []int{unknown})
					return err
				}, admin.CodeNotFound},
				{"unknown user", func() error {
					_, err := f.svc.AssignRoles(ctx, unknown, []admin.Grant{{ID: r.ID}})
					return err
				}, admin.CodeNotFound},
				{"expiry of an unheld role", func() error {
					_, err := f.svc.SetRoleExpiry(ctx, u.ID, r.ID, nil)
					return err
				}, admin.CodeNotFound},
				{"no roles", func() error {
					_, err := f.svc.AssignRoles(ctx, u.ID, nil)
					return err
				}, admin.CodeRequired},
			}
			before := f.reload(t, u)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					if code := codeOf(t, tc.run()); code != tc.code {
						t.Fatalf("code = %q, want %q", code, tc.code)
					}
					if got := f.reload(t, u); got.Version != before.Version {
						t.Fatalf("version changed to %d", got.Version)
					}
				})
			}
		})
	})
}

func TestGrantRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		base := authz.SystemContext(context.Background())
		own := f.c.Organization.Create().SetCode("OWN").SetName("Own").SaveX(base)
		other := f.c.Organization.Create().SetCode("OTHER").SetName("Other").SaveX(base)
		orgAdmin := f.user(t, "orgadmin", account.StatusActive)
		target := f.user(t, "member", account.StatusActive)
		assignable := f.role(t, "Clerk", func(c *ent.RoleCreate) { c.SetOrganizationAssignable(true) })
		restricted := f.role(t, "Superuser")
		global := f.role(t, "Global", func(c *ent.RoleCreate) {
			c.SetOrganizationAssignable(true).SetPermissions([]authz.Permission{authz.GlobalAccess})
		})
		// Both share the organization, so the organization scope lets the
		// administrator see the target; the grant rules are what is tested.
		f.c.User.UpdateOne(orgAdmin).AddOrganizations(own).ExecX(base)
		f.c.User.UpdateOne(target).AddOrganizations(own).ExecX(base)
		ctx := authz.WithActor(base, &authz.Actor{UserID: orgAdmin.ID, Username: orgAdmin.Username,
			Permissions:     map[authz.Permission]bool{authz.UsersRead: true, authz.UsersAccess: true},
			OrganizationIDs: []int{own.ID}})

		tests := []struct {
			name string
			run  func() error
			code admin.Code
		}{
			{"organization-assignable role", func() error {
				_, err := f.svc.AssignRoles(ctx, target.ID, []admin.Grant{{ID: assignable.ID}})
				return err
			}, ""},
			{"role not organization-assignable", func() error {
				_, err := f.svc.AssignRoles(ctx, target.ID, []admin.Grant{{ID: restricted.ID}})
				return err
			}, admin.CodeForbiddenGrant},
			{"role granting GLOBAL_ACCESS", func() error {
				_, err := f.svc.AssignRoles(ctx, target.ID, []admin.Grant{{ID: global.ID}})
				return err
			}, admin.CodeForbiddenGrant},
			{"own organization", func() error {
				_, err := f.svc.AssignOrganizations(ctx, target.ID, []int{own.ID})
				return err
			}, ""},
			{"another organization", func() error {
				_, err := f.svc.AssignOrganizations(ctx, target.ID, []int{other.ID})
				return err
			}, admin.CodeForbiddenGrant},
			{"own roles", func() error {
				_, err := f.svc.AssignRoles(ctx, orgAdmin.ID, []admin.Grant{{ID: assignable.ID}})
				return err
			}, admin.CodeForbiddenGrant},
			{"own organizations", func() error {
				_, err := f.svc.AssignOrganizations(ctx, orgAdmin.ID, []int{own.ID})
				return err
			}, admin.CodeForbiddenGrant},
			{"create a user in no organization", func() error {
				_, err := f.svc.CreateUser(ctx, admin.CreateUserInput{Username: "newbie",
					Email: "newbie@example.com", SendPasswordSetupEmail: true})
				return err
			}, admin.CodeRequired},
			{"create a user in another organization", func() error {
				_, err := f.svc.CreateUser(ctx, admin.CreateUserInput{Username: "newbie",
					Email: "newbie@example.com", SendPasswordSetupEmail: true,
					OrganizationIDs: []int{other.ID}})
				return err
			}, admin.CodeForbiddenGrant},
			{"create a user in one's own organization", func() error {
				_, err := f.svc.CreateUser(ctx, admin.CreateUserInput{Username: "newbie",
					Email: "newbie@example.com", SendPasswordSetupEmail: true,
					OrganizationIDs: []int{own.ID}})
				return err
			}, ""},
			{"bulk including oneself", func() error {
				_, err := f.svc.BulkAssignRoles(ctx, []int{target.ID, orgAdmin.ID},
					[]admin.Grant{{ID: assignable.ID}})
				return err
			}, admin.CodeForbiddenGrant},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if code := codeOf(t, tc.run()); code != tc.code {
					t.Fatalf("code = %q, want %q", code, tc.code)
				}
			})
		}
	})
}

func TestLastAdministrator(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		adminRole := f.role(t, admin.AdministratorRole, func(c *ent.RoleCreate) { c.SetBuiltin(true) })
		first := f.user(t, "admin", account.StatusActive)
		if _, err := f.svc.AssignRoles(ctx, first.ID, []admin.Grant{{ID: adminRole.ID}}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.UnassignRoles(ctx, first.ID, []int{adminRole.ID})
		if code := codeOf(t, err); code != admin.CodeLastAdministrator {
			t.Fatalf("unassign: code = %q", code)
		}
		_, err = f.svc.DeactivateUser(ctx, first.ID, nil)
		if code := codeOf(t, err); code != admin.CodeLastAdministrator {
			t.Fatalf("deactivate: code = %q", code)
		}
		_, err = f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: first.ID,
			Status: account.StatusLocked})
		if code := codeOf(t, err); code != admin.CodeLastAdministrator {
			t.Fatalf("lock: code = %q", code)
		}
		_, err = f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: []int{first.ID},
			Status: account.StatusInactive})
		if code := codeOf(t, err); code != admin.CodeLastAdministrator {
			t.Fatalf("bulk deactivate: code = %q", code)
		}
		_, err = f.svc.DeleteRole(ctx, admin.DeleteInput{ID: adminRole.ID, RemoveAssignments: true})
		if code := codeOf(t, err); code != admin.CodeBuiltin {
			t.Fatalf("delete: code = %q", code)
		}

		second := f.user(t, "admin2", account.StatusActive)
		if _, err := f.svc.AssignRoles(ctx, second.ID, []admin.Grant{{ID: adminRole.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DeactivateUser(ctx, first.ID, nil); err != nil {
			t.Fatalf("with a second administrator: %v", err)
		}
	})
}

func TestDeleteInUse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		r := f.role(t, "Temp")
		g, err := f.svc.CreateGroup(ctx, admin.GroupInput{Name: ptr("Jobs"), Type: ptr(group.TypeJOB)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			u := f.user(t, fmt.Sprint("holder", i), account.StatusActive)
			if _, err := f.svc.AssignRoles(ctx, u.ID, []admin.Grant{{ID: r.ID}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AssignGroups(ctx, u.ID, []admin.Grant{{ID: g.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.DeleteRole(ctx, admin.DeleteInput{ID: r.ID})
		ie, _ := admin.AsInputError(err)
		if code := codeOf(t, err); code != admin.CodeInUse || ie.Problems[0].Message[:1] != "3" {
			t.Fatalf("code = %q, message %v", code, err)
		}
		if _, err := f.svc.DeleteRole(ctx, admin.DeleteInput{ID: r.ID, RemoveAssignments: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DeleteGroup(ctx, admin.DeleteInput{ID: g.ID, RemoveAssignments: true}); err != nil {
			t.Fatal(err)
		}
		removed := f.c.AuditEvent.Query().Where(auditevent.ActionIn("role_assignment.removed",
			"group_membership.removed")).CountX(ctx)
		if removed != 6 {
			t.Fatalf("%d removal events, want 6", removed)
		}
		if n := f.c.AuditEvent.Query().Where(auditevent.TargetType("Role"),
			auditevent.TargetID(r.ID)).CountX(ctx); n != 1 {
			t.Fatalf("the role's deletion event is missing: %d", n)
		}
	})
}

func TestBulk(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		var ids []int
		for i := range 5 {
			ids = append(ids, f.user(t, fmt.Sprint("bulk", i), account.StatusActive).ID)
		}
		pending := f.user(t, "pending", account.StatusPending)
		r := f.role(t, "Reader")

		t.Run("1,001 users are refused", func(t *testing.T) {
			many := make([]int, admin.MaxBulkUsers+1)
			for i := range many {
				many[i] = i + 1
			}
			_, err := f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: many,
				Status: account.StatusInactive})
			if code := codeOf(t, err); code != admin.CodeTooManyItems {
				t.Fatalf("code = %q", code)
			}
			_, err = f.svc.BulkAssignRoles(ctx, many, []admin.Grant{{ID: r.ID}})
			if code := codeOf(t, err); code != admin.CodeTooManyItems {
				t.Fatalf("code = %q", code)
			}
		})
		t.Run("one refused user changes nobody", func(t *testing.T) {
			_, err := f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{
				UserIDs: append(ids, pending.ID), Status: account.StatusLocked})
			be, ok := err.(*admin.BulkError)
			if !ok || len(be.Failures) != 1 || be.Failures[0].UserID != pending.ID ||
				be.Failures[0].Code != admin.CodeInvalidStatusTransition {
				t.Fatalf("err = %#v", err)
			}
			if n := f.c.AuditEvent.Query().CountX(ctx); n != 0 {
				t.Fatalf("%d audit events", n)
			}
			_, err = f.svc.BulkAssignRoles(ctx, append(ids, 1<<40), []admin.Grant{{ID: r.ID}})
			if code := codeOf(t, err); code != admin.CodeNotFound {
				t.Fatalf("code = %q", code)
			}
			if n := f.c.RoleAssignment.Query().CountX(ctx); n != 0 {
				t.Fatalf("%d assignments", n)
			}
		})
		t.Run("all succeed", func(t *testing.T) {
			users, err := f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: ids,
				Status: account.StatusLocked, Reason: ptr("audit")})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if u.Status != account.StatusLocked || u.Version != 2 {
					t.Fatalf("user %d: %s version %d", u.ID, u.Status, u.Version)
				}
			}
			if _, err := f.svc.BulkAssignRoles(ctx, ids, []admin.Grant{{ID: r.ID}}); err != nil {
				t.Fatal(err)
			}
			if n := f.c.RoleAssignment.Query().CountX(ctx); n != len(ids) {
				t.Fatalf("%d assignments", n)
			}
			if n := f.c.AuditEvent.Query().CountX(ctx); n != 2*len(ids) {
				t.Fatalf("%d audit events", n)
			}
		})
	})
}

// TestLastAdministratorConcurrently takes the two last administrators out
// at the same moment, by deactivation, by locking and by taking the role,
// many times over: one change must be refused each time. On PostgreSQL
// both transactions would otherwise count the other administrator, as
// read committed lets them, and both go ahead.
func TestLastAdministratorConcurrently(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		adminRole := f.role(t, admin.AdministratorRole, func(c *ent.RoleCreate) { c.SetBuiltin(true) })
		var admins [2]*ent.User
		for i := range admins {
			admins[i] = f.user(t, fmt.Sprint("admin", i), account.StatusActive)
			if _, err := f.svc.AssignRoles(ctx, admins[i].ID, []admin.Grant{{ID: adminRole.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		remove := map[string]func(id int) error{
			"deactivate": func(id int) error {
				_, err := f.svc.DeactivateUser(ctx, id, nil)
				return err
			},
			"lock": func(id int) error {
				_, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: id, Status: account.StatusLocked})
				return err
			},
			"bulk": func(id int) error {
				_, err := f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: []int{id},
					Status: account.StatusInactive})
				return err
			},
			"unassign": func(id int) error {
				_, err := f.svc.UnassignRoles(ctx, id, []int{adminRole.ID})
				return err
			},
		}
		for name, remove := range remove {
			for round := range 10 {
				var wg sync.WaitGroup
				start := make(chan struct{})
				errs := make([]error, len(admins))
				for i, u := range admins {
					wg.Go(func() {
						<-start
						errs[i] = remove(u.ID)
					})
				}
				close(start)
				wg.Wait()
				refused := 0
				for _, err := range errs {
					switch {
					case err == nil:
					case codeOf(t, err) == admin.CodeLastAdministrator:
						refused++
					default:
						t.Fatalf("%s, round %d: %v", name, round, err)
					}
				}
				if refused != 1 {
					t.Fatalf("%s, round %d: %d of 2 changes refused, want 1", name, round, refused)
				}
				// Give both back what they lost for the next round.
				for _, u := range admins {
					if err := f.c.User.UpdateOneID(u.ID).SetStatus(account.StatusActive).Exec(ctx); err != nil {
						t.Fatal(err)
					}
					held := f.c.RoleAssignment.Query().
						Where(roleassignment.UserID(u.ID), roleassignment.RoleID(adminRole.ID)).ExistX(ctx)
					if !held {
						f.c.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(adminRole.ID).ExecX(ctx)
					}
				}
			}
		}
	})
}
