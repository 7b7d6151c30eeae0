package schema

import (
	"context"

	"entgo.io/ent"

	gen "accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/intercept"
	"accountd/ent/roleassignment"
)

// Whether an assignment still holds depends on its expiry, whatever else a
// query selects: a GraphQL query that asks only for `role { name }` must
// not see an expired assignment as permanent because expires_at was left
// out of the columns it loaded. Assignment rows are narrow, so these
// interceptors simply load every column. (Selecting only the missing one
// would need the query's own field list, which an interceptor of an eager
// load cannot read: its context carries the parent query's.)

var keepRoleExpiry = intercept.TraverseRoleAssignment(
	func(ctx context.Context, q *gen.RoleAssignmentQuery) error {
		if loadsEntities(ctx) {
			q.Select(roleassignment.Columns...)
		}
		return nil
	})

var keepGroupExpiry = intercept.TraverseGroupMembership(
	func(ctx context.Context, q *gen.GroupMembershipQuery) error {
		if loadsEntities(ctx) {
			q.Select(groupmembership.Columns...)
		}
		return nil
	})

// loadsEntities reports whether the query of ctx loads whole rows into
// entities. Counting, ID lists, grouping and custom selections pick their
// own columns and are left alone.
func loadsEntities(ctx context.Context) bool {
	qc := ent.QueryFromContext(ctx)
	if qc == nil {
		return true
	}
	switch qc.Op {
	case ent.OpQueryAll, ent.OpQueryFirst, ent.OpQueryOnly:
		return true
	}
	return false
}
