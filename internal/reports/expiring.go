package reports

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/predicate"
	"accountd/ent/roleassignment"
)

// Kind names what an expiring assignment gives: a role or a group.
type Kind string

// The kinds, in the order assignments expiring at the same instant are
// listed.
const (
	KindRole  Kind = "ROLE"
	KindGroup Kind = "GROUP"
)

// rank orders the kinds within one instant.
func (k Kind) rank() int {
	if k == KindRole {
		return 0
	}
	return 1
}

// Expiring is a role assignment or group membership with an expiry.
type Expiring struct {
	Kind      Kind
	ExpiresAt time.Time
	User      *ent.User
	// RoleAssignment is set for KindRole, with its role loaded.
	RoleAssignment *ent.RoleAssignment
	// GroupMembership is set for KindGroup, with its group loaded.
	GroupMembership *ent.GroupMembership
}

// ID is the ID of the assignment or membership.
func (e *Expiring) ID() int {
	if e.RoleAssignment != nil {
		return e.RoleAssignment.ID
	}
	return e.GroupMembership.ID
}

// Cursor is the position of an expiring assignment in the list.
type Cursor struct {
	ExpiresAt time.Time `json:"e"`
	Kind      Kind      `json:"k"`
	ID        int       `json:"i"`
}

// ErrBadCursor is returned for a cursor this package did not write.
var ErrBadCursor = errors.New("the cursor is not one this list returned")

// Encode writes c as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor written by Encode.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil ||
		(c.Kind != KindRole && c.Kind != KindGroup) {
		return Cursor{}, ErrBadCursor
	}
	return c, nil
}

// CursorOf returns the position of e.
func CursorOf(e *Expiring) Cursor {
	return Cursor{ExpiresAt: e.ExpiresAt, Kind: e.Kind, ID: e.ID()}
}

// ExpiringQuery selects assignments that are still in force at Now and
// expire before Before.
type ExpiringQuery struct {
	Now, Before time.Time
	// Kinds limits the kinds; empty means both.
	Kinds []Kind
	// After continues a list after this position.
	After *Cursor
	// First is the page size.
	First int
}

func (q ExpiringQuery) wants(k Kind) bool {
	if len(q.Kinds) == 0 {
		return true
	}
	for _, w := range q.Kinds {
		if w == k {
			return true
		}
	}
	return false
}

// ExpiringPage is one page of expiring assignments.
type ExpiringPage struct {
	Nodes       []*Expiring
	HasNextPage bool
}

// ExpiringAssignments lists the assignments of q ordered by expiry, then
// kind, then ID, reading at most First+1 rows of each table through a
// keyset condition.
func ExpiringAssignments(ctx context.Context, client *ent.Client, q ExpiringQuery) (*ExpiringPage, error) {
	var all []*Expiring
	if q.wants(KindRole) {
		roles, err := expiringRoles(ctx, client, q)
		if err != nil {
			return nil, err
		}
		all = append(all, roles...)
	}
	if q.wants(KindGroup) {
		groups, err := expiringGroups(ctx, client, q)
		if err != nil {
			return nil, err
		}
		all = append(all, groups...)
	}

	sort.Slice(all, func(i, j int) bool { return before(all[i], all[j]) })
	page := &ExpiringPage{Nodes: all}
	if len(all) > q.First {
		page.Nodes, page.HasNextPage = all[:q.First], true
	}
	return page, nil
}

// CountExpiring counts the assignments of q, ignoring its page.
func CountExpiring(ctx context.Context, client *ent.Client, q ExpiringQuery) (int, error) {
	q.After = nil
	total := 0
	if q.wants(KindRole) {
		n, err := client.RoleAssignment.Query().Where(roleWindow(q)...).Count(ctx)
		if err != nil {
			return 0, fmt.Errorf("reports: counting expiring role assignments: %w", err)
		}
		total += n
	}
	if q.wants(KindGroup) {
		n, err := client.GroupMembership.Query().Where(groupWindow(q)...).Count(ctx)
		if err != nil {
			return 0, fmt.Errorf("reports: counting expiring group memberships: %w", err)
		}
		total += n
	}
	return total, nil
}

