package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Page sizes of every connection.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// PageSize checks the first and last arguments of every connection field,
// top-level or nested: each must lie in 1..100, and a field given neither
// returns the first 20.
func PageSize(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args == nil {
		return next(ctx)
	}
	_, hasFirst := fc.Args["first"]
	_, hasLast := fc.Args["last"]
	if !hasFirst || !hasLast {
		return next(ctx)
	}
	first, _ := fc.Args["first"].(*int)
	last, _ := fc.Args["last"].(*int)
	for name, n := range map[string]*int{"first": first, "last": last} {
		if n != nil && (*n < 1 || *n > maxPageSize) {
			return nil, BadRequest(fmt.Sprintf("%s must be between 1 and %d, got %d",
				name, maxPageSize, *n))
		}
	}
	if first != nil && last != nil {
		return nil, BadRequest("pass first or last, not both")
	}
	if first == nil && last == nil {
		n := defaultPageSize
		fc.Args["first"] = &n
	}
	return next(ctx)
}

// DepthLimit refuses operations whose selections nest deeper than max
// fields, before any resolver runs.
type DepthLimit struct {
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName names the extension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate accepts any schema.
func (DepthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation's depth.
func (d DepthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); depth > d.Max {
		err := gqlerror.Errorf("query depth %d exceeds the limit of %d", depth, d.Max)
		err.Extensions = map[string]any{"code": CodeBadRequest}
		return err
	}
	return nil
}

// selectionDepth returns the deepest chain of fields below set. Fragments
// add no depth of their own; seen guards against a document that validation
// would have refused for spreading a fragment into itself.
func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 1000 {
		return seen
	}
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + selectionDepth(s.SelectionSet, frags, seen+1)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, seen+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, seen+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
