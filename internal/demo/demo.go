// Package demo fills an empty database with a believable catalog and 200
// users, so that the playground has something to show.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"accountd/ent"
	"accountd/ent/group"
	"accountd/ent/securitymanager"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/authz"
	"accountd/internal/clock"
)

// UserCount is how many users Seed creates.
const UserCount = 200

// seedActor is the assigner recorded on the demo's assignments.
const seedActor = "demo"

// Seed loads the demo data into a database that holds no users other than
// the first administrator, and returns how many users it created: zero when
// the database already has users, so that restarting with --demo changes
// nothing. Everything is written in one transaction.
func Seed(ctx context.Context, client *ent.Client, clk clock.Clock) (int, error) {
	ctx = authz.SystemContext(ctx)
	others, err := client.User.Query().Where(user.UsernameNormalizedNEQ("admin")).Exist(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	if others {
		return 0, nil
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	s := &seeder{tx: tx, now: clk.Now(), rnd: rand.New(rand.NewPCG(2026, 12))}
	if err := s.run(ctx); err != nil {
		_ = tx.Rollback()
		return 0, fmt.Errorf("demo: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	return UserCount, nil
}

type seeder struct {
	tx  *ent.Tx
	now time.Time
	rnd *rand.Rand

	orgs   []*ent.Organization
	spaces []*ent.FormSpace
	roles  []*ent.Role
	groups []*ent.Group
}

func (s *seeder) run(ctx context.Context) error {
	if err := s.catalog(ctx); err != nil {
		return err
	}
	return s.users(ctx)
}

func (s *seeder) catalog(ctx context.Context) error {
	def, err := s.defaultSecurityManager(ctx)
	if err != nil {
		return err
	}
	portal, err := s.tx.SecurityManager.Create().
		SetName("Customer Portal").
		SetTwoFactorEnabled(true).
		SetFailedLoginLimit(3).
		SetLockoutDurationSeconds(30 * 60).
		Save(ctx)
	if err != nil {
		return err
	}
	partners, err := s.tx.SecurityManager.Create().
		SetName("Partner Extranet").
		SetInactivityDeactivationDays(90).
		Save(ctx)
	if err != nil {
		return err
	}

	orgs := [][3]string{
		{"HQ", "Head Office", "Group functions and IT."},
		{"RETAIL", "Retail Banking", "Branches and private customers."},
		{"LIFE", "Life Insurance", "Life and pension products."},
		{"PC", "Property & Casualty", "Home, motor and liability insurance."},
		{"BROKER", "Broker Network", "Independent brokers and agencies."},
	}
	for _, o := range orgs {
		org, err := s.tx.Organization.Create().SetCode(o[0]).SetName(o[1]).SetDescription(o[2]).Save(ctx)
		if err != nil {
			return err
		}
		s.orgs = append(s.orgs, org)
	}

	spaces := []struct {
		code, name, desc string
		sm               *ent.SecurityManager
	}{
		{"ONBOARDING", "Customer Onboarding", "Account opening and KYC forms.", portal},
		{"CLAIMS", "Claims", "First notice of loss and claim handling.", portal},
		{"LOANS", "Loan Applications", "Mortgage and consumer loan forms.", def},
		{"HR", "HR Self-Service", "Leave, expenses and personal data.", def},
		{"BROKER-QUOTES", "Broker Quotes", "Quotes requested by brokers.", partners},
		{"POLICY-ADMIN", "Policy Administration", "Endorsements and renewals.", def},
	}
	for _, f := range spaces {
		space, err := s.tx.FormSpace.Create().
			SetCode(f.code).SetName(f.name).SetDescription(f.desc).SetSecurityManager(f.sm).
			Save(ctx)
		if err != nil {
			return err
		}
		s.spaces = append(s.spaces, space)
	}

	roles := []struct {
		name, desc string
		perms      []authz.Permission
		orgAssign  bool
		active     bool
	}{
		{"User Administrator", "Manages users of every organization.", []authz.Permission{
			authz.UsersRead, authz.UsersWrite, authz.UsersStatus, authz.UsersCredentials,
			authz.UsersAccess, authz.GlobalAccess}, false, true},
		{"Organization Administrator", "Manages the users of their own organizations.", []authz.Permission{
			authz.UsersRead, authz.UsersWrite, authz.UsersStatus, authz.UsersCredentials,
			authz.UsersAccess}, false, true},
		{"Help Desk", "Unlocks accounts and resets passwords.", []authz.Permission{
			authz.UsersRead, authz.UsersStatus, authz.UsersCredentials}, true, true},
		{"Auditor", "Reads users and the audit trail.", []authz.Permission{
			authz.UsersRead, authz.AuditRead}, false, true},
		{"Reporting", "Reads statistics and reports.", []authz.Permission{
			authz.UsersRead, authz.ReportsRead}, true, true},
		{"Claims Handler", "Works on claims forms.", nil, true, true},
		{"Underwriter", "Approves policies and loans.", nil, true, true},
		{"Legacy Operator", "Retired role kept for its history.", nil, true, false},
	}
	for _, r := range roles {
		role, err := s.tx.Role.Create().
			SetName(r.name).SetDescription(r.desc).SetPermissions(r.perms).
			SetOrganizationAssignable(r.orgAssign).SetActive(r.active).
			Save(ctx)
		if err != nil {
			return err
		}
		s.roles = append(s.roles, role)
	}

	groups := []struct {
		name, desc string
		typ        group.Type
	}{
		{"Fraud Alerts", "Receives suspected-fraud alerts.", group.TypeALERT},
		{"Outage Alerts", "Receives system outage alerts.", group.TypeALERT},
		{"Claims Intake", "Works the incoming claims queue.", group.TypeFORM},
		{"KYC Review", "Reviews onboarding forms.", group.TypeFORM},
		{"Nightly Batch", "Follows the nightly batch jobs.", group.TypeJOB},
		{"Month-End Close", "Runs the month-end jobs.", group.TypeJOB},
	}
	for _, g := range groups {
		grp, err := s.tx.Group.Create().SetName(g.name).SetDescription(g.desc).SetType(g.typ).Save(ctx)
		if err != nil {
			return err
		}
		s.groups = append(s.groups, grp)
	}
	return nil
}

// defaultSecurityManager returns the default security manager, creating it
// when the database has none yet.
func (s *seeder) defaultSecurityManager(ctx context.Context) (*ent.SecurityManager, error) {
	sm, err := s.tx.SecurityManager.Query().Where(securitymanager.IsDefault(true)).Only(ctx)
	if ent.IsNotFound(err) {
		return s.tx.SecurityManager.Create().SetName("Default").SetIsDefault(true).Save(ctx)
	}
	return sm, err
}

var (
	firstNames = []string{"Anna", "Ben", "Chiara", "David", "Elena", "Felix", "Greta", "Hugo",
		"Ines", "Jonas", "Klara", "Luca", "Mara", "Noah", "Olivia", "Paul", "Rosa", "Samuel",
		"Tara", "Umberto", "Vera", "William", "Yasmin", "Zoe"}
	lastNames = []string{"Albrecht", "Bianchi", "Costa", "Dubois", "Egger", "Fischer", "Gerber",
		"Huber", "Iseli", "Jung", "Keller", "Lombardi", "Meier", "Nowak", "Odermatt", "Perrin",
		"Rossi", "Schmid", "Tanner", "Vogel", "Weber", "Zimmermann"}
)

func (s *seeder) users(ctx context.Context) error {
	// Statuses in proportions an administrator would recognise: most
	// accounts active, a few of every other kind.
	statuses := []struct {
		status account.Status
		count  int
	}{
		{account.StatusActive, 140},
		{account.StatusInactive, 20},
		{account.StatusLocked, 8},
		{account.StatusLockedTemporarily, 7},
		{account.StatusPending, 15},
		{account.StatusRejected, 10},
	}
	builders := make([]*ent.UserCreate, 0, UserCount)
	for _, st := range statuses {
		for range st.count {
			builders = append(builders, s.user(len(builders), st.status))
		}
	}
	users, err := s.tx.User.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return err
	}

	var roleAssignments []*ent.RoleAssignmentCreate
	var memberships []*ent.GroupMembershipCreate
	for _, u := range users {
		for _, role := range pick(s.rnd, s.roles, 1+s.rnd.IntN(3)) {
			roleAssignments = append(roleAssignments, s.tx.RoleAssignment.Create().
				SetUserID(u.ID).SetRoleID(role.ID).SetAssignedBy(seedActor).
				SetAssignedAt(s.now.Add(-time.Duration(30+s.rnd.IntN(300))*24*time.Hour)).
				SetNillableExpiresAt(s.expiry()))
		}
		for _, g := range pick(s.rnd, s.groups, s.rnd.IntN(3)) {
			memberships = append(memberships, s.tx.GroupMembership.Create().
				SetUserID(u.ID).SetGroupID(g.ID).SetAssignedBy(seedActor).
				SetAssignedAt(s.now.Add(-time.Duration(10+s.rnd.IntN(200))*24*time.Hour)).
				SetNillableExpiresAt(s.expiry()))
		}
		if err := s.tx.User.UpdateOne(u).
			AddOrganizations(pick(s.rnd, s.orgs, 1+s.rnd.IntN(2))...).
			AddFormSpaces(pick(s.rnd, s.spaces, s.rnd.IntN(3))...).
			Exec(ctx); err != nil {
			return err
		}
	}
	if err := s.tx.RoleAssignment.CreateBulk(roleAssignments...).Exec(ctx); err != nil {
		return err
	}
	return s.tx.GroupMembership.CreateBulk(memberships...).Exec(ctx)
}

func (s *seeder) user(i int, status account.Status) *ent.UserCreate {
	first := firstNames[i%len(firstNames)]
	last := lastNames[(i*7)%len(lastNames)]
	username := fmt.Sprintf("%s.%s%d", strings.ToLower(first), strings.ToLower(last), i+1)
	c := s.tx.User.Create().
		SetUsername(username).
		SetFirstName(first).
		SetLastName(last).
		SetEmail(username + "@example.com").
		SetStatus(status).
		SetStatusChangedAt(s.now.Add(-time.Duration(s.rnd.IntN(90*24)) * time.Hour)).
		SetTwoFactorRequired(i%4 == 0).
		SetProfile(map[string]string{"department": []string{"Claims", "Sales", "IT", "Finance"}[i%4]})
	if i%3 == 0 {
		c.SetMobile(fmt.Sprintf("+4179%07d", 1000000+i))
	}
	switch status {
	case account.StatusLockedTemporarily:
		c.SetLockedUntil(s.now.Add(time.Duration(5+s.rnd.IntN(10)) * time.Minute)).
			SetFailedLoginAttempts(5).
			SetStatusReason("Too many failed logins")
	case account.StatusLocked:
		c.SetStatusReason("Locked by the security team")
	case account.StatusInactive:
		c.SetStatusReason("Left the company")
	case account.StatusRejected:
		c.SetStatusReason("Request not approved by the line manager")
	case account.StatusActive:
		c.SetLastLoginAt(s.now.Add(-time.Duration(s.rnd.IntN(30*24)) * time.Hour))
	}
	return c
}

// expiry returns an assignment's expiry: mostly permanent, some within the
// next days, some already passed (the sweeper has not run yet).
func (s *seeder) expiry() *time.Time {
	var t time.Time
	switch n := s.rnd.IntN(20); {
	case n < 12:
		return nil
	case n < 17:
		t = s.now.Add(time.Duration(1+s.rnd.IntN(10*24)) * time.Hour)
	default:
		t = s.now.Add(-time.Duration(1+s.rnd.IntN(30*24)) * time.Hour)
	}
	return &t
}

// pick returns n distinct elements of from, at random.
func pick[T any](rnd *rand.Rand, from []T, n int) []T {
	idx := rnd.Perm(len(from))
	out := make([]T, 0, n)
	for _, i := range idx[:min(n, len(from))] {
		out = append(out, from[i])
	}
	return out
}
