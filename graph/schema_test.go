package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"accountd/internal/clock"
)

// TestEveryElementIsDescribed walks the executable schema and names every
// type, field, argument, input field and enum value without a description.
func TestEveryElementIsDescribed(t *testing.T) {
	s := NewSchema(nil, clock.System{}, nil).Schema()
	var missing []string
	for name, def := range s.Types {
		if strings.HasPrefix(name, "__") || def.BuiltIn || def.Kind == ast.Scalar {
			continue
		}
		if def.Description == "" {
			missing = append(missing, name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				missing = append(missing, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				missing = append(missing, name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d schema elements lack a description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
