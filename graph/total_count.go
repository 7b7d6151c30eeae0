package graph

import (
	"context"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"accountd/ent"
	"accountd/ent/predicate"
	"accountd/ent/user"
)

// totalCountColumn is the column the users page carries its total in.
const totalCountColumn = "accountd_total_count"

// withTotalCount makes every row of q carry the number of users that preds
// match, through a scalar subquery, so that a page and its totalCount cost
// one statement instead of two. The subquery repeats the filters but not
// the cursor, which is what totalCount counts.
func withTotalCount(q *ent.UserQuery, preds []predicate.User) {
	q.Modify(func(s *sql.Selector) {
		sub := sql.Select(sql.Count("*")).From(sql.Table(user.Table))
		for _, p := range preds {
			p(sub)
		}
		s.AppendSelectExprAs(sub, totalCountColumn)
	})
}

// totalCountOf reads the total that withTotalCount put on the page's rows;
// ok is false when the page is empty and the total must be counted apart.
func totalCountOf(conn *ent.UserConnection) (total int, ok bool) {
	if len(conn.Edges) == 0 {
		return 0, false
	}
	v, err := conn.Edges[0].Node.Value(totalCountColumn)
	if err != nil {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

// wantsField reports whether the current field selects name, by name
// rather than alias.
func wantsField(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return true
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// withoutCountFields returns a context whose current field selects neither
// totalCount nor pageInfo, so that the generated Paginate does not run its
// own count; it still builds pageInfo from the page it reads.
func withoutCountFields(ctx context.Context) context.Context {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ctx
	}
	oc := graphql.GetOperationContext(ctx)
	var kept ast.SelectionSet
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		if f.Name != "totalCount" && f.Name != "pageInfo" {
			kept = append(kept, f.Field)
		}
	}
	cp := *fc
	cp.Field.Selections = kept
	return graphql.WithFieldContext(ctx, &cp)
}
