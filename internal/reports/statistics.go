// Package reports computes accountd's reports in the database: user
// statistics grouped in SQL, the assignments about to expire, and streamed
// CSV exports. Every query goes through ent, whose interceptors limit it
// to the users the caller may see.
package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"accountd/ent"
	"accountd/ent/organization"
	"accountd/ent/predicate"
	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/ent/twofactorkey"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/twofactor"
)

// Statistics counts the users that match a filter.
type Statistics struct {
	// Total is the number of users.
	Total int
	// ByStatus counts the users of each status, every status listed.
	ByStatus []StatusCount
	// ByTwoFactorState counts the users of each two-factor state, every
	// state listed.
	ByTwoFactorState []TwoFactorCount
	// ByOrganization counts the users of each organization with at least
	// one of them, by organization name.
	ByOrganization []OrganizationCount
	// ByRole counts the users holding each role, by role name; expired
	// assignments do not count.
	ByRole []RoleCount
}

// StatusCount is the number of users of one status.
type StatusCount struct {
	Status account.Status
	Count  int
}

// TwoFactorCount is the number of users in one two-factor state.
type TwoFactorCount struct {
	State twofactor.State
	Count int
}

// OrganizationCount is the number of users of one organization.
type OrganizationCount struct {
	Organization *ent.Organization
	Count        int
}

// RoleCount is the number of users holding one role.
type RoleCount struct {
	Role  *ent.Role
	Count int
}

// group is one row of a GROUP BY: a key and its count.
type group[K any] struct {
	Key   K   `json:"key"`
	Count int `json:"count"`
}

// UserStatistics counts the users matching preds that the caller of ctx
// may see, grouping in the database; now decides which role assignments
// have expired.
func UserStatistics(ctx context.Context, client *ent.Client, now time.Time,
	preds ...predicate.User) (*Statistics, error) {
	var st Statistics
	var err error
	if st.Total, err = client.User.Query().Where(preds...).Count(ctx); err != nil {
		return nil, fmt.Errorf("reports: counting users: %w", err)
	}
	if st.ByStatus, err = byStatus(ctx, client, preds); err != nil {
		return nil, err
	}
	if st.ByTwoFactorState, err = byTwoFactorState(ctx, client, preds); err != nil {
		return nil, err
	}
	if st.ByOrganization, err = byOrganization(ctx, client, preds); err != nil {
		return nil, err
	}
	if st.ByRole, err = byRole(ctx, client, now, preds); err != nil {
		return nil, err
	}
	return &st, nil
}

func byStatus(ctx context.Context, client *ent.Client, preds []predicate.User) ([]StatusCount, error) {
	var rows []group[string]
	err := client.User.Query().Where(preds...).
		Modify(func(s *sql.Selector) {
			s.Select(sql.As(s.C(user.FieldStatus), "key"), sql.As(sql.Count("*"), "count")).
				GroupBy(s.C(user.FieldStatus))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reports: counting users by status: %w", err)
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Key] = r.Count
	}
	out := make([]StatusCount, 0, len(account.Statuses))
	for _, s := range account.Statuses {
		out = append(out, StatusCount{Status: s, Count: counts[string(s)]})
	}
	return out, nil
}

// byTwoFactorState groups by the state of the user's key; a user without
// a key is NOT_CONFIGURED.
func byTwoFactorState(ctx context.Context, client *ent.Client,
	preds []predicate.User) ([]TwoFactorCount, error) {
	var rows []group[string]
	err := client.User.Query().Where(preds...).
		Modify(func(s *sql.Selector) {
			keys := sql.Table(twofactorkey.Table).As("keys")
			state := fmt.Sprintf("COALESCE(%s, '%s')", keys.C(twofactorkey.FieldState),
				twofactor.StateNotConfigured)
			s.LeftJoin(keys).On(s.C(user.FieldID), keys.C(twofactorkey.FieldUserID)).
				Select(sql.As(state, "key"), sql.As(sql.Count("*"), "count")).
				GroupBy(state)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reports: counting users by two-factor state: %w", err)
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Key] = r.Count
	}
	out := make([]TwoFactorCount, 0, len(twofactor.States))
	for _, s := range twofactor.States {
		out = append(out, TwoFactorCount{State: s, Count: counts[string(s)]})
	}
	return out, nil
}

func byOrganization(ctx context.Context, client *ent.Client,
	preds []predicate.User) ([]OrganizationCount, error) {
	var rows []group[int]
	err := client.User.Query().Where(preds...).
		Modify(func(s *sql.Selector) {
			members := sql.Table(user.OrganizationsTable).As("members")
			key := members.C(user.OrganizationsPrimaryKey[1])
			s.Join(members).On(s.C(user.FieldID), members.C(user.OrganizationsPrimaryKey[0])).
				Select(sql.As(key, "key"), sql.As(sql.Count("*"), "count")).
				GroupBy(key)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reports: counting users by organization: %w", err)
	}
	orgs, err := client.Organization.Query().Where(organization.IDIn(keysOf(rows)...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: loading organizations: %w", err)
	}
	counts := countsByKey(rows)
	out := make([]OrganizationCount, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, OrganizationCount{Organization: o, Count: counts[o.ID]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Organization.Name < out[j].Organization.Name })
	return out, nil
}

func byRole(ctx context.Context, client *ent.Client, now time.Time,
	preds []predicate.User) ([]RoleCount, error) {
	var rows []group[int]
	err := client.User.Query().Where(preds...).
		Modify(func(s *sql.Selector) {
			held := sql.Table(roleassignment.Table).As("held")
			key := held.C(roleassignment.FieldRoleID)
			s.Join(held).On(s.C(user.FieldID), held.C(roleassignment.FieldUserID)).
				Where(sql.Or(
					sql.IsNull(held.C(roleassignment.FieldExpiresAt)),
					sql.GT(held.C(roleassignment.FieldExpiresAt), now),
				)).
				Select(sql.As(key, "key"), sql.As(sql.Count("*"), "count")).
				GroupBy(key)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reports: counting users by role: %w", err)
	}
	roles, err := client.Role.Query().Where(role.IDIn(keysOf(rows)...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: loading roles: %w", err)
	}
	counts := countsByKey(rows)
	out := make([]RoleCount, 0, len(roles))
	for _, r := range roles {
		out = append(out, RoleCount{Role: r, Count: counts[r.ID]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Role.Name < out[j].Role.Name })
	return out, nil
}

func keysOf(rows []group[int]) []int {
	keys := make([]int, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

func countsByKey(rows []group[int]) map[int]int {
	counts := make(map[int]int, len(rows))
	for _, r := range rows {
		counts[r.Key] = r.Count
	}
	return counts
}
