package graph

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costStatsKey names the operation's cost among its statistics.
const costStatsKey = "QueryCost"

// Cost is what a response reports in extensions.cost.
type Cost struct {
	// Requested is the operation's computed cost.
	Requested int64 `json:"requested"`
	// Budget is the largest cost the server accepts.
	Budget int64 `json:"budget"`
}

// CostBudget computes an operation's cost before any resolver runs and
// refuses it over Budget, the way GitHub limits the nodes a query may
// reach: every connection or list field costs its page size (first or
// last, 20 when neither is given) times the page sizes of the connections
// around it. Every response to a valid document reports the cost in
// extensions.cost.
type CostBudget struct {
	Budget int64
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = CostBudget{}

// ExtensionName names the extension.
func (CostBudget) ExtensionName() string { return "CostBudget" }

// Validate accepts any schema.
func (CostBudget) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext computes the cost and refuses the operation when
// it exceeds the budget.
func (c CostBudget) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := costWalker{vars: oc.Variables, frags: oc.Doc.Fragments, memo: map[string]int64{}}
	cost := Cost{Requested: w.setCost(oc.Operation.SelectionSet), Budget: c.Budget}
	oc.Stats.SetExtension(costStatsKey, cost)
	if cost.Requested <= c.Budget {
		return nil
	}
	err := gqlerror.Errorf("query cost %d exceeds the budget of %d: ask for smaller pages "+
		"(first, last) or fewer nested connections", cost.Requested, c.Budget)
	err.Extensions = map[string]any{
		"code":   CodeBadRequest,
		"cost":   cost.Requested,
		"budget": c.Budget,
	}
	return err
}

// InterceptResponse adds extensions.cost to the response.
func (CostBudget) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	cost, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costStatsKey).(Cost)
	if !ok {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost
	return resp
}

// costWalker sums the cost of a validated document. Costs multiply, so a
// fragment's cost is computed once for one instance of its parent and
// reused wherever it is spread: a document that spreads fragments into
// each other many times costs linear time to measure.
type costWalker struct {
	vars  map[string]any
	frags ast.FragmentDefinitionList
	memo  map[string]int64
}

// setCost returns the cost of set for one instance of the object it
// selects from.
func (w *costWalker) setCost(set ast.SelectionSet) int64 {
	var total int64
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = addCost(total, w.fieldCost(s))
		case *ast.InlineFragment:
			total = addCost(total, w.setCost(s.SelectionSet))
		case *ast.FragmentSpread:
			total = addCost(total, w.fragmentCost(s.Name))
		}
	}
	return total
}

func (w *costWalker) fragmentCost(name string) int64 {
	if cost, ok := w.memo[name]; ok {
		return cost
	}
	w.memo[name] = 0 // Validation refuses cycles; this only ends one early.
	var cost int64
	if f := w.frags.ForName(name); f != nil {
		cost = w.setCost(f.SelectionSet)
	}
	w.memo[name] = cost
	return cost
}

func (w *costWalker) fieldCost(f *ast.Field) int64 {
	below := w.setCost(f.SelectionSet)
	n := w.listSize(f)
	if n == 0 {
		return below
	}
	return addCost(n, mulCost(n, below))
}

// listSize returns how many objects f returns at most for one instance of
// its parent, or 0 when it returns one object or only scalars.
func (w *costWalker) listSize(f *ast.Field) int64 {
	def := f.Definition
	if def == nil || len(f.SelectionSet) == 0 {
		return 0
	}
	if def.Arguments.ForName("first") != nil || def.Arguments.ForName("last") != nil {
		return pageSize(f.ArgumentMap(w.vars))
	}
	if def.Type.Elem == nil {
		return 0
	}
	if isConnectionPage(f) {
		return 0 // The connection field counted these already.
	}
	if ids, ok := f.ArgumentMap(w.vars)["ids"].([]any); ok {
		return int64(len(ids))
	}
	return defaultPageSize // An estimate: the list has no page size.
}

// isConnectionPage tells whether f is a connection's edges or nodes.
func isConnectionPage(f *ast.Field) bool {
	return f.ObjectDefinition != nil && strings.HasSuffix(f.ObjectDefinition.Name, "Connection") &&
		(f.Name == "edges" || f.Name == "nodes")
}

// pageSize returns the page size a connection field asks for: first or
// last, the default when neither is given. PageSize refuses values out of
// range later; here they only need to count.
func pageSize(args map[string]any) int64 {
	n := max(intArg(args["first"]), intArg(args["last"]))
	if n < 1 {
		return defaultPageSize
	}
	return n
}

// intArg returns a page-size argument as a number, 0 when absent. Literal
// arguments arrive as int64, variables as decoded from the request.
func intArg(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

// addCost and mulCost saturate instead of overflowing: with a raised depth
// limit, nested pages of 100 could otherwise wrap around to a small cost.
func addCost(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func mulCost(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}