func before(a, b *Expiring) bool {
	if !a.ExpiresAt.Equal(b.ExpiresAt) {
		return a.ExpiresAt.Before(b.ExpiresAt)
	}
	if a.Kind != b.Kind {
		return a.Kind.rank() < b.Kind.rank()
	}
	return a.ID() < b.ID()
}

// follows says which rows of a table of kind k come after cursor c in the
// order (expiresAt, kind, ID): rows of a kind listed after c's follow it
// from c's instant on, rows of c's kind at that instant need a larger ID,
// and rows of a kind listed before c's need a later instant.
type follows int

const (
	fromInstant follows = iota
	largerIDAtInstant
	afterInstant
)

func followsCursor(c *Cursor, k Kind) follows {
	switch {
	case k.rank() > c.Kind.rank():
		return fromInstant
	case k == c.Kind:
		return largerIDAtInstant
	default:
		return afterInstant
	}
}

func roleWindow(q ExpiringQuery) []predicate.RoleAssignment {
	ps := []predicate.RoleAssignment{
		roleassignment.ExpiresAtGT(q.Now),
		roleassignment.ExpiresAtLT(q.Before),
	}
	if c := q.After; c != nil {
		switch followsCursor(c, KindRole) {
		case fromInstant:
			ps = append(ps, roleassignment.ExpiresAtGTE(c.ExpiresAt))
		case largerIDAtInstant:
			ps = append(ps, roleassignment.Or(
				roleassignment.ExpiresAtGT(c.ExpiresAt),
				roleassignment.And(roleassignment.ExpiresAtEQ(c.ExpiresAt),
					roleassignment.IDGT(c.ID)),
			))
		default:
			ps = append(ps, roleassignment.ExpiresAtGT(c.ExpiresAt))
		}
	}
	return ps
}

func groupWindow(q ExpiringQuery) []predicate.GroupMembership {
	ps := []predicate.GroupMembership{
		groupmembership.ExpiresAtGT(q.Now),
		groupmembership.ExpiresAtLT(q.Before),
	}
	if c := q.After; c != nil {
		switch followsCursor(c, KindGroup) {
		case fromInstant:
			ps = append(ps, groupmembership.ExpiresAtGTE(c.ExpiresAt))
		case largerIDAtInstant:
			ps = append(ps, groupmembership.Or(
				groupmembership.ExpiresAtGT(c.ExpiresAt),
				groupmembership.And(groupmembership.ExpiresAtEQ(c.ExpiresAt),
					groupmembership.IDGT(c.ID)),
			))
		default:
			ps = append(ps, groupmembership.ExpiresAtGT(c.ExpiresAt))
		}
	}
	return ps
}

func expiringRoles(ctx context.Context, client *ent.Client, q ExpiringQuery) ([]*Expiring, error) {
	rows, err := client.RoleAssignment.Query().
		Where(roleWindow(q)...).
		Order(ent.Asc(roleassignment.FieldExpiresAt), ent.Asc(roleassignment.FieldID)).
		Limit(q.First + 1).
		WithUser().
		WithRole().
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: listing expiring role assignments: %w", err)
	}
	out := make([]*Expiring, len(rows))
	for i, a := range rows {
		out[i] = &Expiring{Kind: KindRole, ExpiresAt: a.ExpiresAt.UTC(), User: a.Edges.User,
			RoleAssignment: a}
	}
	return out, nil
}

func expiringGroups(ctx context.Context, client *ent.Client, q ExpiringQuery) ([]*Expiring, error) {
	rows, err := client.GroupMembership.Query().
		Where(groupWindow(q)...).
		Order(ent.Asc(groupmembership.FieldExpiresAt), ent.Asc(groupmembership.FieldID)).
		Limit(q.First + 1).
		WithUser().
		WithGroup().
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: listing expiring group memberships: %w", err)
	}
	out := make([]*Expiring, len(rows))
	for i, m := range rows {
		out[i] = &Expiring{Kind: KindGroup, ExpiresAt: m.ExpiresAt.UTC(), User: m.Edges.User,
			GroupMembership: m}
	}
	return out, nil
}

// MarshalGQL writes the kind as a GraphQL enum value.
func (k Kind) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(k)))
}

// UnmarshalGQL reads a GraphQL enum value into k.
func (k *Kind) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	if str != string(KindRole) && str != string(KindGroup) {
		return fmt.Errorf("%v is not an assignment kind", v)
	}
	*k = Kind(str)
	return nil
}
