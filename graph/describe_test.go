package graph_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"accountd/graph"
	"accountd/internal/clock"
)

// TestAccountSchemaIsDescribed checks that every type, field, argument and
// enum value declared in account.graphqls carries a description.
func TestAccountSchemaIsDescribed(t *testing.T) {
	schema := graph.NewSchema(nil, clock.System{}, nil).Schema()
	fromFile := func(p *ast.Position) bool {
		return p != nil && p.Src != nil && strings.HasSuffix(p.Src.Name, "account.graphqls")
	}
	checked := 0
	for _, def := range schema.Types {
		if fromFile(def.Position) {
			checked++
		}
		if fromFile(def.Position) && def.Description == "" {
			t.Errorf("type %s has no description", def.Name)
		}
		for _, f := range def.Fields {
			if !fromFile(f.Position) {
				continue
			}
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", def.Name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", def.Name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if fromFile(v.Position) && v.Description == "" {
				t.Errorf("enum value %s.%s has no description", def.Name, v.Name)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("found only %d types of account.graphqls", checked)
	}
}
