package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// SelectionLimits refuses documents that alias more than MaxAliases fields,
// or select the same field (or spread the same fragment) more than
// MaxRepeats times in one selection set, before any resolver runs. Both
// are cheap ways to make one request do the work of many: aliases run a
// field again under a new name, and repeats cost parsing and merging.
type SelectionLimits struct {
	MaxAliases int
	MaxRepeats int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = SelectionLimits{}

// ExtensionName names the extension.
func (SelectionLimits) ExtensionName() string { return "SelectionLimits" }

// Validate accepts any schema.
func (SelectionLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext counts the aliases and repeats of the operation
// and of every fragment it reaches, each fragment once.
func (l SelectionLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := selectionCounter{frags: oc.Doc.Fragments, seen: map[string]bool{}, maxRepeats: l.MaxRepeats}
	c.count(oc.Operation.SelectionSet)
	if c.repeated != "" {
		err := gqlerror.Errorf("%s is selected %d times in one selection set; at most %d are allowed",
			c.repeated, c.repeats, l.MaxRepeats)
		err.Extensions = map[string]any{"code": CodeBadRequest}
		return err
	}
	if c.aliases > l.MaxAliases {
		err := gqlerror.Errorf("the query uses %d aliases; at most %d are allowed",
			c.aliases, l.MaxAliases)
		err.Extensions = map[string]any{"code": CodeBadRequest}
		return err
	}
	return nil
}

// selectionCounter walks a document as written, not as expanded, so
// counting stays linear in its size.
type selectionCounter struct {
	frags      ast.FragmentDefinitionList
	seen       map[string]bool
	maxRepeats int
	aliases    int
	repeated   string // the first selection over the limit, if any
	repeats    int
}

func (c *selectionCounter) count(set ast.SelectionSet) {
	times := map[string]int{}
	var over string
	for _, sel := range set {
		var key string
		switch s := sel.(type) {
		case *ast.Field:
			key = fmt.Sprintf("field %q", s.Alias)
			if s.Alias != s.Name {
				c.aliases++
			}
			c.count(s.SelectionSet)
		case *ast.InlineFragment:
			key = fmt.Sprintf("an inline fragment on %q", s.TypeCondition)
			c.count(s.SelectionSet)
		case *ast.FragmentSpread:
			key = fmt.Sprintf("fragment %q", s.Name)
			if f := c.frags.ForName(s.Name); f != nil && !c.seen[s.Name] {
				c.seen[s.Name] = true
				c.count(f.SelectionSet)
			}
		}
		times[key]++
		if times[key] > c.maxRepeats && over == "" {
			over = key
		}
	}
	if over != "" && c.repeated == "" {
		c.repeated, c.repeats = over, times[over]
	}
}
